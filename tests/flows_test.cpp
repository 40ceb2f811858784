// Open flows: emitters make exact counts at exact times, outlets remove and count, the capacity
// stops the emitters, and every bad definition is named.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

// A 2D box of still water, 1 x 1 m, with `extra` members added at the top level.
std::string tank_2d(const std::string& extra, const std::string& solver = "wcsph") {
    return R"({"dimension": 2, "particle_radius": 0.02, "solver": ")" + solver + R"(",
               "domain": {"min": [0, 0], "max": [1, 1]},
               "fluid": [{"min": [0, 0], "max": [1, 0.2]}])" +
           extra + "}";
}

// A segment emitter of 5 particles (0.2 m at r = 0.02) shooting right at 1 m/s from 0.1 s to
// 0.4 s, above the water.
const std::string kEmitter2d = R"(, "emitters": [{"center": [0.02, 0.5], "direction": [1, 0],
    "width": 0.2, "velocity": 1, "start": 0.1, "end": 0.4}])";

std::string error_of(const std::string& text) {
    try {
        WorkerPool pool(1);
        Simulation::create(parse_scene(text, "test.json"), pool);
    } catch (const SceneError& e) {
        return e.what();
    }
    return "";
}

#define EXPECT_MENTIONS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

// The count after each step is per_layer (floor((t - start) v / 2r) + 1) at the time the step
// started, within the emitter's window; before it none, after it the count at its last step.
void check_exact_counts(const Scene& scene, std::size_t per_layer) {
    WorkerPool pool(2);
    const auto sim = Simulation::create(scene, pool);
    const EmitterDesc& e = scene.emitters.at(0);
    const double spacing = 2.0 * scene.params.number("particle_radius");
    ASSERT_EQ(sim->emitters().at(0).per_layer, per_layer);
    const std::size_t initial = sim->stats().fluid_particles;
    std::uint64_t expected = 0;
    bool started = false;
    while (sim->stats().time < e.end + 0.1) {
        const double t = sim->stats().time;
        if (t >= e.start && t < e.end) {
            expected = per_layer * static_cast<std::uint64_t>(
                                       std::floor((t - e.start) * e.velocity / spacing) + 1.0);
        }
        sim->step();
        if (!started && sim->emitters()[0].emitted > 0) {
            started = true;
            EXPECT_GE(t, e.start) << "emitted before its start";
            EXPECT_LT(t - sim->stats().dt, e.start) << "the first layer came a step late";
        }
        ASSERT_EQ(sim->emitters()[0].emitted, expected) << "at t = " << t;
        ASSERT_EQ(sim->stats().emitted_particles, expected);
        ASSERT_EQ(
            sim->stats().fluid_particles,
            initial + expected - sim->stats().removed_particles - sim->stats().outlet_particles);
    }
    EXPECT_GE(expected, 5 * per_layer);
}

class EveryFlowSolver : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryFlowSolver, EmitsAnExactCountBetweenItsStartAndEnd) {
    check_exact_counts(parse_scene(tank_2d(kEmitter2d, GetParam()), "test.json"), 5);
}

INSTANTIATE_TEST_SUITE_P(Flows, EveryFlowSolver,
                         ::testing::Values("wcsph", "pcisph", "dfsph", "pbf"));

TEST(Emitters, RectanglesAndDiscsIn3D) {
    const std::string base = R"({"dimension": 3, "particle_radius": 0.025, "solver": "dfsph",
        "domain": {"min": [0, 0, 0], "max": [1, 1, 1]}, "fluid": [],
        "emitters": [)";
    // A 0.3 x 0.15 rectangle: 6 x 3 points 5 cm apart.
    check_exact_counts(parse_scene(base + R"({"center": [0.5, 0.3, 0.5], "direction": [0, 1, 0],
        "width": 0.3, "height": 0.15, "velocity": 2, "end": 0.2}]})",
                                   "test.json"),
                       18);
    // A disc of radius 0.12: the lattice points strictly inside, |(i, j)| 5 cm < 12 cm: 21.
    check_exact_counts(parse_scene(base + R"({"shape": "disc", "center": [0.3, 0.5, 0.5],
        "direction": [1, 0, 0], "radius": 0.12, "velocity": 1.5, "start": 0.05, "end": 0.25}]})",
                                   "test.json"),
                       21);
}

