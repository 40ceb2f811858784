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

// Gravity by its magnitude: a blob with no walls (internal forces cancel) falls with exactly
// the acceleration set while it runs, in the direction set.
TEST(LiveParameters, GravityChangesTheRunningSimulation) {
    WorkerPool pool(1);
    const auto sim = Simulation::create(parse_scene(R"({
      "dimension": 2, "particle_radius": 0.02, "gravity": [0, 0], "domain_walls": false,
      "domain": {"min": [-5, -5], "max": [5, 5]}, "fluid": [{"min": [-0.2, -0.2], "max": [0.2, 0.2]}]
    })",
                                                    "blob"),
                                        pool);
    for (int s = 0; s < 5; ++s)
        sim->step();
    const double mass =
        sim->constants().particle_mass * static_cast<double>(sim->stats().fluid_particles);
    const std::vector<double> before = tests::momentum(*sim);
    const double t0 = sim->stats().time;
    sim->set_parameter("gravity", nlohmann::json::array({3.0, -4.0}));
    for (int s = 0; s < 30; ++s)
        sim->step();
    const std::vector<double> after = tests::momentum(*sim);
    const double t = sim->stats().time - t0;
    EXPECT_NEAR((after[0] - before[0]) / mass, 3.0 * t, 1.0e-4 * 5.0 * t);
    EXPECT_NEAR((after[1] - before[1]) / mass, -4.0 * t, 1.0e-4 * 5.0 * t);
}

// XSPH by its effect: switched on live, it smooths the velocities of the breaking dam, which
// then keeps less kinetic energy than the same run left without it.
TEST(LiveParameters, XsphSwitchedOnSmoothsTheRunningFlow) {
    WorkerPool pool(1);
    const Scene scene =
        load_scene("dam-break-2d", {"particle_radius=0.04", "viscosity_model=none"});
    const auto plain = Simulation::create(scene, pool);
    const auto smoothed = Simulation::create(scene, pool);
    for (int s = 0; s < 100; ++s) {
        plain->step();
        smoothed->step();
    }
    ASSERT_EQ(plain->state_hash(), smoothed->state_hash());
    smoothed->set_parameter("viscosity", 0.5);
    smoothed->set_parameter("viscosity_model", "xsph");
    EXPECT_EQ(smoothed->scene().params.choice("viscosity_model"), "xsph");
    double plain_energy = 0.0, smoothed_energy = 0.0;
    for (int s = 0; s < 100; ++s) {
        plain->step();
        smoothed->step();
        plain_energy += plain->stats().kinetic_energy;
        smoothed_energy += smoothed->stats().kinetic_energy;
    }
    EXPECT_NE(plain->state_hash(), smoothed->state_hash());
    EXPECT_LT(smoothed_energy, 0.95 * plain_energy);
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
        // The new solver is the one that steps: its own stages and passes, not the last one's.
        const StepStats& st = sim->stats();
        auto ran = [&](std::string_view stage) {
            for (std::size_t k = 0; k < st.stage_count; ++k) {
                if (st.stages[k].name == stage) return true;
            }
            return false;
        };
        const std::string name = solver;
        EXPECT_EQ(ran("wall pressure"), name == "wcsph") << solver;
        EXPECT_EQ(ran("constraint solve"), name == "pbf") << solver;
        EXPECT_EQ(ran("divergence solve"), name == "dfsph") << solver;
        EXPECT_EQ(ran("pressure solve"), name == "pcisph" || name == "dfsph") << solver;
        EXPECT_EQ(st.pressure_iterations > 0, name != "wcsph") << solver;
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
