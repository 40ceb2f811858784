// Moving obstacles: the prescribed paths (core/motion.hpp), their scene syntax and errors, and a
// paddle that stirs the fluid the way it turns.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/motion.hpp"
#include "core/scene.hpp"
#include "core/scene_library.hpp"
#include "core/simulation.hpp"
#include "core/worker_pool.hpp"

namespace flume {
namespace {

void expect_near(const glm::dvec3& a, const glm::dvec3& b, double tolerance = 1.0e-12) {
    EXPECT_NEAR(a.x, b.x, tolerance);
    EXPECT_NEAR(a.y, b.y, tolerance);
    EXPECT_NEAR(a.z, b.z, tolerance);
}

TEST(Motion, OscillatesAlongItsAxisGrowingOverTheRamp) {
    Motion m;
    m.type = MotionType::Oscillate;
    m.axis = {1.0, 0.0, 0.0};
    m.amplitude = 0.05;
    m.period = 2.0;
    expect_near(m.at(0.5).offset, {0.05, 0.0, 0.0});  // a quarter period: the full amplitude
    expect_near(m.at(1.0).offset, {0.0, 0.0, 0.0});
    m.ramp = 1.0;
    expect_near(m.at(0.5).offset, {0.025, 0.0, 0.0});  // half way up the ramp
    expect_near(m.at(2.5).offset, {0.05, 0.0, 0.0});
    EXPECT_NEAR(m.max_speed({0, 0, 0}, {1, 1, 1}), 0.05 * (3.14159265358979 + 1.0), 1.0e-9);
}

TEST(Motion, RotatesRightHandedAboutItsAxisThroughItsCentre) {
    Motion m;
    m.type = MotionType::Rotate;
    m.axis = {0.0, 1.0, 0.0};
    m.center = {1.0, 0.0, 1.0};
    m.rpm = 15.0;  // a quarter turn a second
    const Pose p = m.at(1.0);
    expect_near(p.apply({2.0, 0.5, 1.0}), {1.0, 0.5, 0.0});  // +x turns to -z about +y
    expect_near(p.unapply(p.apply({0.3, -0.2, 0.7})), {0.3, -0.2, 0.7});
    // The corner (2, *, 2) is sqrt(2) from the axis: 2 pi / 4 rad/s times that.
    EXPECT_NEAR(m.max_speed({1.0, 0.0, 1.0}, {2.0, 1.0, 2.0}),
                0.5 * 3.14159265358979 * std::sqrt(2.0), 1.0e-9);
}

TEST(Motion, KeyframesInterpolateAndHoldAtTheEnds) {
    Motion m;
    m.type = MotionType::Keyframes;
    m.axis = {0.0, 0.0, 1.0};
    m.keys = {{1.0, {0.0, 0.0, 0.0}, 0.0}, {3.0, {2.0, 0.0, 0.0}, 90.0}};
    expect_near(m.at(0.0).offset, {0.0, 0.0, 0.0});
    expect_near(m.at(2.0).offset, {1.0, 0.0, 0.0});
    expect_near(m.at(2.0).apply({1.0, 0.0, 0.0}), {1.0 + std::sqrt(0.5), std::sqrt(0.5), 0.0});
    expect_near(m.at(9.0).offset, {2.0, 0.0, 0.0});
    expect_near(m.at(9.0).apply({1.0, 0.0, 0.0}), {2.0, 1.0, 0.0});
}

std::string scene_with(const std::string& motion) {
    return R"({"dimension": 2, "domain": {"min": [0, 0], "max": [1, 1]},
               "fluid": [{"min": [0, 0], "max": [0.5, 0.5]}],
               "obstacles": [{"min": [0.7, 0], "max": [0.8, 1], "motion": )" +
           motion + "}]}";
}

TEST(Motion, ScenesNameWhatIsWrongWithAMotion) {
    auto refused = [](const std::string& motion, const std::string& text) {
        try {
            parse_scene(scene_with(motion), "wave.json");
            ADD_FAILURE() << "accepted " << motion;
        } catch (const SceneError& e) {
            EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
        }
    };
    refused(R"({"type": "wobble"})", "/obstacles/0/motion/type: expected \"oscillate\"");
    refused(R"({"type": "oscillate", "axis": [0, 0], "amplitude": 0.1, "period": 1})",
            "/obstacles/0/motion/axis: expected a non-zero direction");
    refused(R"({"type": "oscillate", "axis": [1, 0], "amplitude": 0.1, "period": 0})",
            "/obstacles/0/motion/period");
    refused(R"({"type": "rotate", "center": [0.5, 0.5], "rpm": 10, "axis": [0, 0, 1]})",
            "unknown key \"axis\"");  // 2D turns about z
    refused(R"({"type": "keyframes", "center": [0, 0], "keys": [{"time": 1}, {"time": 1}]})",
            "/obstacles/0/motion/keys/1/time: expected times in increasing order");
    // Paths no step can follow (they ended in NaN with advice about the time step).
    refused(R"({"type": "oscillate", "axis": [1, 0], "amplitude": 0.1, "period": 1e-300})",
            "/obstacles/0/motion/period: 1e-300 s is shorter than the smallest time step");
    refused(R"({"type": "keyframes", "center": [0, 0], "keys": [{"time": 0}, {"time": 1e-300}]})",
            "/obstacles/0/motion/keys/1/time: 1e-300 s after the key before it, less than the "
            "smallest time step");
    const Scene ok = parse_scene(
        scene_with(R"({"type": "rotate", "center": [0.75, 0.5], "rpm": -30})"), "ok.json");
    // A period of a few steps is followed too coarsely to show: a note says so.
    std::vector<std::string> notes;
    WorkerPool pool(1);
    Simulation::create(parse_scene(scene_with(R"({"type": "oscillate", "axis": [1, 0],
                                                "amplitude": 0.1, "period": 1e-5})"),
                                   "fast.json"),
                       pool, [&](std::string_view note) { notes.emplace_back(note); });
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("obstacle 0 oscillates with a period of 1e-05 s, under ten time steps"),
              std::string::npos)
        << notes[0];
    EXPECT_EQ(ok.obstacles[0].motion.type, MotionType::Rotate);
    try {
        parse_scene(R"({"dimension": 2, "domain": {"min": [0, 0], "max": [1, 1]},
                        "fluid": [{"min": [0, 0], "max": [0.5, 0.5], "motion": {}}]})",
                    "fluid.json");
        ADD_FAILURE() << "a fluid block took a motion";
    } catch (const SceneError& e) {
        EXPECT_NE(std::string(e.what()).find("/fluid/0/motion: unknown key"), std::string::npos);
    }
}