TEST(Emitters, NewParticlesGetNewIdsInEmissionOrder) {
    WorkerPool pool(3);
    const auto sim = Simulation::create(parse_scene(tank_2d(kEmitter2d), "test.json"), pool);
    const std::size_t initial = sim->stats().fluid_particles;
    tests::run_until(*sim, 0.3);
    const ParticleView v = sim->fluid();
    std::vector<std::uint32_t> ids(v.id, v.id + v.count);
    std::sort(ids.begin(), ids.end());
    for (std::size_t i = 0; i < ids.size(); ++i)
        ASSERT_EQ(ids[i], i) << "ids are 0 to n - 1, each once";
    EXPECT_GT(ids.size(), initial);
}

// Submerged, the emitter pushes the water ahead of each new layer instead of landing on it: no
// new particle comes within half a spacing of another (the fluid blocks leave the inflow zone
// empty; without that the first layer lands on the pool's lattice, at distance 0).
TEST(Emitters, ASubmergedEmitterPushesTheWaterAhead) {
    for (const char* solver : {"wcsph", "dfsph"}) {
        const std::string scene = tank_2d(R"(, "emitters": [{"center": [0.5, 0.02],
            "direction": [0, 1], "width": 0.12, "velocity": 1.5}])",
                                          solver);
        WorkerPool pool(2);
        const auto sim = Simulation::create(parse_scene(scene, "test.json"), pool);
        const double spacing = 2.0 * sim->constants().particle_radius;
        double closest = 1.0;
        std::uint32_t first_new = static_cast<std::uint32_t>(sim->stats().fluid_particles);
        while (sim->stats().time < 0.6) {
            sim->step();
            const ParticleView v = sim->fluid();
            const auto next = static_cast<std::uint32_t>(v.count);  // no particle leaves
            for (std::size_t i = 0; i < v.count; ++i) {
                if (v.id[i] < first_new) continue;
                for (std::size_t j = 0; j < v.count; ++j) {
                    if (j == i) continue;
                    const double dx = v.position[2 * i] - v.position[2 * j];
                    const double dy = v.position[2 * i + 1] - v.position[2 * j + 1];
                    closest = std::min(closest, std::sqrt(dx * dx + dy * dy));
                }
            }
            first_new = next;
        }
        EXPECT_EQ(sim->stats().removed_particles, 0u);
        EXPECT_GE(sim->emitters()[0].emitted, 60u);
        EXPECT_GT(closest, 0.5 * spacing) << solver;
    }
}

// A moving emitter (a motion as obstacles have) lays each layer where its pose puts it, with the
// patch's own velocity added: a nozzle sweeping along the floor at 0.5 m/s (no gravity) makes a
// column of water that keeps up with it, rising at 1 m/s. The count is the same exact count.
TEST(Emitters, AMovingEmitterFollowsItsPath) {
    const std::string scene = R"({"dimension": 2, "particle_radius": 0.02, "solver": "dfsph",
        "gravity": [0, 0], "domain": {"min": [0, 0], "max": [2, 1]}, "fluid": [],
        "emitters": [{"center": [0.3, 0.02], "direction": [0, 1], "width": 0.12,
                      "velocity": 1, "end": 1.0,
                      "motion": {"type": "keyframes", "keys": [{"time": 0, "position": [0, 0]},
                                 {"time": 2, "position": [1, 0]}], "center": [0.3, 0.02]}}]})";
    check_exact_counts(parse_scene(scene, "test.json"), 3);
    WorkerPool pool(2);
    const auto sim = Simulation::create(parse_scene(scene, "test.json"), pool);
    tests::run_until(*sim, 0.8);
    const ParticleView v = sim->fluid();
    const double t = sim->stats().time;
    std::size_t checked = 0;
    for (std::size_t i = 0; i < v.count; ++i) {
        const double x = v.position[2 * i], y = v.position[2 * i + 1];
        EXPECT_NEAR(x, 0.3 + 0.5 * t, 0.08) << "particle " << v.id[i] << " at y = " << y;
        EXPECT_LE(y, 0.02 + 1.0 * t + 0.02) << "particle " << v.id[i];
        if (y < 0.1) {  // still in the inflow zone: carried at the nozzle's velocity plus its own
            EXPECT_NEAR(v.velocity[2 * i], 0.5, 1.0e-3);
            EXPECT_NEAR(v.velocity[2 * i + 1], 1.0, 1.0e-3);
            ++checked;
        }
    }
    EXPECT_GE(checked, 3u) << "a layer in the zone";
}

