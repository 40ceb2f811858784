// A rigid body's mass properties from its shape: its centre of mass, its principal moments of
// inertia and axes, and the points where it meets walls and other bodies. Analytic for boxes and
// spheres (discs in 2D), exact integrals over the edges of a polygon (2D) and over the triangles
// of a closed mesh (3D), never a bounding box. Double precision with + - * / and sqrt only, so
// that the same shape gives the same bits natively and in wasm.
//
//   const MassProperties m = mass_properties(body.shape, body.body_mass(3), 3);
#pragma once

#include <optional>
#include <vector>

#include <glm/glm.hpp>

#include "core/scene.hpp"

namespace flume {

struct MassProperties {
    glm::dvec3 centre{0.0};   // of mass, in the shape's frame (the scene's coordinates)
    glm::dvec3 moments{1.0};  // principal moments of inertia about the centre (2D: z's in all)
    // The principal axes (columns, a rotation) where they are not the shape's own axes (a
    // mesh's): the inertia tensor is axes diag(moments) axes^T.
    std::optional<glm::dmat3> axes;
    std::vector<glm::dvec3> corners;  // a box's, polygon's or mesh's, from the centre
    double extent = 0.0;              // the farthest point of the shape from the centre
};

// The properties of `shape` of mass `mass` (kg; per metre of depth in 2D) in `dimension` D.
MassProperties mass_properties(const ShapeDesc& shape, double mass, int dimension);

// The inertia tensor (about the centre) of MassProperties: axes diag(moments) axes^T.
glm::dmat3 inertia_tensor(const MassProperties& m);

// The eigenvalues of a symmetric 3x3 matrix and its eigenvectors (the columns of `axes`, a
// rotation), by cyclic Jacobi rotations.
void principal_moments(const glm::dmat3& tensor, glm::dvec3& moments, glm::dmat3& axes);

}  // namespace flume
