// A 2D polygon container ("invert": true) holds its fluid by its own wall pressure: the water
// falls into an irregular bowl, in a domain without walls, and stays inside it, put back on its
// surface by the last line of defence only rarely (which would keep the positions inside even
// with no wall pressure at all). Measured 2026-12 at r = 0.01: 0.0015 put-backs per particle and
// step, 8% of the particle-steps within 2r of the wall closer than r / 4 (as the funnel's
// polygons in physics_test.cpp); with no samples on a 2D container's shell (a mutation of
// sample_mesh_shell) 0.23 and 79%. The bounds lie between, 7x and 2.5x from today's figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/scene.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

// The distance to the polygon's outline, negative inside (even-odd).
double polygon_distance(const std::vector<glm::dvec2>& p, const glm::dvec2& q) {
    double d = 1.0e300;
    bool inside = false;
    for (std::size_t i = 0, j = p.size() - 1; i < p.size(); j = i++) {
        const glm::dvec2 a = p[j], b = p[i];
        const double h = std::clamp(glm::dot(q - a, b - a) / glm::dot(b - a, b - a), 0.0, 1.0);
        d = std::min(d, glm::length(q - a - h * (b - a)));
        if ((a.y > q.y) != (b.y > q.y) && q.x < a.x + (q.y - a.y) * (b.x - a.x) / (b.y - a.y))
            inside = !inside;
    }
    return inside ? -d : d;
}

TEST(PolygonContainers, HoldTheirFluidByTheirOwnPressure) {
    // A bowl with a slanted floor, its lowest corner off centre; the water drops 0.15 m into it
    // and runs down to the corner.
    const std::vector<glm::dvec2> bowl = {
        {0.1, 0.25}, {0.6, 0.05}, {0.9, 0.3}, {0.85, 0.95}, {0.15, 0.9}};
    std::string points;
    for (const glm::dvec2& p : bowl)
        points +=
            (points.empty() ? "[" : ", [") + std::to_string(p.x) + ", " + std::to_string(p.y) + "]";
    const Scene scene = parse_scene(R"({"dimension": 2, "particle_radius": 0.01,
        "solver": "dfsph", "domain_walls": false,
        "domain": {"min": [0, 0], "max": [1, 1]},
        "fluid": [{"min": [0.3, 0.45], "max": [0.7, 0.65]}],
        "obstacles": [{"shape": "polygon", "invert": true, "points": [)" +
                                        points + "]}]}",
                                    "bowl.json");
    WorkerPool pool(2);
    const auto sim = Simulation::create(scene, pool);
    const double r = sim->constants().particle_radius;
    const std::size_t n0 = sim->stats().fluid_particles;
    std::size_t corrections = 0, near = 0, on = 0;
    double lowest = 1.0;
    while (sim->stats().time < 1.0) {
        sim->step();
        corrections += sim->stats().wall_corrections;
        const ParticleView v = sim->fluid();
        for (std::size_t i = 0; i < v.count; ++i) {
            const double d = -polygon_distance(bowl, {v.position[2 * i], v.position[2 * i + 1]});
            near += d < 2.0 * r;
            on += d < 0.25 * r;
            lowest = std::min(lowest, static_cast<double>(v.position[2 * i + 1]));
        }
    }
    const double per_particle_step =
        static_cast<double>(corrections) /
        (static_cast<double>(sim->stats().step) * static_cast<double>(n0));
    std::printf(
        "polygon container: %zu particles, %llu steps to t = %.2f s, %zu put-backs (%.2g per "
        "particle-step); %zu particle-steps within 2r of the wall, %zu within r / 4\n",
        n0, static_cast<unsigned long long>(sim->stats().step), sim->stats().time, corrections,
        per_particle_step, near, on);
    EXPECT_EQ(sim->stats().removed_particles, 0u) << "fluid left the container and the domain";
    ASSERT_EQ(sim->stats().fluid_particles, n0);
    EXPECT_LT(lowest, 0.2) << "the water never reached the bowl's floor";
    ASSERT_GT(near, 1000u) << "the water never came near the wall";
    EXPECT_LT(per_particle_step, 0.01) << "the wall holds by the last line of defence";
    EXPECT_LT(static_cast<double>(on), 0.2 * static_cast<double>(near))
        << "the water presses onto the wall's surface";
    const ParticleView v = sim->fluid();
    for (std::size_t i = 0; i < v.count; ++i) {
        const double d = polygon_distance(bowl, {v.position[2 * i], v.position[2 * i + 1]});
        ASSERT_LE(d, 1.0e-6) << "particle " << v.id[i] << " is outside the container";
    }
}

}  // namespace
}  // namespace flume