// Emitters that cannot work are refused at load (they ended in NaN with advice about the time
// step): one on the floor pointing down, two at the same place.
TEST(Emitters, PointingIntoAWallOrOnAnotherAreRefused) {
    const std::string down = error_of(
        tank_2d(R"(, "emitters": [{"center": [0.5, 0.01], "direction": [0, -1], "width": 0.2}])"));
    EXPECT_MENTIONS(down, "/emitters/0/direction: the emitter points into the domain's wall");
    const std::string twice = error_of(tank_2d(
        R"(, "emitters": [{"center": [0.3, 0.6], "direction": [1, 0], "width": 0.2},
                          {"center": [0.31, 0.6], "direction": [1, 0], "width": 0.2}])"));
    EXPECT_MENTIONS(twice, "/emitters/1: the emitter overlaps emitter 0");
    // Side by side, touching, is fine.
    EXPECT_EQ(error_of(tank_2d(
                  R"(, "emitters": [{"center": [0.3, 0.5], "direction": [1, 0], "width": 0.2},
                                    {"center": [0.3, 0.7], "direction": [1, 0], "width": 0.2}])")),
              "");
}

// Each particle records the emitter whose inflow zone it is in as a byte: emitter 256's
// particles were carried with emitter 0's velocity. More than 255 are refused by name.
TEST(Emitters, MoreThanAByteHoldsAreRefused) {
    std::string many = R"(, "emitters": [)";
    for (int k = 0; k < 256; ++k) {
        many += std::string(k ? "," : "") + R"({"center": [)" + std::to_string(0.002 + 0.0039 * k) +
                R"(, 0.9], "direction": [0, -1], "width": 0.002})";
    }
    many += "]";
    const std::string error = error_of(tank_2d(many));
    EXPECT_MENTIONS(error, "/emitters");
    EXPECT_MENTIONS(error, "at most 255 emitters, found 256");
}

TEST(Emitters, SwitchOffSlowToZeroAndRestartLive) {
    WorkerPool pool(2);
    Scene scene = parse_scene(tank_2d(kEmitter2d), "test.json");
    scene.emitters[0].end = 10.0;
    const auto sim = Simulation::create(scene, pool);
    tests::run_until(*sim, 0.2);
    const std::uint64_t at_02 = sim->emitters()[0].emitted;
    EXPECT_GT(at_02, 0u);
    sim->set_parameter("emitters/0/velocity", 0.0);
    tests::run_until(*sim, 0.3);
    EXPECT_EQ(sim->emitters()[0].emitted, at_02) << "at 0 m/s the next layer never falls due";
    EXPECT_FALSE(sim->stats().capacity_reached);
    sim->set_parameter("emitters/0/velocity", 2.0);
    tests::run_until(*sim, 0.4);
    const std::uint64_t at_04 = sim->emitters()[0].emitted;
    // 0.1 s at 2 m/s: 5 layers of 5 (one more when a step starts on the due time).
    EXPECT_GE(at_04 - at_02, 20u);
    EXPECT_LE(at_04 - at_02, 30u);
    sim->set_parameter("emitters/0/enabled", false);
    EXPECT_FALSE(sim->emitters()[0].enabled);
    tests::run_until(*sim, 0.5);
    EXPECT_EQ(sim->emitters()[0].emitted, at_04);
    EXPECT_FALSE(sim->emitters()[0].emitting);
    sim->set_parameter("emitters/0/enabled", true);
    sim->step();
    EXPECT_EQ(sim->emitters()[0].emitted, at_04 + 5) << "a restart owes the next layer at once";
    EXPECT_THROW(sim->set_parameter("emitters/1/velocity", 1.0), SceneError);
    EXPECT_THROW(sim->set_parameter("emitters/0/velocity", -1.0), SceneError);
    EXPECT_THROW(sim->set_parameter("emitters/0/width", 1.0), SceneError);
}

