// Solver physics: conservation of momentum and walls that hold, for every solver.
#include <gtest/gtest.h>

#include <cmath>

#include "core/geometry/distance_field.hpp"
#include "core/scene.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

using tests::run_until;

// The hydrostatic tanks are validation cases (src/validation/validation.cpp), run per solver
// through `flume-cli validate` under the ctest label "validation".

TEST(Wcsph, ConservesMomentumWithoutWallsAndGravity) {
    // Two blocks flying into each other: only pairwise, antisymmetric forces act.
    const char* text = R"({
      "dimension": 2, "particle_radius": 0.01, "gravity": [0, 0], "domain_walls": false,
      "viscosity_model": "artificial", "viscosity": 0.1,
      "domain": {"min": [-2, -2], "max": [2, 2]},
      "fluid": [{"min": [-0.3, -0.1], "max": [-0.02, 0.1], "velocity": [1, 0.2]},
                {"min": [0.02, -0.15], "max": [0.2, 0.1], "velocity": [-1.5, 0]}]
    })";
    WorkerPool pool(2);
    const auto sim = Simulation::create(parse_scene(text, "momentum"), pool);
    const std::vector<double> before = tests::momentum(*sim);
    const double scale =
        static_cast<double>(sim->stats().fluid_particles) * sim->constants().particle_mass * 1.5;
    run_until(*sim, 0.15);
    const std::vector<double> after = tests::momentum(*sim);
    EXPECT_EQ(sim->stats().removed_particles, 0u);
    EXPECT_GT(sim->stats().step, 100u);
    for (int k = 0; k < 2; ++k) {
        EXPECT_NEAR(after[k], before[k], 1.0e-4 * scale) << "component " << k;
    }
    // The collision really happened: the blocks exchanged momentum.
    EXPECT_GT(sim->stats().max_density_error, 0.001);
}

void check_walls_hold(const std::string& name, const std::vector<std::string>& overrides,
                      double t) {
    WorkerPool pool(WorkerPool::hardware_threads());
    const Scene scene = load_scene(name, overrides);
    const auto sim = Simulation::create(scene, pool);
    const std::size_t n0 = sim->stats().fluid_particles;
    std::size_t corrections = 0;
    while (sim->stats().time < t) {
        sim->step();
        corrections += sim->stats().wall_corrections;
        ASSERT_EQ(sim->stats().removed_particles, 0u)
            << "a particle left the domain at step " << sim->stats().step;
    }
    std::printf("%s %s: %zu fluid particles, %llu steps to t = %.2f s, %zu wall corrections\n",
                name.c_str(), overrides.empty() ? "" : overrides[0].c_str(), n0,
                static_cast<unsigned long long>(sim->stats().step), sim->stats().time, corrections);
    const ParticleView v = sim->fluid();
    ASSERT_EQ(v.count, n0);
    for (std::size_t i = 0; i < v.count; ++i) {
        for (int k = 0; k < v.dimension; ++k) {
            const float x = v.position[i * v.dimension + k];
            ASSERT_GE(x, scene.domain_min[k]) << "particle " << v.id[i] << " axis " << k;
            ASSERT_LE(x, scene.domain_max[k]) << "particle " << v.id[i] << " axis " << k;
        }
    }
}

TEST(Wcsph, DamBreak2DStaysInTheBox) {
    check_walls_hold("dam-break-2d", {"particle_radius=0.02"}, 2.0);
    check_walls_hold("dam-break-2d", {}, 1.2);
}

TEST(Pcisph, DamBreak2DStaysInTheBox) {
    check_walls_hold("dam-break-2d", {"solver=pcisph"}, 1.0);
}

TEST(Dfsph, DamBreak2DStaysInTheBox) {
    check_walls_hold("dam-break-2d", {"solver=dfsph"}, 1.0);
}

TEST(Pbf, DamBreak2DStaysInTheBox) {
    check_walls_hold("dam-break-2d", {"solver=pbf", "viscosity_model=xsph"}, 1.0);
}

TEST(Incompressible, DamBreak3DStaysInTheBox) {
    for (const char* solver : {"pcisph", "dfsph", "pbf"}) {
        SCOPED_TRACE(solver);
        const std::string s = std::string("solver=") + solver;
        check_walls_hold("dam-break-3d", {"particle_radius=0.04", s}, 1.5);
        check_walls_hold("drop-3d", {"particle_radius=0.025", s}, 0.8);
    }
}

TEST(Wcsph, DamBreak3DStaysInTheBox) {
    check_walls_hold("dam-break-3d", {"particle_radius=0.04"}, 1.5);
    check_walls_hold("drop-3d", {"particle_radius=0.025"}, 0.8);
}

// A ball of water falls into a round container mesh (pour-3d, with no domain walls: what leaves
// the tank leaves the domain and is removed). After 2 s every particle is inside the mesh (or on
// it, where the last line of defence put it back).
TEST(MeshContainer, HoldsItsFluid) {
    for (const char* solver : {"wcsph", "dfsph"}) {
        SCOPED_TRACE(solver);
        const Scene scene =
            load_scene("pour-3d", {"particle_radius=0.0125", std::string("solver=") + solver});
        WorkerPool pool(2);
        const auto sim = Simulation::create(scene, pool);
        run_until(*sim, 2.0);
        EXPECT_EQ(sim->stats().removed_particles, 0u);
        // The tank's exact signed distance, through a field of its own.
        const MeshShape& tank = *scene.obstacles[0].mesh;
        const DistanceGrid grid = DistanceGrid::around(tank.lower, tank.upper, 0.025, 2);
        const DistanceField field(tank.mesh, grid, 0.075, pool);
        const ParticleView v = sim->fluid();
        std::size_t outside = 0;
        for (std::size_t i = 0; i < v.count; ++i) {
            const glm::dvec3 p(v.position[3 * i], v.position[3 * i + 1], v.position[3 * i + 2]);
            DistanceField::Nearest near;
            const double d = field.nearest(p, near) ? near.distance : field.distance(p);
            outside += d > 1.0e-6;  // put back on the surface: on it to float precision
        }
        EXPECT_EQ(outside, 0u) << "of " << v.count;
        EXPECT_GT(v.count, 800u);
    }
}

}  // namespace
}  // namespace flume
