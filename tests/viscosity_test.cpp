// The laminar viscosity of Morris et al. 1997 against the exact decay of a shear wave: a velocity
// u_x = A sin(k y) in a fluid at rest otherwise is an eigenmode of the viscous term, so with no
// gravity and no walls it decays as A exp(-nu k^2 t). Checked through both of the code paths that
// add viscosity (WCSPH's single force pass, and the separate non-pressure pass of the iterative
// solvers).
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "core/math/vec.hpp"
#include "core/scene.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

constexpr double kRadius = 0.01;      // particle spacing 0.02 m
constexpr double kHeight = 0.4;       // one wavelength: 20 particle rows
constexpr double kAmplitude = 0.005;  // m/s: rows slide by a tenth of their spacing
constexpr double kNu = 5.0e-3;        // m^2/s: nu k^2 = 1.23 / s
constexpr double kDuration = 0.4;     // s: the amplitude falls to 0.61
const double kWaveNumber = 2.0 * kPi / kHeight;

// A block 1 m wide and one wavelength high, built as one fluid block per particle row so that
// each row starts with u_x = A sin(k y) at its own height.
Scene shear_wave(const std::string& solver, const std::string& viscosity_model) {
    std::ostringstream json;
    json.precision(17);
    json << R"({ "name": "shear-wave", "dimension": 2, "particle_radius": )" << kRadius
         << R"(, "gravity": [0, 0], "speed_of_sound": 2, "domain_walls": false,
              "domain": { "min": [-2, -1], "max": [2, 1.4] }, "fluid": [)";
    const int rows = static_cast<int>(std::lround(kHeight / (2.0 * kRadius)));
    for (int row = 0; row < rows; ++row) {
        const double y0 = row * 2.0 * kRadius;
        const double u = kAmplitude * std::sin(kWaveNumber * (y0 + kRadius));
        // A hair more than a particle high, so that rounding leaves each row its one particle.
        json << (row ? "," : "") << R"({ "shape": "box", "min": [-0.5, )" << y0 - 1e-7
             << R"(], "max": [0.5, )" << y0 + 2.0 * kRadius + 1e-7 << R"(], "velocity": [)" << u
             << ", 0] }";
    }
    json << "] }";
    Scene scene = parse_scene(json.str(), "shear wave");
    scene.apply_override("solver=" + solver);
    scene.apply_override("viscosity_model=" + viscosity_model);
    scene.apply_override("kinematic_viscosity=" + std::to_string(kNu));
    return scene;
}

// The wave's amplitude now: the least-squares fit of u_x = A sin(k y) over the particles in the
// middle half of the block (away from its free ends and from the free surfaces at y = 0 and
// y = H). The flow is along x, so each particle stays at its height.
double amplitude(const Simulation& sim) {
    const ParticleView v = sim.fluid();
    double su = 0.0, ss = 0.0;
    for (std::size_t i = 0; i < v.count; ++i) {
        const double x = v.position[2 * i], y0 = v.position[2 * i + 1];
        if (std::abs(x) > 0.25 || y0 < 0.25 * kHeight || y0 > 0.75 * kHeight) continue;
        const double s = std::sin(kWaveNumber * y0);
        su += s * v.velocity[2 * i];
        ss += s * s;
    }
    return su / ss;
}

class ShearWave : public ::testing::TestWithParam<std::string> {};

TEST_P(ShearWave, MorrisViscosityDecaysItAtTheExactRate) {
    WorkerPool pool(2);
    const auto sim = Simulation::create(shear_wave(GetParam(), "morris"), pool);
    const double a0 = amplitude(*sim);
    ASSERT_NEAR(a0, kAmplitude, 1e-3 * kAmplitude);
    tests::run_until(*sim, kDuration);
    const double t = sim->stats().time;
    const double measured = -std::log(amplitude(*sim) / a0) / t;
    const double exact = kNu * kWaveNumber * kWaveNumber;
    std::printf("%s: decay rate %.4f / s, exact nu k^2 = %.4f / s (%+.1f%%), %llu steps\n",
                GetParam().c_str(), measured, exact, 100.0 * (measured / exact - 1.0),
                static_cast<unsigned long long>(sim->stats().step));
    EXPECT_NEAR(measured, exact, 0.1 * exact);
    EXPECT_EQ(sim->stats().removed_particles, 0u);
}

TEST_P(ShearWave, WithoutViscosityItKeepsItsAmplitude) {
    WorkerPool pool(2);
    const auto sim = Simulation::create(shear_wave(GetParam(), "none"), pool);
    const double a0 = amplitude(*sim);
    tests::run_until(*sim, kDuration);
    const double ratio = amplitude(*sim) / a0;
    std::printf("%s without viscosity: amplitude ratio %.4f after %.1f s\n", GetParam().c_str(),
                ratio, kDuration);
    EXPECT_GT(ratio, 0.98) << "the decay above must come from the viscosity";
}

TEST_P(ShearWave, MorrisViscosityConservesMomentum) {
    WorkerPool pool(2);
    const auto sim = Simulation::create(shear_wave(GetParam(), "morris"), pool);
    const std::vector<double> before = tests::momentum(*sim);
    tests::run_until(*sim, 0.5);
    const std::vector<double> after = tests::momentum(*sim);
    const double scale =
        sim->constants().particle_mass * static_cast<double>(sim->fluid().count) * kAmplitude;
    for (std::size_t k = 0; k < after.size(); ++k)
        EXPECT_LT(std::abs(after[k] - before[k]), 1e-4 * scale) << "component " << k;
}

std::string solver_name(const ::testing::TestParamInfo<std::string>& param) {
    return param.param;
}

INSTANTIATE_TEST_SUITE_P(Solvers, ShearWave, ::testing::Values("wcsph", "dfsph"), solver_name);

}  // namespace
}  // namespace flume