TEST(Emitters, SetOverridesTheirVelocityAndSwitch) {
    Scene scene = parse_scene(tank_2d(kEmitter2d), "test.json");
    const std::string velocity = "emitters/0/velocity=2.5", off = "emitters/0/enabled=false";
    scene.apply_overrides(std::vector<std::string>{velocity, off});
    EXPECT_EQ(scene.emitters[0].velocity, 2.5);
    EXPECT_FALSE(scene.emitters[0].enabled);
    auto error = [&](const std::string& assignment) {
        try {
            scene.apply_override(assignment);
        } catch (const SceneError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_MENTIONS(error("emitters/3/velocity=1"), "has 1 emitter(s)");
    EXPECT_MENTIONS(error("emitters/0/velocity=fast"), "expected a velocity in [0, 1000]");
    EXPECT_MENTIONS(error("emitters/0/enabled=1"), "expected true or false");
    EXPECT_MENTIONS(error("emitters/0/radius=1"), "\"velocity\" or \"enabled\"");
}

TEST(Outlets, RemoveWhatEntersAndCountItApartFromTheDomain) {
    // Water falls into a box outlet on the floor's right half and through a plane at x = 0.1.
    const std::string scene = R"({"dimension": 2, "particle_radius": 0.02,
        "domain": {"min": [0, 0], "max": [1, 1]},
        "fluid": [{"min": [0.1, 0.5], "max": [0.9, 0.7]}],
        "outlets": [{"min": [0.5, 0], "max": [1, 0.2]},
                    {"shape": "plane", "point": [0.15, 0], "normal": [-1, 0]}]})";
    WorkerPool pool(2);
    const auto sim = Simulation::create(parse_scene(scene, "test.json"), pool);
    const std::size_t initial = sim->stats().fluid_particles;
    ASSERT_EQ(sim->outlets().size(), 2u);
    EXPECT_EQ(sim->outlets()[0].name, "box");
    EXPECT_EQ(sim->outlets()[1].name, "plane");
    tests::run_until(*sim, 0.6);
    const std::uint64_t box = sim->outlets()[0].removed, plane = sim->outlets()[1].removed;
    EXPECT_GT(box, initial / 4);
    EXPECT_GT(plane, 0u);
    EXPECT_EQ(sim->stats().outlet_particles, box + plane);
    EXPECT_EQ(sim->stats().removed_particles, 0u) << "the domain's own removal is counted apart";
    EXPECT_EQ(sim->stats().fluid_particles, initial - box - plane);
    const ParticleView v = sim->fluid();
    for (std::size_t i = 0; i < v.count; ++i) {
        const float x = v.position[2 * i], y = v.position[2 * i + 1];
        ASSERT_FALSE(x > 0.5f && y < 0.2f) << "a particle stayed in the box outlet";
        ASSERT_GE(x, 0.15f) << "a particle stayed past the plane";
    }
}

