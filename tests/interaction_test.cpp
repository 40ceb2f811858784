// What the apps do to a running simulation: the force brush and live parameter changes.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

// Runs the coarse 2D dam break with `brush` and returns, for the particles that started within
// `radius` of `c`, their mean distance from `c` and mean height.
std::pair<double, double> after_brush(const std::optional<Brush>& brush, glm::vec2 c, float radius,
                                      int steps) {
    WorkerPool pool(2);
    const auto sim = Simulation::create(load_scene("dam-break-2d", {"particle_radius=0.02"}), pool);
    std::vector<bool> inside(sim->stats().fluid_particles, false);
    {
        const ParticleView v = sim->fluid();
        for (std::size_t i = 0; i < v.count; ++i) {
            inside[v.id[i]] =
                glm::length(glm::vec2(v.position[2 * i], v.position[2 * i + 1]) - c) < radius;
        }
    }
    sim->set_brush(brush);
    for (int s = 0; s < steps; ++s)
        sim->step();
    const ParticleView v = sim->fluid();
    double distance = 0.0, height = 0.0;
    int count = 0;
    for (std::size_t i = 0; i < v.count; ++i) {
        if (!inside[v.id[i]]) continue;
        distance += glm::length(glm::vec2(v.position[2 * i], v.position[2 * i + 1]) - c);
        height += v.position[2 * i + 1];
        ++count;
    }
    EXPECT_GT(count, 10);
    return {distance / count, height / count};
}

TEST(Brush, PushesFluidAway) {
    const glm::vec2 c(0.75f, 0.75f);
    const double none = after_brush(std::nullopt, c, 0.3f, 150).first;
    const double push = after_brush(Brush{glm::vec3(c, 0.0f), 0.3f, 300.0f}, c, 0.3f, 150).first;
    std::printf("mean distance from the brush: none %.4f m, push %.4f m\n", none, push);
    EXPECT_GT(push, none + 0.01);
}

TEST(Brush, PullsTheSurfaceUp) {
    // Centred just above the column's top: pulling lifts the surface particles under it.
    const glm::vec2 c(0.75f, 1.6f);
    const double none = after_brush(std::nullopt, c, 0.3f, 150).second;
    const double pull = after_brush(Brush{glm::vec3(c, 0.0f), 0.3f, -300.0f}, c, 0.3f, 150).second;
    std::printf("mean height under the brush: none %.4f m, pull %.4f m\n", none, pull);
    EXPECT_GT(pull, none + 0.01);
}

TEST(LiveParameters, GravityChangesTheRunningSimulation) {
    WorkerPool pool(1);
    const auto sim = Simulation::create(load_scene("dam-break-2d", {"particle_radius=0.04"}), pool);
    sim->set_parameter("gravity", nlohmann::json::array({9.81, 0.0}));  // sideways, to the right
    for (int s = 0; s < 40; ++s)
        sim->step();
    const std::vector<double> p = tests::momentum(*sim);
    EXPECT_GT(p[0], 0.0);
    EXPECT_EQ(sim->scene().params.vector("gravity")[0], 9.81);
    sim->set_parameter("viscosity_model", "xsph");
    sim->step();
    EXPECT_EQ(sim->scene().params.choice("viscosity_model"), "xsph");
}

// Switching the solver takes over the running state: no reset (time, step count and particles
// carry on), and every solver keeps the breaking dam in the box from where the last one left it.
TEST(LiveParameters, SolverSwitchesOnTheRunningState) {
    WorkerPool pool(2);
    const auto sim = Simulation::create(load_scene("dam-break-2d", {"particle_radius=0.04"}), pool);
    const std::size_t particles = sim->stats().fluid_particles;
    for (const char* solver : {"dfsph", "pbf", "pcisph", "wcsph", "dfsph"}) {
        const double time = sim->stats().time;
        const std::uint64_t steps = sim->stats().step;
        sim->set_parameter("solver", solver);
        EXPECT_EQ(sim->scene().params.choice("solver"), solver);
        EXPECT_EQ(sim->stats().time, time) << "no reset when switching to " << solver;
        for (int s = 0; s < 60; ++s)
            sim->step();
        EXPECT_EQ(sim->stats().step, steps + 60);
        EXPECT_EQ(sim->stats().fluid_particles, particles) << solver;
        // Splashes reach about twice the free-fall speed sqrt(2 g 1.5 m) = 5.4 m/s in any solver.
        EXPECT_LT(sim->stats().max_speed, 3.0 * 5.4) << solver << " after the switch";
        EXPECT_LT(sim->stats().average_density_error, 0.03) << solver << " after the switch";
    }
    EXPECT_GT(sim->stats().time, 0.2);
}

TEST(LiveParameters, RefusesBadValuesAndParametersThatNeedAReset) {
    WorkerPool pool(1);
    const auto sim = Simulation::create(load_scene("dam-break-2d", {"particle_radius=0.04"}), pool);
    EXPECT_THROW(sim->set_parameter("particle_radius", 0.01), SceneError);  // applies on reset
    EXPECT_THROW(sim->set_parameter("viscosity", -1.0), SceneError);
    EXPECT_THROW(sim->set_parameter("gravity", nlohmann::json::array({0.0, 1.0, 2.0})), SceneError);
    EXPECT_THROW(sim->set_parameter("no_such_key", 1.0), SceneError);
    EXPECT_THROW(sim->set_parameter("solver", "sph9000"), SceneError);
    EXPECT_EQ(sim->scene().params.number("viscosity"), 0.02) << "a refused value changes nothing";
}

}  // namespace
}  // namespace flume
