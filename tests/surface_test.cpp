// The fluid's surface as a mesh (issue 29, --export-surface with OpenVDB): a resting pool's mesh
// is closed and consistently oriented, flat on top within a fraction of the particle spacing, and
// encloses the fluid's volume within 5%; the files read back as written.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>

#include "core/scene_library.hpp"
#include "core/simulation.hpp"
#include "core/worker_pool.hpp"
#include "io/surface_mesh.hpp"

namespace flume {
namespace {

double signed_volume(const SurfaceMesh& m) {
    double v = 0.0;
    for (const glm::uvec3& t : m.triangles) {
        const glm::dvec3 a = m.vertices[t.x], b = m.vertices[t.y], c = m.vertices[t.z];
        v += glm::dot(a, glm::cross(b, c)) / 6.0;
    }
    return v;
}

TEST(SurfaceMesh, ArestingPoolIsClosedFlatOnTopAndHoldsItsVolume) {
    ASSERT_TRUE(surface_meshes_available());
    const Scene scene = load_scene("hydrostatic-3d", {"particle_radius=0.02"});
    WorkerPool pool(2);
    const auto sim = Simulation::create(scene, pool);
    const ParticleView fluid = sim->fluid();
    const float r = sim->constants().particle_radius;
    const SurfaceMesh mesh = build_surface(fluid, r, SurfaceOptions{});
    ASSERT_GT(mesh.triangles.size(), 100u);

    // Closed and oriented: every directed edge once, its reverse once.
    std::map<std::pair<unsigned, unsigned>, int> edges;
    for (const glm::uvec3& t : mesh.triangles) {
        ++edges[{t.x, t.y}];
        ++edges[{t.y, t.z}];
        ++edges[{t.z, t.x}];
    }
    std::size_t open = 0;
    for (const auto& [e, n] : edges)
        open += n != 1 || edges.count({e.second, e.first}) == 0;
    EXPECT_EQ(open, 0u);

    // The fluid's volume: a lattice cell (2r)^3 per particle.
    const double volume = static_cast<double>(fluid.count) * 8.0 * r * r * r;
    EXPECT_NEAR(signed_volume(mesh) / volume, 1.0, 0.05);

    // Flat on top: the top's vertices away from the walls lie at the water's height within a
    // quarter of a spacing.
    float top = 0.0f, lo_x = 1e9f, hi_x = -1e9f, lo_z = 1e9f, hi_z = -1e9f;
    for (std::size_t i = 0; i < fluid.count; ++i) {
        top = std::max(top, fluid.position[3 * i + 1]);
        lo_x = std::min(lo_x, fluid.position[3 * i]);
        hi_x = std::max(hi_x, fluid.position[3 * i]);
        lo_z = std::min(lo_z, fluid.position[3 * i + 2]);
        hi_z = std::max(hi_z, fluid.position[3 * i + 2]);
    }
    const float height = top + r;
    std::size_t on_top = 0;
    float worst = 0.0f;
    for (const glm::vec3& v : mesh.vertices) {
        const bool inner =
            v.x > lo_x + 3 * r && v.x < hi_x - 3 * r && v.z > lo_z + 3 * r && v.z < hi_z - 3 * r;
        if (!inner || v.y < height - 4 * r) continue;
        ++on_top;
        worst = std::max(worst, std::abs(v.y - height));
    }
    EXPECT_GT(on_top, 50u);
    EXPECT_LT(worst, 0.5f * r) << "the top lies at " << height << " m";

    // The files: a PLY whose header counts them, an OBJ with a line each.
    const auto dir = std::filesystem::temp_directory_path() / "flume_surface_test";
    std::filesystem::create_directories(dir);
    write_ply((dir / "s.ply").string(), mesh);
    write_obj((dir / "s.obj").string(), mesh);
    std::ifstream ply(dir / "s.ply", std::ios::binary);
    std::string header, line;
    while (std::getline(ply, line) && line != "end_header")
        header += line + "\n";
    EXPECT_NE(header.find("element vertex " + std::to_string(mesh.vertices.size())),
              std::string::npos);
    EXPECT_NE(header.find("element face " + std::to_string(mesh.triangles.size())),
              std::string::npos);
    const auto ply_bytes = std::filesystem::file_size(dir / "s.ply");
    EXPECT_EQ(ply_bytes, header.size() + std::string("end_header\n").size() +
                             mesh.vertices.size() * 12 + mesh.triangles.size() * 13);
    std::ifstream obj(dir / "s.obj");
    std::size_t v_lines = 0, f_lines = 0;
    while (std::getline(obj, line)) {
        v_lines += line.rfind("v ", 0) == 0;
        f_lines += line.rfind("f ", 0) == 0;
    }
    EXPECT_EQ(v_lines, mesh.vertices.size());
    EXPECT_EQ(f_lines, mesh.triangles.size());
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flume