TEST(Capacity, StopsTheEmittersWithAMessage) {
    Scene scene = parse_scene(tank_2d(kEmitter2d), "test.json");
    WorkerPool pool(2);
    const std::size_t initial = Simulation::create(scene, pool)->stats().fluid_particles;
    scene.apply_override("max_particles=" + std::to_string(initial + 22));
    std::vector<std::string> log;
    const auto sim =
        Simulation::create(scene, pool, [&](std::string_view m) { log.emplace_back(m); });
    EXPECT_EQ(sim->stats().capacity, initial + 22);
    tests::run_until(*sim, 0.5);
    EXPECT_TRUE(sim->stats().capacity_reached);
    EXPECT_EQ(sim->emitters()[0].emitted, 20u) << "whole layers of 5, as many as fit";
    EXPECT_FALSE(sim->emitters()[0].emitting);
    ASSERT_FALSE(log.empty());
    EXPECT_MENTIONS(log.back(), "the emitters stopped");
    EXPECT_MENTIONS(log.back(), "max_particles is " + std::to_string(initial + 22));

    // The automatic capacity: the fluid's particles and what the emitter makes by its end
    // (floor(0.3 s x 1 m/s / 0.04 m) + 1 = 8 layers of 5).
    const auto automatic = Simulation::create(parse_scene(tank_2d(kEmitter2d), "t.json"), pool);
    EXPECT_EQ(automatic->stats().capacity, initial + 40);
}

TEST(FlowErrors, AreNamed) {
    EXPECT_MENTIONS(error_of(tank_2d(R"(, "emitters": [{"center": [1.5, 0.5], "direction": [1, 0],
        "width": 0.2}])")),
                    "/emitters/0: the emitter reaches outside the domain");
    EXPECT_MENTIONS(error_of(tank_2d(R"(, "emitters": [{"center": [0.5, 0.5], "direction": [0, 0],
        "width": 0.2}])")),
                    "/emitters/0/direction: expected a non-zero direction");
    EXPECT_MENTIONS(error_of(tank_2d(R"(, "emitters": [{"center": [0.5, 0.5], "direction": [1, 0],
        "width": 0.01}])")),
                    "narrower than one particle spacing");
    EXPECT_MENTIONS(error_of(tank_2d(R"(, "emitters": [{"shape": "disc", "center": [0.5, 0.5],
        "direction": [1, 0], "radius": 0.1}])")),
                    "expected \"segment\" (a 2D scene)");
    EXPECT_MENTIONS(error_of(tank_2d(R"(, "emitters": [{"center": [0.5, 0.5], "direction": [1, 0],
        "width": 0.2, "start": 2, "end": 1}])")),
                    "/emitters/0/end: expected an end after the start");
    EXPECT_MENTIONS(error_of(tank_2d(R"(, "emitters": [{"center": [0.5, 0.5], "direction": [1, 0],
        "width": 0.2, "speed": 1}])")),
                    "unknown key \"speed\"");
    EXPECT_MENTIONS(error_of(tank_2d(R"(, "outlets": [{"min": [-1, 0], "max": [2, 0.5]}])")),
                    "/outlets/0: the box covers all");
    EXPECT_MENTIONS(error_of(tank_2d(R"(, "outlets": [{"shape": "plane", "point": [0, 0.5],
        "normal": [0, -1]}])")),
                    "/outlets/0: the plane covers all");
    EXPECT_MENTIONS(error_of(tank_2d(R"(, "outlets": [{"min": [2, 2], "max": [3, 3]}])")),
                    "/outlets/0: the box lies entirely outside the domain");
    EXPECT_MENTIONS(error_of(tank_2d(R"(, "outlets": [{"shape": "plane", "point": [0, 0.5],
        "normal": [0, 0]}])")),
                    "/outlets/0/normal: expected a non-zero direction");
    EXPECT_MENTIONS(error_of(tank_2d(R"(, "max_particles": 10)")),
                    "/max_particles: 10 is fewer than the");
    EXPECT_MENTIONS(error_of(R"({"dimension": 2, "domain": {"min": [0, 0], "max": [1, 1]},
        "fluid": []})"),
                    "expected at least one fluid block or emitter");
}

}  // namespace
}  // namespace flume
