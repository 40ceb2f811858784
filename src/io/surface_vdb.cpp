// libflume_surface_vdb.so: the fluid's surface with OpenVDB, loaded by flume_io on first use
// (surface_module.hpp), which looks up its one entry point, below.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <new>

#include <openvdb/openvdb.h>
#include <openvdb/tools/LevelSetFilter.h>
#include <openvdb/tools/ParticlesToLevelSet.h>
#include <openvdb/tools/VolumeToMesh.h>

#include "io/surface_module.hpp"

namespace flume {
namespace {

// The particles as ParticlesToLevelSet reads them: positions and one radius.
class ParticleList {
  public:
    using PosType = openvdb::Vec3R;
    ParticleList(const float* positions, std::size_t count, double radius)
        : positions_(positions), count_(count), radius_(radius) {}
    std::size_t size() const { return count_; }
    void getPos(std::size_t n, openvdb::Vec3R& xyz) const {
        const float* p = positions_ + 3 * n;
        xyz = openvdb::Vec3R(p[0], p[1], p[2]);
    }
    void getPosRad(std::size_t n, openvdb::Vec3R& xyz, openvdb::Real& radius) const {
        getPos(n, xyz);
        radius = radius_;
    }

  private:
    const float* positions_;
    std::size_t count_;
    double radius_;
};

void build(const float* positions, std::size_t count, float particle_radius,
           const SurfaceOptions& options, SurfaceMesh& mesh) {
    openvdb::initialize();
    const double r = particle_radius;
    const double voxel = options.voxel * r;
    // A band wide enough for the erosion by r and the smoothing.
    const double half_width = std::max(3.0, options.erosion * r / voxel + 3.0);
    openvdb::FloatGrid::Ptr grid = openvdb::createLevelSet<openvdb::FloatGrid>(voxel, half_width);
    if (count == 0) return;
    openvdb::tools::ParticlesToLevelSet<openvdb::FloatGrid> raster(*grid);
    raster.setRmin(1.0);
    raster.rasterizeSpheres(ParticleList(positions, count, options.sphere * r));
    raster.finalize(true);
    openvdb::tools::LevelSetFilter<openvdb::FloatGrid> filter(*grid);
    filter.offset(static_cast<float>(options.erosion * r));  // erodes: the surface moves in
    for (int pass = 0; pass < options.smoothing; ++pass)
        filter.meanCurvature();
    std::vector<openvdb::Vec3s> points;
    std::vector<openvdb::Vec3I> triangles;
    std::vector<openvdb::Vec4I> quads;
    openvdb::tools::volumeToMesh(*grid, points, triangles, quads, 0.0, 0.0);
    mesh.vertices.reserve(points.size());
    for (const openvdb::Vec3s& p : points)
        mesh.vertices.emplace_back(p.x(), p.y(), p.z());
    // OpenVDB's faces turn clockwise seen from outside: reversed here.
    for (const openvdb::Vec3I& t : triangles)
        mesh.triangles.emplace_back(t.x(), t.z(), t.y());
    for (const openvdb::Vec4I& q : quads) {
        mesh.triangles.emplace_back(q[0], q[2], q[1]);
        mesh.triangles.emplace_back(q[0], q[3], q[2]);
    }
}

}  // namespace
}  // namespace flume

extern "C" int FLUME_SURFACE_MODULE_ENTRY(const float* positions, std::size_t count,
                                          float particle_radius,
                                          const flume::SurfaceOptions* options,
                                          flume::SurfaceMesh* mesh, char* error,
                                          std::size_t error_size) noexcept {
    // Nothing thrown leaves the module: the entry point has C linkage.
    try {
        flume::build(positions, count, particle_radius, *options, *mesh);
        return flume::kSurfaceBuilt;
    } catch (const std::bad_alloc&) {
        return flume::kSurfaceOutOfMemory;
    } catch (const std::exception& e) {
        std::snprintf(error, error_size, "%s", e.what());
    } catch (...) {
        std::snprintf(error, error_size, "an unknown exception in OpenVDB");
    }
    return flume::kSurfaceFailed;
}
