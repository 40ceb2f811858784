#include "io/surface_mesh.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/simulation.hpp"
#include "io/output_file.hpp"

#if defined(FLUME_SURFACE_MODULE)
#include <cstdlib>
#include <filesystem>
#include <new>
#include <system_error>

#include "io/surface_module.hpp"
#endif

namespace flume {

namespace {

#if defined(FLUME_SURFACE_MODULE)
// The module, loaded once from the first candidate that loads; the first of those that exists
// and fails stops the search, so that its error is the one reported.
SurfaceModule find_module() {
    const std::vector<std::string> candidates = surface_module_candidates();
    if (candidates.empty()) {
        return {nullptr, std::string("cannot find the folder of this program (/proc/self/exe) to "
                                     "look for ") +
                             kSurfaceModuleFile + " beside it: name it with " +
                             kSurfaceModuleVariable + "=PATH"};
    }
    const char* named = std::getenv(kSurfaceModuleVariable);
    const std::string hint =
        named && *named ? std::string(" (the file ") + kSurfaceModuleVariable + " names)"
                        : std::string(" (") + kSurfaceModuleVariable + "=PATH names it elsewhere)";
    std::string missing;
    for (const std::string& path : candidates) {
        SurfaceModule module = load_surface_module(path);
        if (module.build) return module;
        std::error_code ec;
        if (std::filesystem::exists(path, ec)) {
            module.error = "the OpenVDB surface module did not load: " + module.error + hint;
            return module;
        }
        missing += (missing.empty() ? "" : "; ") + module.error;
    }
    return {nullptr, "the OpenVDB surface module did not load: " + missing + hint};
}

const SurfaceModule& surface_module() {
    static const SurfaceModule module = find_module();
    return module;
}
#else
constexpr char kNotBuilt[] =
    "this build makes no surface meshes: configure it with -DFLUME_OPENVDB=ON (the "
    "native-release preset does) and Debian's libopenvdb-dev";
#endif

}  // namespace

bool surface_meshes_available() {
#if defined(FLUME_SURFACE_MODULE)
    return surface_module().build != nullptr;
#else
    return false;
#endif
}

std::string surface_unavailable_reason() {
#if defined(FLUME_SURFACE_MODULE)
    return surface_module().error;
#else
    return kNotBuilt;
#endif
}

SurfaceMesh build_surface(const ParticleView& fluid, float particle_radius,
                          const SurfaceOptions& options) {
    if (fluid.dimension != 3) throw OutputError("surface meshes are of 3D fluids; this one is 2D");
#if defined(FLUME_SURFACE_MODULE)
    const SurfaceModule& module = surface_module();
    if (!module.build) throw OutputError(module.error);
    SurfaceMesh mesh;
    char error[512] = "";
    switch (module.build(fluid.position, fluid.count, particle_radius, &options, &mesh, error,
                         sizeof error)) {
        case kSurfaceBuilt:
            return mesh;
        case kSurfaceOutOfMemory:
            throw std::bad_alloc();
        default:
            throw OutputError(std::string("surface mesh: ") + error);
    }
#else
    (void)particle_radius;
    (void)options;
    throw OutputError(kNotBuilt);
#endif
}

void write_ply(const std::string& path, const SurfaceMesh& mesh) {
    std::ofstream out = open_output(path);
    out << "ply\nformat binary_little_endian 1.0\ncomment flume fluid surface\nelement vertex "
        << mesh.vertices.size()
        << "\nproperty float x\nproperty float y\nproperty float z\nelement face "
        << mesh.triangles.size() << "\nproperty list uchar uint vertex_indices\nend_header\n";
    auto put = [&](const void* data, std::size_t bytes) {
        out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
    };
    for (const glm::vec3& v : mesh.vertices)
        put(&v, sizeof v);  // x86 and wasm are little-endian, as the header says
    for (const glm::uvec3& t : mesh.triangles) {
        const unsigned char three = 3;
        put(&three, 1);
        put(&t, sizeof t);
    }
    close_output(out, path);
}

void write_obj(const std::string& path, const SurfaceMesh& mesh) {
    std::ofstream out = open_output(path);
    out << "# flume fluid surface\n";
    char line[96];
    for (const glm::vec3& v : mesh.vertices) {
        std::snprintf(line, sizeof line, "v %.7g %.7g %.7g\n", v.x, v.y, v.z);
        out << line;
    }
    for (const glm::uvec3& t : mesh.triangles)
        out << "f " << t.x + 1 << ' ' << t.y + 1 << ' ' << t.z + 1 << '\n';
    close_output(out, path);
}

}  // namespace flume
