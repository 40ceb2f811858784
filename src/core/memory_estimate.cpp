#include "core/memory_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fstream>
#include <limits>

#if defined(__unix__) && !defined(__EMSCRIPTEN__)
#include <sys/resource.h>
#include <unistd.h>
#endif

#include "core/errors.hpp"
#include "core/flows/geometry.hpp"
#include "core/scene.hpp"
#include "core/sph/pair_gradients.hpp"

namespace flume {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// Bytes per particle of room, at a run's peak: the particle arrays, the step's start, the grid,
// the neighbour lists (about 30 neighbours in 2D, 60 in 3D) and a solver's state. Measured peaks
// are 130-200 B (2D) and 190-280 B (3D); these leave room for denser neighbourhoods.
constexpr double kFluidBytes2D = 256.0, kFluidBytes3D = 448.0;

// DFSPH's caches of pair gradients (sph/pair_gradients.hpp): per particle, and their most. Its
// measured peaks are 340 B (2D) and 790 B (3D) per particle, all included.
constexpr double kDfsphCacheBytes2D = 192.0, kDfsphCacheBytes3D = 576.0;
constexpr double kDfsphCacheMost = 2.0 * static_cast<double>(kPairGradientsMostBytes);

// Per boundary sample: position, volume, velocity, the grid's order, the wall pressure's terms
// (about 23 B measured), and a force probe's sums over the samples.
constexpr double kBoundaryBytes = 48.0, kForceProbeBytesPerSample = 32.0;

// A distance field's node: its value (float) and its nearest triangle (uint32); the mesh copied
// beside it: vertices (dvec3), triangles (u32vec3) and their normals (dvec3).
constexpr double kFieldNodeBytes = 8.0, kFieldVertexBytes = 24.0, kFieldTriangleBytes = 36.0;

// As the probe reader samples a gauge's line (sph/probes.hpp): every half radius, 2^16 at most.
constexpr double kGaugeSampleBytes = 8.0, kGaugeSamplesMost = 65536.0;

double fluid_room(const Scene& scene, double spacing) {
    if (!scene.params.is_auto("max_particles")) return scene.params.number("max_particles");
    double extra = 0.0;
    for (const EmitterDesc& e : scene.emitters) {
        const auto per_layer = emitter_layer(e, scene.dimension, spacing).size();
        extra += emitter_output(e, per_layer, spacing);
    }
    double domain = 1.0;
    for (int k = 0; k < scene.dimension; ++k)
        domain *= std::floor((scene.domain_max[k] - scene.domain_min[k]) / spacing);
    extra = std::min({extra, kAutoInflowRoom, domain});
    return std::min(estimate_fluid_particles(scene) + extra, kMaxFluidParticles);
}

// A mesh's or polygon's distance field (Simulation's build_field): one node per spacing over its
// bounding box, kBoundaryLayers more each side; a polygon's has two layers in z.
double field_bytes(const ShapeDesc& s, int dimension, double spacing) {
    if (s.shape != Shape::Mesh) return 0.0;
    const double nodes = distance_field_nodes(s, dimension, spacing) * (dimension == 2 ? 2.0 : 1.0);
    const TriangleMesh& mesh = s.mesh->mesh;
    return nodes * kFieldNodeBytes + static_cast<double>(mesh.vertices.size()) * kFieldVertexBytes +
           static_cast<double>(mesh.triangles.size()) * kFieldTriangleBytes;
}

#if defined(__unix__) && !defined(__EMSCRIPTEN__)
constexpr double kNoLimit = std::numeric_limits<double>::infinity();

// A number of bytes from a file such as /sys/fs/cgroup/memory.max ("max" or none: no limit).
double limit_in_file(const char* path) {
    std::ifstream in(path);
    double bytes = 0.0;
    if (in >> bytes && bytes > 0.0) return bytes;
    return kNoLimit;
}
#endif

// What this process may use: the physical memory, or less where a control group or an address
// space limit (ulimit -v) says so.
double machine_memory_bytes() {
#if defined(__EMSCRIPTEN__)
    return 2.0 * kGiB;
#elif defined(__unix__)
    double bytes = kNoLimit;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page > 0) bytes = static_cast<double>(pages) * static_cast<double>(page);
    bytes = std::min({bytes, limit_in_file("/sys/fs/cgroup/memory.max"),
                      limit_in_file("/sys/fs/cgroup/memory/memory.limit_in_bytes")});
    for (int resource : {RLIMIT_AS, RLIMIT_DATA}) {
        rlimit limit{};
        if (getrlimit(resource, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
            bytes = std::min(bytes, static_cast<double>(limit.rlim_cur));
    }
    return bytes == kNoLimit ? 8.0 * kGiB : bytes;
#else
    return 8.0 * kGiB;
#endif
}

}  // namespace

MemoryEstimate estimate_memory(const Scene& scene) {
    const int d = scene.dimension;
    const double spacing = 2.0 * scene.params.number("particle_radius");
    MemoryEstimate m;

    m.fluid_particles = fluid_room(scene, spacing);
    m.fluid = m.fluid_particles * (d == 2 ? kFluidBytes2D : kFluidBytes3D);
    if (scene.params.choice("solver") == "dfsph") {
        m.fluid += std::min(m.fluid_particles * (d == 2 ? kDfsphCacheBytes2D : kDfsphCacheBytes3D),
                            kDfsphCacheMost);
    }

    bool forces = false, gauges = false;
    for (const ProbeDesc& p : scene.probes) {
        forces = forces || p.type == ProbeType::Force;
        gauges = gauges || p.type == ProbeType::Gauge;
    }
    const BoundaryEstimate samples = estimate_boundary_samples(scene);
    double sample_count = samples.walls;
    for (double n : samples.obstacles)
        sample_count += n;
    for (double n : samples.bodies)
        sample_count += n;
    m.boundary = sample_count * (kBoundaryBytes + (forces ? kForceProbeBytesPerSample : 0.0));

    auto field = [&](const ShapeDesc& s, const std::string& path) {
        const double bytes = field_bytes(s, d, spacing);
        m.distance_fields += bytes;
        if (bytes > m.largest_field_bytes) {
            m.largest_field_bytes = bytes;
            m.largest_field = path;
        }
    };
    for (std::size_t i = 0; i < scene.fluid.size(); ++i)
        field(scene.fluid[i].region, "/fluid/" + std::to_string(i));
    for (std::size_t i = 0; i < scene.obstacles.size(); ++i)
        field(scene.obstacles[i], "/obstacles/" + std::to_string(i));
    for (std::size_t i = 0; i < scene.outlets.size(); ++i) {
        if (!scene.outlets[i].plane)
            field(scene.outlets[i].region, "/outlets/" + std::to_string(i));
    }
    for (std::size_t i = 0; i < scene.bodies.size(); ++i)
        field(scene.bodies[i].shape, "/bodies/" + std::to_string(i));

    if (gauges) {
        const double height = scene.domain_max[1] - scene.domain_min[1];
        const double r = scene.params.number("particle_radius");
        const double line =
            std::clamp(std::floor(height / (0.5 * r)) + 1.0, 2.0, kGaugeSamplesMost);
        for (const ProbeDesc& p : scene.probes) {
            if (p.type == ProbeType::Gauge) m.probes += line * kGaugeSampleBytes;
        }
    }
    return m;
}

double memory_limit_bytes(const Scene& scene) {
    if (scene.params.is_auto("memory_limit")) return 0.75 * machine_memory_bytes();
    return scene.params.number("memory_limit") * kGiB;
}

void check_memory(const Scene& scene) {
    const MemoryEstimate m = estimate_memory(scene);
    const double limit = memory_limit_bytes(scene);
    if (m.total() <= limit) return;

    struct Part {
        double bytes;
        std::string what, advice;
    };
    const std::string r = format_number(scene.params.number("particle_radius"));
    Part parts[] = {
        {m.fluid, "the fluid (room for about " + format_count(m.fluid_particles) + " particles)",
         scene.params.is_auto("max_particles")
             ? "a larger particle_radius (now " + r +
                   " m), smaller fluid blocks or emitters "
                   "that end"
             : "a smaller max_particles or a larger particle_radius (now " + r + " m)"},
        {m.boundary, "the boundary samples of the walls and obstacles",
         "a larger particle_radius (now " + r + " m) or smaller obstacles"},
        {m.distance_fields,
         "the distance fields of the meshes and polygons (the largest, " + m.largest_field + ", " +
             format_bytes(m.largest_field_bytes) + ")",
         "fewer or smaller meshes, or a larger particle_radius (now " + r + " m)"},
        {m.probes, "the gauges' lines",
         "fewer gauges or a larger particle_radius (now " + r + " m)"},
    };
    const Part& largest =
        *std::max_element(std::begin(parts), std::end(parts),
                          [](const Part& a, const Part& b) { return a.bytes < b.bytes; });
    const std::string limit_text =
        scene.params.is_auto("memory_limit")
            ? "auto: three quarters of the memory this process may use"
            : "memory_limit = " + format_number(scene.params.number("memory_limit")) + " GiB";
    throw SceneError(scene.source + ": the scene would need about " + format_bytes(m.total()) +
                     " of memory, more than its limit of " + format_bytes(limit) + " (" +
                     limit_text + "); most of it, " + format_bytes(largest.bytes) + ", for " +
                     largest.what + ": " + largest.advice +
                     " (or a higher memory_limit, in GiB, on a machine that has it)");
}

std::string format_bytes(double bytes) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1000.0 && u < 4) {
        bytes /= 1000.0;
        ++u;
    }
    char text[32];
    std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.3g %s", bytes, units[u]);
    return text;
}

}  // namespace flume
