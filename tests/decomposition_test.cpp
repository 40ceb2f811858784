// Runs split between ranks (core/decomposition/, issue 32), with ranks as threads of this
// process (local_ranks.hpp): every rank count gives the bits of one process, step by step.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/decomposition/decomposition.hpp"
#include "local_ranks.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

struct Trace {
    std::vector<std::uint64_t> hashes;  // state hash after each step
    std::uint64_t deep = 0;
    StepStats stats;
    std::uint64_t recuts = 0;
    std::vector<std::size_t> owned;
    std::vector<double> probes;      // a reading at the end, where the scene has probes
    std::vector<BodyStatus> bodies;  // at the end
};

Trace one_process(const Scene& scene, int steps) {
    WorkerPool pool(2);
    const auto sim = Simulation::create(scene, pool);
    Trace t;
    for (int s = 0; s < steps; ++s) {
        sim->step();
        t.hashes.push_back(sim->state_hash());
    }
    t.deep = sim->deep_hash();
    t.stats = sim->stats();
    t.bodies = sim->bodies();
    t.probes.resize(sim->probe_columns().size());
    if (!t.probes.empty()) sim->read_probes(t.probes);
    return t;
}

Trace split(const Scene& scene, int steps, int ranks) {
    tests::LocalGroup group(ranks);
    Trace t;
    group.run([&](Communicator& comm) {
        WorkerPool pool(1);
        const auto sim = Simulation::create(scene, pool, {}, &comm);
        std::vector<std::uint64_t> hashes;
        for (int s = 0; s < steps; ++s) {
            sim->step();
            hashes.push_back(sim->state_hash());
        }
        const std::uint64_t deep = sim->deep_hash();
        std::vector<double> probes(sim->probe_columns().size());
        if (!probes.empty()) sim->read_probes(probes);
        if (comm.rank() == 0) {
            t.probes = probes;
            t.hashes = hashes;
            t.deep = deep;
            t.stats = sim->stats();
            t.bodies = sim->bodies();
            ASSERT_TRUE(sim->rank_share().has_value()) << "the run was not split";
            t.recuts = sim->rank_share()->recuts;
            t.owned = sim->rank_share()->owned_by_rank;
        }
    });
    return t;
}

// `recuts`: the run is long enough for the fluid to unbalance the first cut (in the optimised
// builds: the sanitizers' shorter runs do not get that far).
// `one_out`: one process's trace.
void expect_same_as_one_process(const Scene& scene, int steps, std::vector<int> rank_counts,
                                bool recuts = true, Trace* one_out = nullptr) {
    const Trace one = one_process(scene, steps);
    if (one_out) *one_out = one;
    for (int ranks : rank_counts) {
        const Trace many = split(scene, steps, ranks);
        ASSERT_EQ(many.hashes.size(), one.hashes.size());
        for (std::size_t s = 0; s < one.hashes.size(); ++s) {
            ASSERT_EQ(many.hashes[s], one.hashes[s])
                << ranks << " ranks: the state differs from one process's after step " << s + 1;
        }
        EXPECT_EQ(many.deep, one.deep) << ranks << " ranks: the deep hash differs";
        // Bit for bit (a probe with no fluid near reads NaN).
        ASSERT_EQ(many.probes.size(), one.probes.size());
        if (!one.probes.empty()) {
            EXPECT_EQ(0, std::memcmp(many.probes.data(), one.probes.data(),
                                     one.probes.size() * sizeof(double)))
                << ranks << " ranks: the probes read otherwise";
        }
        ASSERT_EQ(many.bodies.size(), one.bodies.size());
        for (std::size_t k = 0; k < one.bodies.size(); ++k) {
            const BodyStatus& a = many.bodies[k];
            const BodyStatus& b = one.bodies[k];
            for (int c = 0; c < 3; ++c) {
                EXPECT_EQ(a.position[c], b.position[c]) << ranks << " ranks, body " << k;
                EXPECT_EQ(a.velocity[c], b.velocity[c]) << ranks << " ranks, body " << k;
                EXPECT_EQ(a.angular_velocity[c], b.angular_velocity[c]) << ranks << " ranks";
                EXPECT_EQ(a.force[c], b.force[c]) << ranks << " ranks, body " << k;
            }
        }
        EXPECT_EQ(many.stats.kinetic_energy, one.stats.kinetic_energy);
        EXPECT_EQ(many.stats.average_density_error, one.stats.average_density_error);
        EXPECT_EQ(many.stats.fluid_particles, one.stats.fluid_particles);
        EXPECT_EQ(many.stats.outlet_particles, one.stats.outlet_particles);
        EXPECT_EQ(many.stats.removed_particles, one.stats.removed_particles);
        EXPECT_EQ(many.stats.emitted_particles, one.stats.emitted_particles);
        EXPECT_EQ(many.stats.pressure_iterations, one.stats.pressure_iterations);
        // Every rank held a share, and the first cut was followed by re-cuts as the fluid moved.
        ASSERT_EQ(many.owned.size(), static_cast<std::size_t>(ranks));
        for (std::size_t n : many.owned)
            EXPECT_GT(n, 0u);
        if (recuts && !tests::kSanitized) {
            EXPECT_GT(many.recuts, 1u) << ranks << " ranks: no re-cut happened";
        }
    }
}

