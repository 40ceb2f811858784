#include "io/surface_mesh.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "io/output_file.hpp"

#if defined(FLUME_HAS_OPENVDB)
#include <openvdb/openvdb.h>
#include <openvdb/tools/LevelSetFilter.h>
#include <openvdb/tools/ParticlesToLevelSet.h>
#include <openvdb/tools/VolumeToMesh.h>
#endif

namespace flume {

#if defined(FLUME_HAS_OPENVDB)
namespace {

// The particles as ParticlesToLevelSet reads them: positions and one radius.
class ParticleList {
  public:
    using PosType = openvdb::Vec3R;
    ParticleList(const ParticleView& view, double radius) : view_(view), radius_(radius) {}
    std::size_t size() const { return view_.count; }
    void getPos(std::size_t n, openvdb::Vec3R& xyz) const {
        const float* p = view_.position + 3 * n;
        xyz = openvdb::Vec3R(p[0], p[1], p[2]);
    }
    void getPosRad(std::size_t n, openvdb::Vec3R& xyz, openvdb::Real& radius) const {
        getPos(n, xyz);
        radius = radius_;
    }

  private:
    const ParticleView& view_;
    double radius_;
};

}  // namespace
#endif

bool surface_meshes_available() {
#if defined(FLUME_HAS_OPENVDB)
    return true;
#else
    return false;
#endif
}

SurfaceMesh build_surface(const ParticleView& fluid, float particle_radius,
                          const SurfaceOptions& options) {
    if (fluid.dimension != 3) throw OutputError("surface meshes are of 3D fluids; this one is 2D");
#if defined(FLUME_HAS_OPENVDB)
    openvdb::initialize();
    const double r = particle_radius;
    const double voxel = options.voxel * r;
    // A band wide enough for the erosion by r and the smoothing.
    const double half_width = std::max(3.0, options.erosion * r / voxel + 3.0);
    openvdb::FloatGrid::Ptr grid = openvdb::createLevelSet<openvdb::FloatGrid>(voxel, half_width);
    SurfaceMesh mesh;
    if (fluid.count == 0) return mesh;
    openvdb::tools::ParticlesToLevelSet<openvdb::FloatGrid> raster(*grid);
    raster.setRmin(1.0);
    raster.rasterizeSpheres(ParticleList(fluid, options.sphere * r));
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
    return mesh;
#else
    (void)particle_radius;
    (void)options;
    throw OutputError(
        "this build makes no surface meshes: configure it with -DFLUME_OPENVDB=ON (the "
        "native-release preset does) and Debian's libopenvdb-dev");
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
