// The boundary between flume_io and libflume_surface_vdb.so, the module that holds the OpenVDB
// code (surface_vdb.cpp; built with FLUME_OPENVDB). flume_io does not link OpenVDB: every program
// that did paid for it at start-up (~150 M instructions in the dynamic linker, +29 MB), so
// build_surface() loads the module with dlopen on first use and calls its one entry point.
//
// Both sides are built from the same tree and pass Flume's own types. The entry point's name
// carries the version of this interface (its arguments, SurfaceOptions and SurfaceMesh), raised
// whenever one of them changes: a module of another version then fails to load, with a message,
// instead of misreading them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "io/surface_mesh.hpp"

#define FLUME_SURFACE_MODULE_ENTRY flume_surface_vdb_build_v1
#define FLUME_SURFACE_STRINGIFY_(x) #x
#define FLUME_SURFACE_STRINGIFY(x) FLUME_SURFACE_STRINGIFY_(x)

// Fills `mesh` (empty) with the surface of the `count` particles at `positions` (x y z each) of
// radius `particle_radius`. Returns kSurfaceBuilt, kSurfaceOutOfMemory, or kSurfaceFailed with
// why in `error` (NUL-terminated, at most `error_size` bytes). Throws nothing.
extern "C" int FLUME_SURFACE_MODULE_ENTRY(const float* positions, std::size_t count,
                                          float particle_radius,
                                          const flume::SurfaceOptions* options,
                                          flume::SurfaceMesh* mesh, char* error,
                                          std::size_t error_size) noexcept;

namespace flume {

inline constexpr int kSurfaceBuilt = 0;
inline constexpr int kSurfaceFailed = 1;
inline constexpr int kSurfaceOutOfMemory = 2;

using SurfaceModuleEntry = decltype(&FLUME_SURFACE_MODULE_ENTRY);

inline constexpr char kSurfaceModuleFile[] = "libflume_surface_vdb.so";
inline constexpr char kSurfaceModuleEntryName[] =
    FLUME_SURFACE_STRINGIFY(FLUME_SURFACE_MODULE_ENTRY);
// Names the module's file, instead of the places below.
inline constexpr char kSurfaceModuleVariable[] = "FLUME_SURFACE_MODULE";

struct SurfaceModule {
    SurfaceModuleEntry build = nullptr;
    std::string error;  // when `build` is null: the file and dlerror()
};

// Loads the module at `path` (dlopen with RTLD_NOW, so that a missing dependency or symbol is
// found now, not at the first call; never unloaded) and looks up its entry point.
SurfaceModule load_surface_module(const std::string& path);

// Where the module is looked for, in order: $FLUME_SURFACE_MODULE alone when it is set; else
// beside the executable (/proc/self/exe's folder: the build tree puts it beside flume-cli), then
// in the install layout's folder for it relative to the executable's (../lib/flume with the
// default GNUInstallDirs, FLUME_SURFACE_MODULE_INSTALL_DIR).
std::vector<std::string> surface_module_candidates();

}  // namespace flume
