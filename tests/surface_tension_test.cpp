// Surface tension (Akinci et al. 2013): a square drop without gravity pulls itself round, and
// the force conserves momentum. Without it the square keeps its corners.
#include <gtest/gtest.h>

#include <cmath>

#include "core/math/vec.hpp"
#include "core/scene.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

// A 0.2 m square of 400 particles, at rest, no gravity, no walls near it.
Scene square_drop(const std::string& model, double gamma) {
    Scene scene = parse_scene(R"({
        "name": "square-drop", "dimension": 2, "particle_radius": 0.005, "gravity": [0, 0],
        "speed_of_sound": 20, "viscosity_model": "artificial", "viscosity": 0.05,
        "domain_walls": false,
        "domain": { "min": [-1, -1], "max": [1, 1] },
        "fluid": [{ "shape": "box", "min": [-0.1, -0.1], "max": [0.1, 0.1] }] })",
                              "square drop");
    scene.apply_override("surface_tension_model=" + model);
    scene.apply_override("surface_tension=" + std::to_string(gamma));
    return scene;
}

// The farthest particle from the centroid, over the radius of the circle of the same area:
// about 1.2 for the square (its corners), 1 for a disc.
double roundness(const Simulation& sim) {
    const ParticleView v = sim.fluid();
    double cx = 0.0, cy = 0.0;
    for (std::size_t i = 0; i < v.count; ++i)
        cx += v.position[2 * i], cy += v.position[2 * i + 1];
    cx /= static_cast<double>(v.count), cy /= static_cast<double>(v.count);
    double farthest = 0.0;
    for (std::size_t i = 0; i < v.count; ++i) {
        farthest =
            std::max(farthest, std::hypot(v.position[2 * i] - cx, v.position[2 * i + 1] - cy));
    }
    const double spacing = 2.0 * sim.constants().particle_radius;
    const double area = static_cast<double>(v.count) * spacing * spacing;
    return farthest / std::sqrt(area / kPi);
}

TEST(SurfaceTension, PullsASquareDropRound) {
    WorkerPool pool(2);
    const auto with = Simulation::create(square_drop("akinci", 0.5), pool);
    const auto without = Simulation::create(square_drop("none", 0.5), pool);
    const double start = roundness(*with);
    tests::run_until(*with, 0.5);
    tests::run_until(*without, 0.5);
    std::printf("roundness: start %.3f, after 0.5 s %.3f with surface tension, %.3f without\n",
                start, roundness(*with), roundness(*without));
    EXPECT_GT(start, 1.15);
    EXPECT_LT(roundness(*with), 1.05) << "the corners are pulled in";
    EXPECT_GT(roundness(*without), 1.15) << "without surface tension the square stays";
    EXPECT_EQ(with->stats().fluid_particles, 400u);
}

TEST(SurfaceTension, ConservesMomentum) {
    WorkerPool pool(2);
    const auto sim = Simulation::create(square_drop("akinci", 2.0), pool);
    tests::run_until(*sim, 0.2);
    ASSERT_GT(sim->stats().max_speed, 0.01) << "the drop must move for the check to mean anything";
    const std::vector<double> p = tests::momentum(*sim);
    // Scale: the mass times the largest speed.
    const double scale = sim->constants().particle_mass * 400.0 * sim->stats().max_speed;
    for (double component : p)
        EXPECT_LT(std::abs(component), 1e-4 * scale);
}

}  // namespace
}  // namespace flume
