// The fluid's surface as a triangle mesh, for Blender and ParaView (flume-cli run
// --export-surface DIR). Built with OpenVDB (Debian's libopenvdb-dev) in the native builds that
// turn FLUME_OPENVDB on: each particle is rasterised as a sphere of radius 2r into a narrow-band
// level set (tools::ParticlesToLevelSet), which is then eroded by 0.6 r (the union of spheres
// 2r apart dips between them), so that the surface lies about a particle radius beyond the
// outermost centres, where the fluid's volume ends, smoothed by `smoothing` mean-curvature passes
// (tools::LevelSetFilter) and meshed (tools::volumeToMesh). A resting pool's mesh holds its
// volume within 4% and is flat within a quarter of a radius (tests/surface_test.cpp).
//
// The OpenVDB code is a module of its own, libflume_surface_vdb.so (surface_vdb.cpp), that the
// first call of surface_meshes_available() or build_surface() loads with dlopen: OpenVDB and
// oneTBB would otherwise cost every flume-cli process ~150 M instructions in the dynamic linker
// at start-up, surfaces or not (surface_module.hpp says where it is looked for).
//
//   const SurfaceMesh mesh = build_surface(sim.fluid(), r, SurfaceOptions{});
//   write_ply("frame.ply", mesh);  // or write_obj
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <glm/glm.hpp>

namespace flume {

struct ParticleView;  // core/simulation.hpp

struct SurfaceOptions {
    double voxel = 0.5;    // the level set's voxel, in particle radii
    double sphere = 2.0;   // each particle's sphere, in particle radii
    double erosion = 0.6;  // how far the union of spheres is eroded, in particle radii
    int smoothing = 2;     // mean-curvature passes
};

struct SurfaceMesh {
    std::vector<glm::vec3> vertices;
    std::vector<glm::uvec3> triangles;  // counter-clockwise seen from outside the fluid
};

// Whether this build can make surfaces: built with FLUME_OPENVDB, and its module loads (the
// first call loads it; it stays loaded).
bool surface_meshes_available();

// Why not, when surface_meshes_available() is false: a build without OpenVDB, or the module's
// file and dlerror() for each place it was looked for. Empty when it is available.
std::string surface_unavailable_reason();

// The surface of a 3D fluid. Throws OutputError for a 2D view, or saying why not (as above) when
// surfaces are unavailable.
SurfaceMesh build_surface(const ParticleView& fluid, float particle_radius,
                          const SurfaceOptions& options);

// Binary little-endian PLY (vertices as float x y z, faces as uchar count + uint indices), and
// Wavefront OBJ. Throw OutputError naming the path.
void write_ply(const std::string& path, const SurfaceMesh& mesh);
void write_obj(const std::string& path, const SurfaceMesh& mesh);

}  // namespace flume