// A mesh obstacle follows its path as a box does (the README said so while meshes refused a
// motion): a cube swept through the water keeps it out of its solid at every step, and its
// samples are where its pose puts them.
TEST(MovingObstacles, AMeshFollowsItsPath) {
    const std::string cube =
        "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nv 0 0 1\nv 1 0 1\nv 0 1 1\n"
        "v 1 1 1\nf 1 3 4\nf 1 4 2\nf 5 6 8\nf 5 8 7\nf 1 2 6\nf 1 6 5\n"
        "f 3 7 8\nf 3 8 4\nf 1 5 7\nf 1 7 3\nf 2 4 8\nf 2 8 6\n";
    const Scene scene = parse_scene(
        R"({"dimension": 3, "particle_radius": 0.025, "solver": "dfsph",
            "domain": {"min": [0, 0, 0], "max": [1, 0.6, 0.5]},
            "fluid": [{"min": [0, 0, 0], "max": [1, 0.3, 0.5]}],
            "obstacles": [{"shape": "mesh", "file": "cube.obj", "scale": 0.2,
                           "translate": [0.2, 0.15, 0.15],
                           "motion": {"type": "keyframes", "axis": [0, 1, 0],
                                      "center": [0.3, 0.25, 0.25], "keys": [
                             {"time": 0, "position": [0, 0, 0]},
                             {"time": 0.5, "position": [0.4, 0, 0]}]}}]})",
        "moving-mesh.json", [&](const std::string&) { return cube; });
    WorkerPool pool(2);
    const auto sim = Simulation::create(scene, pool);
    while (sim->stats().time < 0.4) {
        sim->step();
        const double shift = 0.4 * sim->stats().time / 0.5;  // where the keys put it now
        const ParticleView v = sim->fluid();
        for (std::size_t i = 0; i < v.count; ++i) {
            const float* x = v.position + 3 * i;
            const bool inside = x[0] > 0.2 + shift + 1.0e-4 && x[0] < 0.4 + shift - 1.0e-4 &&
                                x[1] > 0.15 + 1.0e-4 && x[1] < 0.35 - 1.0e-4 &&
                                x[2] > 0.15 + 1.0e-4 && x[2] < 0.35 - 1.0e-4;
            ASSERT_FALSE(inside) << "particle " << v.id[i]
                                 << " in the cube at t = " << sim->stats().time;
        }
    }
    EXPECT_EQ(sim->stats().removed_particles, 0u);
    const glm::mat4 pose = sim->obstacle_transform(0);
    EXPECT_NEAR(pose[3][0], 0.4 * sim->stats().time / 0.5, 1.0e-5);
    // The samples moved with it: none is left where the cube started and has since gone.
    const ParticleView b = sim->boundary();
    std::size_t left_behind = 0;
    for (std::size_t i = 0; i < b.count; ++i) {
        const float* x = b.position + 3 * i;
        left_behind += x[0] > 0.22f && x[0] < 0.3f && x[1] > 0.17f && x[1] < 0.33f &&
                       x[2] > 0.17f && x[2] < 0.33f;
    }
    EXPECT_EQ(left_behind, 0u);
}

// The paddle of mixer-3d turns at +40 rpm about +y: after half a second the water turns with
// it (its angular momentum about the axis is positive and a fair share of the paddle's), and the
// paddle's samples are where its pose says.
TEST(MovingObstacles, APaddleStirsTheWaterTheWayItTurns) {
    WorkerPool pool(2);
    const auto sim = Simulation::create(load_scene("mixer-3d", {"particle_radius=0.025"}), pool);
    while (sim->stats().time < 0.5)
        sim->step();
    const ParticleView v = sim->fluid();
    double angular = 0.0, inertia = 0.0;
    for (std::size_t i = 0; i < v.count; ++i) {
        const double x = v.position[3 * i], z = v.position[3 * i + 2];
        const double vx = v.velocity[3 * i], vz = v.velocity[3 * i + 2];
        angular += z * vx - x * vz;  // (r x v) . y
        inertia += x * x + z * z;
    }
    const double omega = 40.0 * 2.0 * 3.14159265358979 / 60.0;
    // The fluid's mean angular velocity, against the paddle's.
    EXPECT_GT(angular / inertia, 0.05 * omega);
    EXPECT_LT(angular / inertia, omega);
    const glm::mat4 pose = sim->obstacle_transform(1);
    const glm::vec4 tip = pose * glm::vec4(0.28f, 0.3f, 0.0f, 1.0f);
    const double angle = omega * sim->stats().time;
    EXPECT_NEAR(tip.x, 0.28 * std::cos(angle), 1.0e-5);
    EXPECT_NEAR(tip.z, -0.28 * std::sin(angle), 1.0e-5);
    EXPECT_EQ(sim->stats().removed_particles, 0u);
}

}  // namespace
}  // namespace flume
