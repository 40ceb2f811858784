// Rigid bodies against Archimedes (issue 30), at resolutions too fine for the quick suites: a
// fixed submerged body's buoyancy, and 3D bodies' drafts. The 2D drafts of floating squares are
// the validation case `flume-cli validate archimedes`.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "core/errors.hpp"
#include "core/scene.hpp"
#include "core/scene_library.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

constexpr double kPi = 3.14159265358979323846;

// A scene from JSON text; the meshes it names are the built-in scenes' ("meshes/cube.obj").
Scene scene_from(const std::string& text) {
    return parse_scene(text, "bodies",
                       [](const std::string& name) -> std::string { return builtin_file(name); });
}

// A fixed 0.2 m square 0.4 m under water feels rho0 g V, time-averaged over a second, within 2%.
class SubmergedSquare : public ::testing::TestWithParam<const char*> {};

TEST_P(SubmergedSquare, FeelsRho0GV) {
    WorkerPool pool(2);
    auto sim = Simulation::create(scene_from(std::string(R"({
        "dimension": 2, "particle_radius": 0.01, "solver": ")") +
                                             GetParam() + R"(",
        "domain": {"min": [0, 0], "max": [1, 1]},
        "fluid": [{"shape": "box", "min": [0, 0], "max": [1, 0.8]}],
        "bodies": [{"shape": "box", "min": [0.4, 0.2], "max": [0.6, 0.4], "density": 500,
                    "fixed": true}]
    })"),
                                  pool);
    const double y = sim->bodies()[0].position.y;
    tests::run_until(*sim, 1.0);
    double sum = 0.0, weight = 0.0;
    while (sim->stats().time < 2.0) {
        sim->step();
        sum += sim->bodies()[0].force.y * sim->stats().dt;
        weight += sim->stats().dt;
        ASSERT_EQ(sim->bodies()[0].position.y, y);  // fixed
    }
    const double buoyancy = 1000.0 * 9.81 * 0.2 * 0.2;
    std::printf("%s: %.2f N/m against rho0 g V = %.2f N/m (%+.2f%%)\n", GetParam(), sum / weight,
                buoyancy, 100.0 * (sum / weight / buoyancy - 1.0));
    EXPECT_NEAR(sum / weight, buoyancy, 0.02 * buoyancy);
}

INSTANTIATE_TEST_SUITE_P(Solvers, SubmergedSquare, ::testing::Values("dfsph", "pcisph", "pbf"),
                         [](const auto& test) { return std::string(test.param); });

// The submerged depth d of a sphere of radius R whose cap pi d^2 (3R - d) / 3 holds `fraction`
// of its volume, by bisection.
double sphere_draft(double radius, double fraction) {
    double lo = 0.0, hi = 2.0 * radius;
    const double volume = 4.0 / 3.0 * kPi * radius * radius * radius;
    for (int i = 0; i < 60; ++i) {
        const double d = 0.5 * (lo + hi);
        (kPi * d * d * (3.0 * radius - d) / 3.0 < fraction * volume ? lo : hi) = d;
    }
    return 0.5 * (lo + hi);
}