// Every solver, 2D: long enough for the fluid to move between ranks and for re-cuts.
TEST(Decomposition, WcsphIsTheSameOnEveryRankCount2D) {
    expect_same_as_one_process(load_scene("dam-break-2d", {"particle_radius=0.03", "solver=wcsph"}),
                               tests::rounds(600, 150), {2, 3});
}

TEST(Decomposition, PcisphIsTheSameOnEveryRankCount2D) {
    expect_same_as_one_process(
        load_scene("dam-break-2d", {"particle_radius=0.03", "solver=pcisph"}),
        tests::rounds(200, 60), {2, 3});
}

TEST(Decomposition, DfsphIsTheSameOnEveryRankCount2D) {
    expect_same_as_one_process(load_scene("dam-break-2d", {"particle_radius=0.03", "solver=dfsph"}),
                               tests::rounds(200, 60), {2, 3});
}

TEST(Decomposition, PbfIsTheSameOnEveryRankCount2D) {
    expect_same_as_one_process(load_scene("dam-break-2d", {"particle_radius=0.03", "solver=pbf"}),
                               tests::rounds(200, 60), {2, 3});
}

// Without neighbour lists (every loop scans the grid), with XSPH, and with steps taken again
// at half the time step (a pass cap of 4).
TEST(Decomposition, GridScansXsphAndRetriesAreTheSame2D) {
    expect_same_as_one_process(
        load_scene("dam-break-2d", {"particle_radius=0.03", "solver=dfsph", "neighbour_lists=false",
                                    "viscosity_model=xsph"}),
        tests::rounds(150, 40), {3});
    expect_same_as_one_process(load_scene("dam-break-2d", {"particle_radius=0.03", "solver=pcisph",
                                                           "max_solver_iterations=4"}),
                               tests::rounds(150, 40), {2});
}

// 3D: a column that falls (four ranks on few cells: thin ranges, halos over several ranks),
// and a still mesh obstacle.
TEST(Decomposition, IsTheSameOnEveryRankCount3D) {
    expect_same_as_one_process(load_scene("drop-3d", {"particle_radius=0.04", "solver=dfsph"}),
                               tests::rounds(60, 20), {2, 4}, false);
    expect_same_as_one_process(load_scene("ramp-3d", {"particle_radius=0.04", "solver=wcsph"}),
                               tests::rounds(100, 30), {3}, false);
}

// Moving obstacles (a piston, a paddle) and surface tension.
TEST(Decomposition, MovingObstaclesAndSurfaceTensionAreTheSame) {
    expect_same_as_one_process(load_scene("wave-tank-2d", {"particle_radius=0.03"}),
                               tests::rounds(150, 40), {3}, false);
    expect_same_as_one_process(load_scene("mixer-3d", {"particle_radius=0.04", "solver=wcsph"}),
                               tests::rounds(60, 20), {2}, false);
    expect_same_as_one_process(
        load_scene("dam-break-2d", {"particle_radius=0.03", "surface_tension_model=akinci"}),
        tests::rounds(150, 40), {2}, false);
}

// Outlets, and particles that leave the domain.
TEST(Decomposition, OutletsAndEscapesAreTheSame) {
    // A dam break whose water runs into an outlet on the right of the floor, and out of the
    // domain over a wall-less top.
    const Scene scene = parse_scene(R"({"dimension": 2, "solver": "wcsph", "particle_radius": 0.03,
        "domain": {"min": [0, 0], "max": [2, 1]},
        "fluid": [{"shape": "box", "min": [0, 0], "max": [0.6, 0.9]}],
        "outlets": [{"shape": "box", "min": [1.4, 0], "max": [2, 0.2]}]})",
                                    "outlet-test");
    Trace one;
    expect_same_as_one_process(scene, tests::rounds(1500, 300), {2, 3}, false, &one);
    if (!tests::kSanitized) {
        EXPECT_GT(one.stats.outlet_particles, 0u) << "no particle reached the outlet";
    }
}

// Emitters (a channel's inflow and its outlet, a fountain).
TEST(Decomposition, EmittersAreTheSame) {
    Trace one;
    expect_same_as_one_process(load_scene("channel-2d", {"particle_radius=0.03"}),
                               tests::rounds(300, 60), {2, 3}, false, &one);
    EXPECT_GT(one.stats.emitted_particles, 0u);
    expect_same_as_one_process(load_scene("fountain-2d", {"particle_radius=0.03"}),
                               tests::rounds(200, 60), {3}, false);
}

