// The simulation's state as one value (issue 29): saved and restored, a simulation steps on to
// the same bits as the one that saved it, for every solver, in 2D and 3D, with emitters, outlets
// and moving walls, restored under another thread count; the deep hash sees all of it; a state
// file that cannot be put back is refused by name and leaves the simulation as it was.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/scene.hpp"
#include "core/scene_library.hpp"
#include "core/simulation.hpp"
#include "core/state/state_file.hpp"
#include "core/worker_pool.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

struct Case {
    const char* scene;
    const char* radius;
    int steps;
};

// Emitters and outlets (fountain-2d, channel-3d), moving walls (wave-tank-2d, mixer-3d) and
// force probes on a box (dam-break-probes-3d).
constexpr Case kCases[] = {{"fountain-2d", "0.02", 40},
                           {"wave-tank-2d", "0.02", 40},
                           {"channel-3d", "0.04", 30},
                           {"mixer-3d", "0.04", 30},
                           {"dam-break-probes-3d", "0.04", 30}};

#define EXPECT_MENTIONS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

std::string what_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const StateError& e) {
        return e.what();
    }
    return "(no StateError)";
}

TEST(State, ARestoredSimulationStepsOnToTheSameBits) {
    for (const Case& c : kCases) {
        for (const char* solver : {"wcsph", "pcisph", "dfsph", "pbf"}) {
            SCOPED_TRACE(std::string(c.scene) + " " + solver);
            const Scene scene = load_scene(c.scene, {std::string("particle_radius=") + c.radius,
                                                     std::string("solver=") + solver});
            WorkerPool two(2), one(1);
            const auto a = Simulation::create(scene, two);
            for (int s = 0; s < c.steps; ++s)
                a->step();
            const std::string saved = a->save_state();
            const std::uint64_t deep = a->deep_hash();
            for (int s = 0; s < c.steps; ++s)
                a->step();

            const auto b = Simulation::create(scene, one);
            b->restore_state(saved, "saved");
            ASSERT_EQ(b->deep_hash(), deep);
            ASSERT_EQ(b->save_state(), saved);
            ASSERT_EQ(b->stats().step, static_cast<std::uint64_t>(c.steps));
            for (int s = 0; s < c.steps; ++s)
                b->step();
            EXPECT_EQ(b->state_hash(), a->state_hash());
            EXPECT_EQ(b->deep_hash(), a->deep_hash());
            EXPECT_EQ(b->stats().time, a->stats().time);
        }
    }
}

TEST(State, TheDeepHashSeesMoreThanPositionsAndVelocities) {
    const Scene scene = load_scene("fountain-2d", {"particle_radius=0.02", "solver=dfsph"});
    WorkerPool pool(2);
    const auto a = Simulation::create(scene, pool);
    for (int s = 0; s < 20; ++s)
        a->step();
    const std::uint64_t hash = a->state_hash(), deep = a->deep_hash();
    // An emitter's velocity changed live: the particles are as they were, the state is not.
    a->set_parameter("emitters/0/velocity", nlohmann::json(0.5));
    EXPECT_EQ(a->state_hash(), hash);
    EXPECT_NE(a->deep_hash(), deep);
}

TEST(State, LiveParametersTravelWithTheState) {
    const Scene scene = load_scene("dam-break-2d", {"particle_radius=0.04"});
    WorkerPool pool(2);
    const auto a = Simulation::create(scene, pool);
    for (int s = 0; s < 10; ++s)
        a->step();
    a->set_parameter("viscosity", nlohmann::json(0.05));
    a->set_parameter("solver", nlohmann::json("pcisph"));
    for (int s = 0; s < 10; ++s)
        a->step();
    const std::string saved = a->save_state();
    for (int s = 0; s < 10; ++s)
        a->step();
    const auto b = Simulation::create(scene, pool);
    b->restore_state(saved, "saved");
    EXPECT_EQ(b->scene().params.number("viscosity"), 0.05);
    EXPECT_EQ(b->scene().params.choice("solver"), "pcisph");
    for (int s = 0; s < 10; ++s)
        b->step();
    EXPECT_EQ(b->state_hash(), a->state_hash());
}

