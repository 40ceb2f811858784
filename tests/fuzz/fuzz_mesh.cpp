// libFuzzer target: mesh bytes through both readers (OBJ, STL), the closed-surface check and, for
// a small closed mesh, a distance field on a coarse grid with a few queries. Anything but a
// MeshError is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/geometry/distance_field.hpp"
#include "core/geometry/triangle_mesh.hpp"
#include "core/worker_pool.hpp"

namespace {

void exercise(flume::TriangleMesh mesh, flume::WorkerPool& pool) {
    flume::check_closed(mesh, "fuzz");
    if (mesh.triangles.size() > 2000) return;
    const glm::dvec3 lo = mesh.lower(), hi = mesh.upper();
    const double extent = std::max({hi.x - lo.x, hi.y - lo.y, hi.z - lo.z});
    const double spacing = extent / 16.0;
    const flume::DistanceGrid grid = flume::DistanceGrid::around(lo, hi, spacing, 2);
    if (grid.node_count() > 40000) return;  // a flat mesh: one thin axis, many nodes across
    const flume::DistanceField field(mesh, grid, 3.0 * spacing, pool);
    for (const glm::dvec3& p : {lo, hi, 0.5 * (lo + hi), 2.0 * hi - lo}) {
        (void)field.distance(p);
        (void)field.gradient(p);
        flume::DistanceField::Nearest near;
        (void)field.nearest(p, near);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static flume::WorkerPool pool(2);
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    for (const char* name : {"fuzz.obj", "fuzz.stl"}) {
        try {
            exercise(flume::read_mesh(bytes, name), pool);
        } catch (const flume::MeshError&) {
        }
    }
    return 0;
}