// 3D, DFSPH: a cube of 0.5 rho0 (held upright: a cube of that density floats on an edge), a free
// sphere of 0.3 rho0 and a free mesh body float at their analytic drafts, time-averaged, within
// 5%.
TEST(Bodies3D, ACubeAndASphereFloatAtTheirDrafts) {
    WorkerPool pool(2);
    struct Case {
        const char* body;
        double density, half_height, draft;
    };
    const Case cases[] = {
        {R"({"shape": "box", "min": [0.2, 0.2, 0.2], "max": [0.4, 0.4, 0.4], "density": 500,
             "axes": ["x", "y", "z"]})",
         500.0, 0.1, 0.1},
        {R"({"shape": "sphere", "center": [0.3, 0.3, 0.3], "radius": 0.1, "density": 300})", 300.0,
         0.1, sphere_draft(0.1, 0.3)},
        // A mesh: the icosphere (symmetric about its centre) of 0.5 rho0 floats half under.
        {R"({"shape": "mesh", "file": "meshes/icosphere.obj", "scale": 0.14,
             "translate": [0.3, 0.34, 0.3], "density": 500})",
         500.0, 0.14, 0.14},
    };
    for (const Case& c : cases) {
        auto sim = Simulation::create(scene_from(std::string(R"({
            "dimension": 3, "particle_radius": 0.02, "solver": "dfsph",
            "domain": {"min": [0, 0, 0], "max": [0.6, 0.6, 0.6]},
            "fluid": [{"shape": "box", "min": [0, 0, 0], "max": [0.6, 0.3, 0.6]}],
            "bodies": [)") + c.body + "]}"),
                                      pool);
        const double spacing = 2.0 * sim->constants().particle_radius;
        const double volume = sim->bodies()[0].mass / c.density;
        double sum = 0.0, weight = 0.0;
        while (sim->stats().time < 2.5) {
            sim->step();
            if (sim->stats().time < 1.0) continue;
            const double fluid = static_cast<double>(sim->stats().fluid_particles) * spacing *
                                 spacing * spacing / (1.0 + sim->stats().average_density_error);
            const double level = (fluid + volume * c.density / 1000.0) / (0.6 * 0.6);
            const double bottom = sim->bodies()[0].position.y - c.half_height;
            sum += (level - bottom) * sim->stats().dt;
            weight += sim->stats().dt;
        }
        std::printf("%s: draft %.4f m, analytic %.4f m (%+.1f%%)\n", c.body, sum / weight, c.draft,
                    100.0 * (sum / weight / c.draft - 1.0));
        EXPECT_NEAR(sum / weight, c.draft, 0.05 * c.draft) << c.body;
    }
}

// Stability from the metacentric height GM = I_waterplane / V_submerged - BG: a long box of
// 0.5 rho0 (0.4 x 0.1 x 0.2 m: GM = 0.2^2 / (12 * 0.05) - 0.025 > 0 about its long axis) let go
// 8 degrees off flat rights itself; a cube of 0.5 rho0 (GM = 0.2^2 / (12 * 0.1) - 0.05 < 0)
// let go 5 degrees off flat turns over.
TEST(Bodies3D, ALongBoxFloatsFlatACubeTurnsOver) {
    WorkerPool pool(2);
    auto tilt_after = [&](const std::string& body, double until) {
        auto sim = Simulation::create(scene_from(R"({
            "dimension": 3, "particle_radius": 0.02, "solver": "dfsph",
            "domain": {"min": [0, 0, 0], "max": [0.8, 0.7, 0.8]},
            "fluid": [{"shape": "box", "min": [0, 0, 0], "max": [0.8, 0.35, 0.8]}],
            "bodies": [)" + body + "]}"),
                                      pool);
        tests::run_until(*sim, until);
        const glm::dvec4 q = sim->bodies()[0].orientation;      // w, x, y, z
        const double up = 1.0 - 2.0 * (q.y * q.y + q.w * q.w);  // the body's y axis, along y
        return std::acos(std::min(1.0, std::abs(up))) * 180.0 / kPi;
    };
    const double box = tilt_after(R"({"shape": "box", "min": [0.2, 0.33, 0.3],
        "max": [0.6, 0.43, 0.5], "density": 500, "rotation": {"axis": [1, 0, 0], "degrees": 8}})",
                                  2.5);
    const double cube = tilt_after(R"({"shape": "box", "min": [0.3, 0.25, 0.3],
        "max": [0.5, 0.45, 0.5], "density": 500, "rotation": {"axis": [1, 0, 0], "degrees": 5}})",
                                   1.5);
    std::printf("long box: %.1f degrees off flat; cube: %.1f degrees\n", box, cube);
    EXPECT_LT(box, 2.0);
    EXPECT_GT(cube, 20.0);
}

}  // namespace
}  // namespace flume