TEST(State, AFileThatCannotBePutBackIsRefusedByName) {
    const Scene scene = load_scene("fountain-2d", {"particle_radius=0.02"});
    WorkerPool pool(2);
    const auto a = Simulation::create(scene, pool);
    for (int s = 0; s < 10; ++s)
        a->step();
    const std::string saved = a->save_state();
    const auto b = Simulation::create(scene, pool);
    for (int s = 0; s < 3; ++s)
        b->step();
    const std::uint64_t before = b->deep_hash();
    auto restore = [&](const std::string& bytes) {
        return what_of([&] { b->restore_state(bytes, "s.flume-state"); });
    };

    EXPECT_MENTIONS(restore("{\"dimension\": 2}"), "s.flume-state: not a Flume state file");
    EXPECT_MENTIONS(restore(saved.substr(0, saved.size() - 100)), "truncated");
    std::string flipped = saved;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x10);
    EXPECT_MENTIONS(restore(flipped), "corrupted: its checksum does not match");
    std::string newer = saved;
    newer[8] = 9;  // the format version's low byte
    EXPECT_MENTIONS(restore(newer), "a state of format 9, newer than this build reads (1)");

    const Scene other = load_scene("fountain-2d", {"particle_radius=0.025"});
    const auto c = Simulation::create(other, pool);
    EXPECT_MENTIONS(what_of([&] { c->restore_state(saved, "s.flume-state"); }),
                    "saved from another scene");
    const Scene three_d = load_scene("channel-3d", {"particle_radius=0.04"});
    const auto d = Simulation::create(three_d, pool);
    EXPECT_MENTIONS(what_of([&] { d->restore_state(saved, "s.flume-state"); }),
                    "a 2D state; this scene is 3D");
    // Nothing of a refused state is kept.
    EXPECT_EQ(b->deep_hash(), before);
    b->restore_state(saved, "s.flume-state");
    EXPECT_EQ(b->deep_hash(), a->deep_hash());
}

// An emitter's progress in a state file that is finite but far out of range (found by the state
// fuzzer): the step converts it to layers without overflow and the emitter stops at the fluid's
// capacity, or makes nothing when the progress lies behind it. WCSPH: whether an iterative solve
// converges with a burst of particles up to the capacity is not what this checks.
TEST(State, AnEmitterProgressFarOutOfRangeIsSteppedSafely) {
    const Scene scene = load_scene("fountain-2d", {"particle_radius=0.02", "solver=wcsph"});
    WorkerPool pool(1);
    const auto sim = Simulation::create(scene, pool);
    for (int s = 0; s < 10; ++s)
        sim->step();
    const std::string saved = sim->save_state();
    const StateFile file = read_state_file(saved, "saved");
    const std::string payload(file.payload);
    // The section's tag and length, the emitter count, then two poses of 15 doubles each.
    const std::size_t base_at = payload.find("EMIT") + 4 + 8 + 8 + 2 * 15 * 8;
    ASSERT_LT(base_at + 16, payload.size());
    for (const double base : {1.0e78, -1.0e78, 1.0e300}) {
        SCOPED_TRACE(base);
        std::string edited = payload;
        std::memcpy(edited.data() + base_at, &base, sizeof base);
        sim->restore_state(write_state_file(file.header, edited), "edited");
        const std::uint64_t emitted = sim->stats().emitted_particles;
        try {
            sim->step();
        } catch (const SimulationError&) {
        }
        if (base > 0.0) {
            EXPECT_TRUE(sim->stats().capacity_reached);
        } else {
            EXPECT_EQ(sim->stats().emitted_particles, emitted);
        }
    }
}

// Every refused state leaves the simulation as it was (found by the state fuzzer: a moving-wall
// section of the wrong size left the boundary at its size, and the state before no longer fit
// when it was put back). Eight zero bytes are written at every fourth byte of a payload with every
// section (fluid, emitter, outlet, moving wall, body, probe parts); each edit is put back or
// refused, and a refusal keeps the simulation's bits.
TEST(State, EveryRefusedEditLeavesTheSimulationAsItWas) {
    const Scene scene = parse_scene(R"({
      "dimension": 2, "particle_radius": 0.05, "solver": "dfsph",
      "domain": {"min": [0, 0], "max": [1, 1]},
      "fluid": [{"min": [0, 0], "max": [0.4, 0.3]}],
      "emitters": [{"shape": "segment", "center": [0.2, 0.8], "direction": [0, -1],
                    "width": 0.2, "velocity": 1}],
      "outlets": [{"shape": "box", "min": [0.9, 0], "max": [1, 0.1]}],
      "obstacles": [{"shape": "box", "min": [0.6, 0], "max": [0.7, 0.2],
                     "motion": {"type": "oscillate", "axis": [1, 0], "amplitude": 0.05,
                                "period": 0.5}}],
      "bodies": [{"shape": "box", "min": [0.2, 0.4], "max": [0.3, 0.5], "density": 500}],
      "probes": [{"type": "force", "name": "box", "obstacle": 0}]
    })",
                                    "edits.json");
    WorkerPool pool(1);
    const auto sim = Simulation::create(scene, pool);
    for (int s = 0; s < 5; ++s)
        sim->step();
    const std::string saved = sim->save_state();
    const StateFile file = read_state_file(saved, "saved");
    const std::string payload(file.payload);
    const std::uint64_t before = sim->deep_hash();
    int refused = 0;
    for (std::size_t at = 0; at + 8 <= payload.size(); at += 4) {
        std::string edited = payload;
        std::memset(edited.data() + at, 0, 8);
        try {
            sim->restore_state(write_state_file(file.header, edited), "edited");
        } catch (const StateError&) {
            ++refused;
            ASSERT_EQ(sim->deep_hash(), before) << "refused at byte " << at;
            continue;
        }
        sim->restore_state(saved, "saved");
    }
    EXPECT_GT(refused, 0);
    sim->step();
}

}  // namespace
}  // namespace flume