// Probes read the fluid gathered from every rank.
TEST(Decomposition, ProbesReadTheSame) {
    Trace one;
    expect_same_as_one_process(load_scene("dam-break-probes-3d", {"particle_radius=0.04"}),
                               tests::rounds(60, 20), {2, 3}, false, &one);
    ASSERT_FALSE(one.probes.empty());
    EXPECT_TRUE(std::any_of(one.probes.begin(), one.probes.end(), [](double v) {
        return std::isfinite(v) && v != 0.0;
    })) << "every probe read nothing";
}

// A state saved by three ranks resumes on two, on one and in a plain process to the same
// states as the run that went on.
TEST(Decomposition, AStateSavedByThreeRanksResumesOnAnyCount) {
    const Scene scene = load_scene("dam-break-2d", {"particle_radius=0.03", "solver=dfsph"});
    const int first = tests::rounds(60, 20), then = tests::rounds(60, 20);
    std::string saved;
    std::uint64_t saved_deep = 0;
    tests::LocalGroup three(3);
    three.run([&](Communicator& comm) {
        WorkerPool pool(1);
        const auto sim = Simulation::create(scene, pool, {}, &comm);
        for (int s = 0; s < first; ++s)
            sim->step();
        const std::string state = sim->save_state();
        const std::uint64_t deep = sim->deep_hash();
        if (comm.rank() == 0) {
            saved = state;
            saved_deep = deep;
        }
    });
    WorkerPool pool(2);
    const auto straight = Simulation::create(scene, pool);
    for (int s = 0; s < first; ++s)
        straight->step();
    ASSERT_EQ(saved_deep, straight->deep_hash()) << "three ranks saved another state";
    EXPECT_TRUE(saved == straight->save_state()) << "three ranks saved other bytes";
    for (int s = 0; s < then; ++s)
        straight->step();
    const std::uint64_t expected = straight->deep_hash();
    for (int ranks : {2, 1}) {
        tests::LocalGroup group(ranks);
        group.run([&](Communicator& comm) {
            WorkerPool own(1);
            const auto sim = Simulation::create(scene, own, {}, &comm);
            sim->restore_state(saved, "three ranks' state");
            for (int s = 0; s < then; ++s)
                sim->step();
            const std::uint64_t deep = sim->deep_hash();
            if (comm.rank() == 0) {
                EXPECT_EQ(deep, expected) << "resumed on " << ranks << " rank(s)";
            }
        });
    }
    const auto plain = Simulation::create(scene, pool);
    plain->restore_state(saved, "three ranks' state");
    for (int s = 0; s < then; ++s)
        plain->step();
    EXPECT_EQ(plain->deep_hash(), expected) << "resumed in a plain process";
}

// Rigid bodies: the owner of each body sample's cell computes its force, every rank takes every
// rank's forces and put-backs in one process's order, and the bodies move alike on every rank.
TEST(Decomposition, BodiesAreTheSame) {
    // A light box in the water, a tall post across the ranks' cuts (2D cuts fall between rows),
    // and a ball that falls in beside them.
    const std::string bodies_2d = R"({"dimension": 2, "particle_radius": 0.03,
        "domain": {"min": [0, 0], "max": [2, 1]},
        "fluid": [{"shape": "box", "min": [0, 0], "max": [2, 0.45]}],
        "bodies": [{"shape": "box", "min": [0.7, 0.3], "max": [1.3, 0.42], "density": 500,
                    "rotation": {"degrees": 10}},
                   {"shape": "box", "min": [0.3, 0.08], "max": [0.42, 0.6], "density": 700},
                   {"shape": "sphere", "center": [1.6, 0.55], "radius": 0.08, "density": 2000}]})";
    for (const char* solver : {"wcsph", "dfsph", "pbf", "pcisph"}) {
        SCOPED_TRACE(solver);
        Scene scene = parse_scene(bodies_2d, "bodies-2d");
        scene.apply_override(std::string("solver=") + solver);
        Trace one;
        expect_same_as_one_process(scene, tests::rounds(150, 40), {2, 3}, false, &one);
        ASSERT_EQ(one.bodies.size(), 3u);
        EXPECT_NE(one.bodies[0].force.y, 0.0) << "the water did not push the box";
    }
    const Scene scene_3d = parse_scene(R"({"dimension": 3, "solver": "dfsph",
        "particle_radius": 0.04, "domain": {"min": [0, 0, 0], "max": [1.2, 0.8, 0.6]},
        "fluid": [{"shape": "box", "min": [0, 0, 0], "max": [1.2, 0.4, 0.6]}],
        "bodies": [{"shape": "box", "min": [0.3, 0.32, 0.15], "max": [0.9, 0.48, 0.45],
                    "density": 500}]})",
                                       "bodies-3d");
    Trace one;
    expect_same_as_one_process(scene_3d, tests::rounds(60, 20), {2, 3}, false, &one);
    EXPECT_NE(one.bodies.at(0).force.y, 0.0) << "the water did not push the box";
}

}  // namespace
}  // namespace flume
