// Open flows: the geometry of emitters (inflow) and outlets (outflow), shared by the scene's
// checks and the simulation.
//
// An emitter is a flat patch facing `direction`. Every 2r of distance that its fluid travels, a
// new layer of particles appears on its lattice: points 2r apart across the patch (a rectangle's
// width x height, a segment's width, the lattice points strictly inside a disc). Layer k is
// placed where it would be had it left the patch exactly when the fluid had travelled k 2r, so
// the count emitted by time t is exact: per_layer * (floor((t - start) v / 2r) + 1).
#pragma once

#include <cstddef>
#include <glm/glm.hpp>
#include <vector>

#include "core/scene.hpp"

namespace flume {

// The axes of an emitter's patch: `across` spans its width, `up` its height (3D), both at right
// angles to the direction. The height runs along the scene's +y as seen across the direction
// (+z when the emitter points along y); in 2D the width runs at a right angle to the direction.
struct EmitterFrame {
    glm::dvec3 direction{0.0};
    glm::dvec3 across{0.0};
    glm::dvec3 up{0.0};
};
EmitterFrame emitter_frame(const EmitterDesc& e, int dimension);

// A layer's points relative to the emitter's centre, in a fixed order. Empty when the patch is
// narrower than one particle spacing.
std::vector<glm::dvec3> emitter_layer(const EmitterDesc& e, int dimension, double spacing);

// How far the patch reaches from its centre along each axis.
glm::dvec3 emitter_reach(const EmitterDesc& e, int dimension);

// The particles an emitter makes by its end (infinite when it never ends), at its scene velocity.
double emitter_output(const EmitterDesc& e, std::size_t per_layer, double spacing);

// Whether the point x lies inside an outlet given as a box, a sphere or a plane (meshes and
// polygons go through their distance field in the simulation).
bool inside_simple_outlet(const OutletDesc& o, const glm::dvec3& x, int dimension);

// The extra particles an automatic max_particles allows for emitters that never end.
inline constexpr double kAutoInflowRoom = 1.0e6;

}  // namespace flume
