// Triangle meshes that users bring: read from bytes (OBJ, STL binary or ASCII), welded, checked
// and placed in the scene.
//
//   TriangleMesh mesh = read_mesh(bytes, "funnel.obj");   // throws MeshError naming the problem
//   transform(mesh, {.scale = glm::dvec3(0.5), .axis = {0, 1, 0}, .degrees = 30});
//   const MeshCheck check = check_closed(mesh, "funnel.obj");  // throws unless closed
//
// Loading takes bytes, never a path, so that the browser can pass fetched or dropped files.
// Vertices that share a position exactly are welded into one (STL stores each triangle's corners
// apart), so that edges can be matched and the mesh checked for holes. Everything here is double
// precision with + - * / and sqrt only: the same bytes give the same mesh natively and in wasm.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <glm/glm.hpp>

namespace flume {

// A mesh file that cannot be used: the message names the file and the problem.
class MeshError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct TriangleMesh {
    std::vector<glm::dvec3> vertices;
    std::vector<glm::u32vec3> triangles;  // vertex indices, counter-clockwise seen from outside

    glm::dvec3 lower() const;  // bounding box
    glm::dvec3 upper() const;
    double area() const;
    double volume() const;  // signed: positive when the triangles face outwards

    // The volume of the closed mesh below the plane x[axis] = level (exact: each triangle is
    // clipped by the plane and summed as tetrahedra with their apex on the plane, so that the
    // cut face adds nothing).
    double volume_below(int axis, double level) const;
};

// The largest mesh file read, and the most triangles a mesh may have.
inline constexpr std::size_t kMaxMeshFileBytes = 256u << 20;
inline constexpr std::size_t kMaxMeshTriangles = 4'000'000;
// An OBJ file's most vertices (as many as a binary STL of the most triangles has corners), and
// the most corners of one OBJ face: tinyobjloader splits a polygon by ear clipping, in time
// growing with the square of its corners (a face of 300,000 corners took minutes).
inline constexpr std::size_t kMaxObjVertices = 3 * kMaxMeshTriangles;
inline constexpr std::size_t kMaxObjFaceCorners = 1000;

// Reads an OBJ (by its extension) or STL file's bytes; `name` is the file's name, for the
// format and the messages. Polygons are split into triangles, vertices welded. Throws MeshError.
TriangleMesh read_mesh(std::string_view bytes, const std::string& name);
TriangleMesh read_obj(std::string_view bytes, const std::string& name);
TriangleMesh read_stl(std::string_view bytes, const std::string& name);

// Scale (per axis), then a rotation of `degrees` about `axis` through the origin, then a
// translation. A negative scale (a mirror) keeps the triangles facing outwards.
struct MeshTransform {
    glm::dvec3 scale{1.0};
    glm::dvec3 axis{0.0, 0.0, 1.0};
    double degrees = 0.0;
    glm::dvec3 translate{0.0};
};
void transform(TriangleMesh& mesh, const MeshTransform& t);

// What check_closed found (and fixed).
struct MeshCheck {
    std::size_t degenerate = 0;  // triangles of zero area, kept (they do not change the shape)
    bool flipped = false;        // the triangles faced inwards and were turned round
};

// Requires a closed, manifold, consistently oriented surface that encloses a volume: throws
// MeshError saying what is wrong ("funnel.obj is not closed: 12 boundary edges"). Turns every
// triangle round when they all face inwards.
MeshCheck check_closed(TriangleMesh& mesh, const std::string& name);

// The mesh continued through the plane x[axis] = plane, on the side `outward` (+1 or -1) points
// to, by `thickness`: the triangles lying on the plane (their corners within `touch` of it) are
// replaced by the prism under them: their copies `thickness` beyond the plane and a side wall
// along their outline. The shape on the inner side is unchanged and the mesh stays closed. A mesh
// with no triangle on the plane, or reaching beyond it, is returned as it is.
TriangleMesh continued_through_plane(const TriangleMesh& mesh, int axis, double plane,
                                     double outward, double touch, double thickness);

// Merges vertices at exactly the same position (first occurrence order) and drops the triangles
// that name one vertex twice.
void weld(TriangleMesh& mesh);

}  // namespace flume
