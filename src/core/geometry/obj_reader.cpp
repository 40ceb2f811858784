// Wavefront OBJ through Debian's tinyobjloader (libtinyobjloader-dev: one header, compiled here
// so that the wasm build has it too). Only the geometry is read: materials, normals and texture
// coordinates are ignored, polygons are split into triangle fans.
#define TINYOBJLOADER_IMPLEMENTATION
#include <tiny_obj_loader.h>

#include "core/geometry/triangle_mesh.hpp"

namespace flume {

TriangleMesh read_obj(std::string_view bytes, const std::string& name) {
    if (bytes.size() > kMaxMeshFileBytes) {
        throw MeshError(name + ": the file is " + std::to_string(bytes.size()) +
                        " bytes, more than the limit of " + std::to_string(kMaxMeshFileBytes));
    }
    tinyobj::ObjReaderConfig config;
    config.triangulate = true;
    config.vertex_color = false;
    tinyobj::ObjReader reader;
    if (!reader.ParseFromString(std::string(bytes), std::string(), config)) {
        std::string why = reader.Error();
        while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
            why.pop_back();
        throw MeshError(name + ": cannot parse the OBJ file: " +
                        (why.empty() ? std::string("no reason given") : why));
    }
    const tinyobj::attrib_t& attrib = reader.GetAttrib();
    TriangleMesh mesh;
    const std::size_t vertex_count = attrib.vertices.size() / 3;
    mesh.vertices.reserve(vertex_count);
    for (std::size_t v = 0; v < vertex_count; ++v) {
        const glm::dvec3 p(attrib.vertices[3 * v], attrib.vertices[3 * v + 1],
                           attrib.vertices[3 * v + 2]);
        for (int k = 0; k < 3; ++k) {
            if (!std::isfinite(p[k]) || std::abs(p[k]) > 1.0e6) {
                throw MeshError(name + ": vertex " + std::to_string(v + 1) +
                                ": a coordinate is not a number in [-1e6, 1e6]");
            }
        }
        mesh.vertices.push_back(p);
    }
    for (const tinyobj::shape_t& shape : reader.GetShapes()) {
        const auto& indices = shape.mesh.indices;
        for (std::size_t f = 0, offset = 0; f < shape.mesh.num_face_vertices.size(); ++f) {
            const std::size_t corners = shape.mesh.num_face_vertices[f];
            if (corners == 3) {
                glm::u32vec3 t;
                for (int c = 0; c < 3; ++c) {
                    const int index = indices[offset + static_cast<std::size_t>(c)].vertex_index;
                    if (index < 0 || static_cast<std::size_t>(index) >= vertex_count) {
                        throw MeshError(name + ": face " + std::to_string(f + 1) + " of \"" +
                                        shape.name + "\" names vertex " +
                                        std::to_string(index + 1) + " of " +
                                        std::to_string(vertex_count));
                    }
                    t[c] = static_cast<std::uint32_t>(index);
                }
                mesh.triangles.push_back(t);
                if (mesh.triangles.size() > kMaxMeshTriangles) {
                    throw MeshError(name + ": more than the limit of " +
                                    std::to_string(kMaxMeshTriangles) + " triangles");
                }
            }
            offset += corners;  // lines and points (fewer corners) are not surfaces: skipped
        }
    }
    weld(mesh);
    return mesh;
}

}  // namespace flume
