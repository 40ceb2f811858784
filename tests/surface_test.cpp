// The fluid's surface as a mesh (issue 29, --export-surface with OpenVDB): a resting pool's mesh
// is closed and consistently oriented, flat on top within a fraction of the particle spacing, and
// encloses the fluid's volume within 5%; the files read back as written. The mesh is built by
// libflume_surface_vdb.so, loaded with dlopen as flume-cli loads it (named by
// FLUME_SURFACE_MODULE here: this program does not lie beside it); a module that does not load is
// refused with its file and dlerror().
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>

#include "core/scene_library.hpp"
#include "core/simulation.hpp"
#include "core/worker_pool.hpp"
#include "io/surface_mesh.hpp"
#include "io/surface_module.hpp"

namespace flume {
namespace {

// The module of this build tree, for build_surface (before its first call, which loads it).
const bool kModuleNamed = setenv(kSurfaceModuleVariable, FLUME_SURFACE_MODULE_FILE, 1) == 0;

double signed_volume(const SurfaceMesh& m) {
    double v = 0.0;
    for (const glm::uvec3& t : m.triangles) {
        const glm::dvec3 a = m.vertices[t.x], b = m.vertices[t.y], c = m.vertices[t.z];
        v += glm::dot(a, glm::cross(b, c)) / 6.0;
    }
    return v;
}

TEST(SurfaceMesh, ArestingPoolIsClosedFlatOnTopAndHoldsItsVolume) {
    ASSERT_TRUE(kModuleNamed);
    ASSERT_TRUE(surface_meshes_available()) << surface_unavailable_reason();
    EXPECT_EQ(surface_unavailable_reason(), "");
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

TEST(SurfaceModule, TheBuiltModuleLoadsMeshesNoParticlesAsNothingAndReportsErrors) {
    const SurfaceModule module = load_surface_module(FLUME_SURFACE_MODULE_FILE);
    ASSERT_NE(module.build, nullptr) << module.error;
    SurfaceMesh mesh;
    char error[256] = "";
    SurfaceOptions options;
    EXPECT_EQ(module.build(nullptr, 0, 0.01f, &options, &mesh, error, sizeof error), kSurfaceBuilt);
    EXPECT_TRUE(mesh.vertices.empty());
    EXPECT_TRUE(mesh.triangles.empty());
    // OpenVDB's exceptions come back as a message.
    options.voxel = 0.0;
    EXPECT_EQ(module.build(nullptr, 0, 0.01f, &options, &mesh, error, sizeof error),
              kSurfaceFailed);
    EXPECT_NE(std::string(error).find("scale"), std::string::npos) << error;  // voxel 0
}

TEST(SurfaceModule, AFileThatDoesNotLoadIsNamedWithDlerror) {
    const auto dir = std::filesystem::temp_directory_path() / "flume_surface_module_test";
    std::filesystem::create_directories(dir);
    const std::string missing = (dir / "missing.so").string();
    SurfaceModule module = load_surface_module(missing);
    EXPECT_EQ(module.build, nullptr);
    EXPECT_EQ(module.error,
              missing + ": cannot open shared object file: No such file or directory");

    const std::string text = (dir / "text.so").string();
    std::ofstream(text) << "not a library\n";
    module = load_surface_module(text);
    EXPECT_EQ(module.build, nullptr);
    EXPECT_EQ(module.error.rfind(text + ": ", 0), 0u) << module.error;
    std::filesystem::remove_all(dir);

    // A library without the entry point (the C library): its name and the symbol.
    Dl_info libc{};
    ASSERT_NE(dladdr(reinterpret_cast<void*>(&std::abort), &libc), 0);
    module = load_surface_module(libc.dli_fname);
    EXPECT_EQ(module.build, nullptr);
    EXPECT_NE(module.error.find(libc.dli_fname), std::string::npos) << module.error;
    EXPECT_NE(module.error.find(kSurfaceModuleEntryName), std::string::npos) << module.error;
}

TEST(SurfaceModule, IsLookedForAsTheVariableNamesOrBesideTheProgram) {
    EXPECT_EQ(surface_module_candidates(), std::vector<std::string>{FLUME_SURFACE_MODULE_FILE});
    unsetenv(kSurfaceModuleVariable);
    const std::vector<std::string> candidates = surface_module_candidates();
    setenv(kSurfaceModuleVariable, FLUME_SURFACE_MODULE_FILE, 1);
    const std::filesystem::path here =
        std::filesystem::read_symlink("/proc/self/exe").parent_path();
    ASSERT_EQ(candidates.size(), 2u);
    EXPECT_EQ(candidates[0], (here / kSurfaceModuleFile).string());
    EXPECT_EQ(std::filesystem::path(candidates[1]).filename(), kSurfaceModuleFile);
    EXPECT_EQ(std::filesystem::path(candidates[1]).parent_path().filename(), "flume");
}

}  // namespace
}  // namespace flume
