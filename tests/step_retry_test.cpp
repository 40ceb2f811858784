// A step whose pressure solve stops at its pass cap short of its tolerance is taken again from
// its start at half the time step with twice the passes; past the last retry the run stops with
// a named error and the state as the step found it (issue 28).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

std::vector<std::string> coarse(const char* solver, const char* cap) {
    return {"particle_radius=0.02", std::string("solver=") + solver,
            std::string("max_solver_iterations=") + cap};
}

TEST(StepRetry, ASolveAtItsCapIsRetriedCountedAndLoggedOnce) {
    for (const char* solver : {"pcisph", "dfsph", "pbf"}) {
        WorkerPool pool(2);
        std::vector<std::string> notes;
        const auto sim =
            Simulation::create(load_scene("dam-break-2d", coarse(solver, "3")), pool,
                               [&](std::string_view note) { notes.emplace_back(note); });
        double smallest_dt = 1.0, largest_dt = 0.0;
        for (int s = 0; s < tests::rounds(60, 30); ++s) {
            sim->step();
            smallest_dt = std::min(smallest_dt, sim->stats().dt);
            largest_dt = std::max(largest_dt, sim->stats().dt);
        }
        EXPECT_GT(sim->stats().step_retries, 0u) << solver;
        ASSERT_EQ(notes.size(), 1u) << solver;
        EXPECT_NE(notes[0].find("taken again at half the time step"), std::string::npos)
            << notes[0];
        // The retried steps are the short ones.
        EXPECT_LT(smallest_dt, 0.75 * largest_dt) << solver;
    }
}

TEST(StepRetry, WithoutRetriesNothingIsCounted) {
    WorkerPool pool(2);
    std::vector<std::string> notes;
    const auto sim = Simulation::create(load_scene("dam-break-2d", coarse("dfsph", "100")), pool,
                                        [&](std::string_view note) { notes.emplace_back(note); });
    for (int s = 0; s < 30; ++s)
        sim->step();
    EXPECT_EQ(sim->stats().step_retries, 0u);
    EXPECT_TRUE(notes.empty());
}

TEST(StepRetry, PastTheLastRetryTheRunStopsWithTheStateItHad) {
    for (const char* solver : {"pcisph", "dfsph", "pbf"}) {
        WorkerPool pool(2);
        std::vector<std::string> overrides = coarse(solver, "1");
        overrides.emplace_back("density_tolerance=1e-9");
        overrides.emplace_back("divergence_tolerance=1e-9");
        const auto failing = Simulation::create(load_scene("dam-break-2d", overrides), pool);
        const std::uint64_t hash = failing->state_hash();
        try {
            failing->step();
            ADD_FAILURE() << solver << ": a solve of 1 to 64 passes reached a tolerance of 1e-9";
        } catch (const SimulationError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("did not reach its tolerance"), std::string::npos) << what;
            EXPECT_NE(what.find(solver), std::string::npos) << what;
            EXPECT_NE(what.find("after 6 retries"), std::string::npos) << what;
            EXPECT_EQ(e.step(), 1u);
        }
        EXPECT_EQ(failing->state_hash(), hash) << solver;
        EXPECT_EQ(failing->stats().step, 0u);
        EXPECT_EQ(failing->stats().time, 0.0);

        // Nothing of the failed step is left: with the defaults back, the run goes on to the
        // bits of one that never failed (warm starts and statistics included).
        failing->set_parameter("max_solver_iterations", nlohmann::json(100));
        failing->set_parameter("density_tolerance", nlohmann::json(5.0e-4));
        failing->set_parameter("divergence_tolerance", nlohmann::json(1.0e-3));
        const auto fresh =
            Simulation::create(load_scene("dam-break-2d", coarse(solver, "100")), pool);
        for (int s = 0; s < 20; ++s) {
            failing->step();
            fresh->step();
        }
        EXPECT_EQ(failing->state_hash(), fresh->state_hash()) << solver;
        EXPECT_EQ(failing->stats().dt, fresh->stats().dt) << solver;
    }
}

}  // namespace
}  // namespace flume

namespace flume {
namespace {

// on_invalid = retry (issue 29): a step that leaves the fluid invalid is taken again from its
// start at half the time step. A brush pushed far too hard for one step (as a user drags one in
// the apps) stops a run that stops on invalid steps; one that retries takes that step in halves,
// logs each retry and goes on, for every solver.
TEST(StepRetry, AnInvalidStepIsTakenAgainInHalvesWithOnInvalidRetry) {
    for (const char* solver : {"wcsph", "pcisph", "dfsph", "pbf"}) {
        SCOPED_TRACE(solver);
        for (const char* mode : {"stop", "retry"}) {
            const Scene scene =
                load_scene("dam-break-2d", {"particle_radius=0.02", std::string("solver=") + solver,
                                            std::string("on_invalid=") + mode});
            WorkerPool pool(2);
            std::vector<std::string> log;
            const auto sim =
                Simulation::create(scene, pool, [&](std::string_view m) { log.emplace_back(m); });
            for (int s = 0; s < 20; ++s)
                sim->step();
            sim->set_brush(Brush{glm::vec3(0.3f, 0.3f, 0.0f), 0.2f, 1.0e6f});
            if (std::string(mode) == "stop") {
                EXPECT_THROW(sim->step(), SimulationError);
                continue;
            }
            const double dt_before = sim->stats().dt;
            sim->step();
            EXPECT_GT(sim->stats().step_retries, 0u);
            EXPECT_LT(sim->stats().dt, 0.5 * dt_before);
            std::string notes;
            for (const std::string& line : log)
                notes += line + "\n";
            EXPECT_NE(notes.find("on_invalid = retry: the step is taken again at half the "
                                 "time step"),
                      std::string::npos)
                << notes;
            sim->set_brush(std::nullopt);
            for (int s = 0; s < 20; ++s)
                sim->step();
            EXPECT_EQ(sim->stats().step, 41u);
        }
    }
}

}  // namespace
}  // namespace flume
