// Once the particle count is stable, a simulation step allocates no heap memory. This program
// replaces the global operator new to count allocations, so it is a test program of its own.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "test_scenes.hpp"

namespace {
std::atomic<long> g_allocations{0};
std::atomic<bool> g_counting{false};
}  // namespace

// Out of line: inlined into their callers, GCC 12 takes free() on what malloc() returned for a
// mismatched new and delete (-Wmismatched-new-delete).
[[gnu::noinline]] void* operator new(std::size_t size) {
    if (g_counting.load(std::memory_order_relaxed))
        g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
    std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace flume {
namespace {

long allocations_in_steps(const Scene& scene, int threads, int warmup, int steps,
                          std::uint64_t* retries = nullptr) {
    WorkerPool pool(threads);
    const auto sim = Simulation::create(scene, pool);
    for (int s = 0; s < warmup; ++s)
        sim->step();
    g_allocations = 0;
    g_counting = true;
    for (int s = 0; s < steps; ++s)
        sim->step();
    g_counting = false;
    if (retries) *retries = sim->stats().step_retries;
    EXPECT_EQ(sim->stats().removed_particles, 0u) << "no particle may leave the domain";
    return g_allocations.load();
}

TEST(Allocations, NoneInsideAStepOnceWarm) {
    for (int threads : {1, 2, 4}) {
        EXPECT_EQ(allocations_in_steps(load_scene("dam-break-2d", {"particle_radius=0.02"}),
                                       threads, 5, 50),
                  0)
            << threads << " thread(s), 2D";
        EXPECT_EQ(
            allocations_in_steps(load_scene("drop-3d", {"particle_radius=0.04"}), threads, 5, 20),
            0)
            << threads << " thread(s), 3D";
        // Moving obstacles (their samples carried and sorted again each step) and meshes.
        EXPECT_EQ(allocations_in_steps(load_scene("wave-tank-2d", {"particle_radius=0.02"}),
                                       threads, 5, 20),
                  0)
            << threads << " thread(s), a piston";
        EXPECT_EQ(
            allocations_in_steps(load_scene("mixer-3d", {"particle_radius=0.04"}), threads, 5, 10),
            0)
            << threads << " thread(s), a paddle in a container mesh";
        // DFSPH keeps the step's pair gradients and wall weights for its passes.
        EXPECT_EQ(allocations_in_steps(
                      load_scene("dam-break-3d", {"particle_radius=0.05", "solver=dfsph"}), threads,
                      5, 20),
                  0)
            << threads << " thread(s), DFSPH in 3D";
    }
}

// Steps taken again from their start (a pass cap of 3 makes many): the saved state is copied
// back into arrays reserved at load.
TEST(Allocations, NoneInARetriedStep) {
    for (const char* solver : {"solver=dfsph", "solver=pcisph", "solver=pbf"}) {
        const Scene scene =
            load_scene("dam-break-2d", {"particle_radius=0.02", solver, "max_solver_iterations=3"});
        std::uint64_t retries = 0;
        EXPECT_EQ(allocations_in_steps(scene, 2, 5, tests::rounds(40, 20), &retries), 0) << solver;
        EXPECT_GT(retries, 0u) << solver << ": the steps above were retried";
    }
}

// Emitters and outlets: the particle count grows and shrinks within the capacity fixed at load.
TEST(Allocations, NoneWhileEmittersAndOutletsChangeTheCount) {
    for (int threads : {1, 3}) {
        WorkerPool pool(threads);
        const auto sim =
            Simulation::create(load_scene("fountain-2d", {"particle_radius=0.02"}), pool);
        for (int s = 0; s < 5; ++s)
            sim->step();
        const std::size_t before = sim->stats().fluid_particles;
        g_allocations = 0;
        g_counting = true;
        while (sim->stats().time < 1.5)
            sim->step();
        g_counting = false;
        EXPECT_EQ(g_allocations.load(), 0) << threads << " thread(s)";
        EXPECT_GT(sim->stats().fluid_particles, before + 100) << "the emitter added particles";
        EXPECT_GT(sim->stats().outlet_particles, 0u) << "the outlet removed particles";
    }
}

// Probes: a reading allocates nothing, nor does a step that carries the parts of the boundary
// samples along with a moving obstacle.
TEST(Allocations, NoneReadingProbes) {
    Scene piston = load_scene("wave-tank-2d", {"particle_radius=0.02"});
    ProbeDesc force{ProbeType::Force, "piston"};
    force.obstacle = 0;
    ProbeDesc wall{ProbeType::Force, "end wall"};
    wall.wall_axis = 0;
    wall.wall_upper = true;
    ProbeDesc point{ProbeType::Point, "P", glm::dvec3(1.0, 0.1, 0.0)};
    ProbeDesc gauge{ProbeType::Gauge, "H", glm::dvec3(1.0, 0.0, 0.0)};
    piston.probes = {force, wall, point, gauge};
    for (const Scene& scene :
         {piston, load_scene("dam-break-probes-3d", {"particle_radius=0.04"})}) {
        WorkerPool pool(2);
        const auto sim = Simulation::create(scene, pool);
        std::vector<double> values(sim->probe_columns().size());
        for (int s = 0; s < 5; ++s)
            sim->step();
        g_allocations = 0;
        g_counting = true;
        for (int s = 0; s < 10; ++s) {
            sim->step();
            sim->read_probes(values);
        }
        g_counting = false;
        EXPECT_EQ(g_allocations.load(), 0) << scene.name;
    }
}

TEST(Allocations, TheCounterSeesAllocations) {
    g_allocations = 0;
    g_counting = true;
    auto* p = new std::vector<int>(100);
    g_counting = false;
    delete p;
    EXPECT_GE(g_allocations.load(), 2);
}

}  // namespace
}  // namespace flume
