// Loading libflume_surface_vdb.so (surface_module.hpp): compiled into flume_io in builds with
// FLUME_OPENVDB.
#include "io/surface_module.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace flume {

namespace {

// dlerror()'s message, which usually starts with the file's name; prefixed with it otherwise.
std::string load_error(const std::string& path, const char* what) {
    const std::string message = what ? what : "unknown error";
    return message.rfind(path, 0) == 0 ? message : path + ": " + message;
}

}  // namespace

SurfaceModule load_surface_module(const std::string& path) {
    SurfaceModule module;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        module.error = load_error(path, dlerror());
        return module;
    }
    dlerror();  // clears any earlier error, so that the one below is dlsym's
    void* entry = dlsym(handle, kSurfaceModuleEntryName);
    if (!entry) {
        module.error = load_error(path, dlerror()) + " (a module of another version of Flume?)";
        dlclose(handle);
        return module;
    }
    module.build = reinterpret_cast<SurfaceModuleEntry>(entry);
    return module;  // `handle` stays open: OpenVDB and oneTBB are not made to be unloaded
}

std::vector<std::string> surface_module_candidates() {
    const char* named = std::getenv(kSurfaceModuleVariable);
    if (named && *named) return {named};
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec || exe.empty()) return {};
    const std::filesystem::path dir = exe.parent_path();
    return {
        (dir / kSurfaceModuleFile).string(),
        (dir / FLUME_SURFACE_MODULE_INSTALL_DIR / kSurfaceModuleFile).lexically_normal().string()};
}

}  // namespace flume
