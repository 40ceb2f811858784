// Rigid bodies two-way coupled with the fluid (issue 30): mass properties, the draft Archimedes
// predicts, determinism across thread counts, save and restore.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <glm/gtc/quaternion.hpp>
#include <nlohmann/json.hpp>

#include "core/bodies/mass_properties.hpp"
#include "core/errors.hpp"
#include "core/geometry/triangle_mesh.hpp"
#include "core/math/portable.hpp"
#include "core/scene.hpp"
#include "core/scene_library.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

// A scene from JSON text; the meshes it names are the built-in scenes' ("meshes/cube.obj").
Scene scene_from(const std::string& text) {
    return parse_scene(text, "bodies",
                       [](const std::string& name) -> std::string { return builtin_file(name); });
}

// A 2D tank 1 m wide, water `depth` deep, a square of side `side` and `density` floating in it.
std::string floating_square(double radius, double density, const char* solver, double side = 0.2,
                            double depth = 0.5) {
    char text[1024];
    std::snprintf(text, sizeof text, R"({
        "dimension": 2, "particle_radius": %g, "solver": "%s",
        "domain": {"min": [0, 0], "max": [1, 1]},
        "fluid": [{"shape": "box", "min": [0, 0], "max": [1, %g]}],
        "bodies": [{"shape": "box", "min": [%g, %g], "max": [%g, %g], "density": %g,
                    "axes": ["x", "y"]}]
    })",
                  radius, solver, depth, 0.5 - side / 2, depth - side / 2, 0.5 + side / 2,
                  depth + side / 2, density);
    return text;
}

// The square's draft, averaged over every step in [from, to], and the draft Archimedes predicts
// for the fluid's area (its particles' count times the lattice cell) in the 1 m wide tank.
struct Draft {
    double measured = 0.0, expected = 0.0, drift = 0.0;  // drift: largest sideways offset, m
};

Draft measure_draft(Simulation& sim, double side, double from, double to) {
    const double rho0 = sim.constants().rest_density;
    const BodyStatus& b = sim.bodies()[0];
    const double ratio = b.mass / (side * side) / rho0;
    const double x0 = b.position.x;
    double sum = 0.0, weight = 0.0, drift = 0.0;
    while (sim.stats().time < to) {
        sim.step();
        if (sim.stats().time < from) continue;
        const double spacing = 2.0 * sim.constants().particle_radius;
        const double area = static_cast<double>(sim.stats().fluid_particles) * spacing * spacing;
        const double draft = ratio * side;
        const double level = area + side * draft;  // the water level in a 1 m wide tank
        const double bottom = b.position.y - 0.5 * side;
        const double dt = sim.stats().dt;
        sum += (level - bottom) * dt;
        weight += dt;
        drift = std::max(drift, std::abs(b.position.x - x0));
    }
    return {sum / weight, ratio * side, drift};
}

// A 2D scene with two free bodies that fall, turn, hit the floor and a wall, and each other's
// wake: what the determinism and state tests run.
const char* const kTwoBodies = R"({
    "dimension": 2, "particle_radius": 0.02, "solver": "dfsph",
    "domain": {"min": [0, 0], "max": [1, 1]},
    "fluid": [{"shape": "box", "min": [0, 0], "max": [1, 0.4]}],
    "bodies": [{"shape": "box", "min": [0.1, 0.6], "max": [0.4, 0.7], "density": 600,
                "rotation": {"degrees": 20}, "angular_velocity": 2},
               {"shape": "sphere", "center": [0.75, 0.7], "radius": 0.08, "density": 1500,
                "velocity": [0.5, 0]}]
})";

TEST(Bodies, MassFromTheShapeOrGiven) {
    WorkerPool pool(1);
    const auto sim = Simulation::create(scene_from(kTwoBodies), pool);
    ASSERT_EQ(sim->bodies().size(), 2u);
    EXPECT_NEAR(sim->bodies()[0].mass, 600.0 * 0.3 * 0.1, 1e-9);
    EXPECT_NEAR(sim->bodies()[1].mass, 1500.0 * 3.14159265358979 * 0.08 * 0.08, 1e-9);
    EXPECT_NEAR(sim->bodies()[0].position.x, 0.25, 1e-12);  // the centre of mass
    EXPECT_NEAR(sim->bodies()[0].position.y, 0.65, 1e-12);

    Scene three = scene_from(R"({
        "dimension": 3, "particle_radius": 0.05,
        "domain": {"min": [0, 0, 0], "max": [1, 1, 1]},
        "fluid": [{"shape": "box", "min": [0, 0, 0], "max": [1, 0.3, 1]}],
        "bodies": [{"shape": "sphere", "center": [0.5, 0.6, 0.5], "radius": 0.1, "density": 800},
                   {"shape": "box", "min": [0.1, 0.5, 0.1], "max": [0.3, 0.6, 0.2], "mass": 2.5}]
    })");
    const auto sim3 = Simulation::create(three, pool);
    EXPECT_NEAR(sim3->bodies()[0].mass, 800.0 * 4.0 / 3.0 * 3.14159265358979 * 1e-3, 1e-9);
    EXPECT_EQ(sim3->bodies()[1].mass, 2.5);
}

// A polygon body (2D): its area, centroid and moment of inertia are the exact polygon integrals;
// a square polygon floats as the box does.
TEST(Bodies, PolygonsHaveExactMassPropertiesAndFloat) {
    WorkerPool pool(2);
    const auto triangle = Simulation::create(scene_from(R"({
        "dimension": 2, "particle_radius": 0.02,
        "domain": {"min": [0, 0], "max": [1, 1]},
        "fluid": [{"shape": "box", "min": [0, 0], "max": [1, 0.3]}],
        "bodies": [{"shape": "polygon", "points": [[0.3, 0.5], [0.6, 0.5], [0.3, 0.9]],
                    "density": 600}]
    })"),
                                             pool);
    const BodyStatus& t = triangle->bodies()[0];
    EXPECT_NEAR(t.mass, 600.0 * 0.5 * 0.3 * 0.4, 1e-9);
    EXPECT_NEAR(t.position.x, 0.4, 1e-12);  // the centroid: the corners' mean
    EXPECT_NEAR(t.position.y, 0.5 + 0.4 / 3.0, 1e-12);

    std::string square = floating_square(0.02, 500, "dfsph");
    const std::string box = R"("shape": "box", "min": [0.4, 0.4], "max": [0.6, 0.6])";
    square.replace(
        square.find(box), box.size(),
        R"("shape": "polygon", "points": [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6]])");
    auto sim = Simulation::create(scene_from(square), pool);
    EXPECT_NEAR(sim->bodies()[0].mass, 500.0 * 0.04, 1e-9);
    const Draft d = measure_draft(*sim, 0.2, 1.0, 2.0);
    std::printf("polygon: draft %.4f m, Archimedes %.4f m\n", d.measured, d.expected);
    EXPECT_NEAR(d.measured, d.expected, 0.25 * 0.04);
}

TEST(Bodies, NoFluidStartsInsideABody) {
    WorkerPool pool(1);
    const auto sim = Simulation::create(scene_from(floating_square(0.02, 500, "dfsph")), pool);
    const ParticleView f = sim->fluid();
    std::size_t inside = 0;
    for (std::size_t i = 0; i < f.count; ++i) {
        const float x = f.position[2 * i], y = f.position[2 * i + 1];
        inside += x > 0.4f && x < 0.6f && y > 0.4f && y < 0.6f;
    }
    EXPECT_EQ(inside, 0u);
    // The lattice's 25 x 12 points (rows at y = 0.03 to 0.47, centred in the block) but the
    // 5 x 3 in the body's lower half.
    EXPECT_EQ(f.count, 25u * 12u - 5u * 3u);
}

// A square held upright ("axes": x and y, as a square turns over at these densities) floats at
// the draft rho_s / rho0 times its side, time-averaged, within a quarter spacing: every solver
// that moves bodies, at a coarse resolution (the validation runs finer ones, longer).
class FloatingSquare : public ::testing::TestWithParam<const char*> {};

TEST_P(FloatingSquare, AtTheDraftArchimedesPredicts) {
    WorkerPool pool(2);
    const double r = 0.02;
    auto sim = Simulation::create(scene_from(floating_square(r, 500, GetParam())), pool);
    const Draft d = measure_draft(*sim, 0.2, 1.0, 2.0);
    std::printf("%s: draft %.4f m, Archimedes %.4f m (error %.2f spacings), drift %.4f m\n",
                GetParam(), d.measured, d.expected, (d.measured - d.expected) / (2.0 * r), d.drift);
    EXPECT_NEAR(d.measured, d.expected, 0.25 * 2.0 * r);
}

INSTANTIATE_TEST_SUITE_P(Solvers, FloatingSquare,
                         ::testing::Values("dfsph", "pcisph", "wcsph", "pbf"),
                         [](const auto& test) { return std::string(test.param); });

// The state of the bodies after `steps` steps on `threads` threads: fluid and bodies, bit for bit.
std::uint64_t deep_hash_after(const Scene& scene, int threads, int steps) {
    WorkerPool pool(threads);
    auto sim = Simulation::create(scene, pool);
    for (int i = 0; i < steps; ++i)
        sim->step();
    return sim->deep_hash();
}

TEST(Bodies, SameBitsForAnyThreadCount) {
    const Scene scene = scene_from(kTwoBodies);
    const int steps = tests::rounds(150, 40);
    const std::uint64_t one = deep_hash_after(scene, 1, steps);
    for (int threads : {2, 3, 8})
        EXPECT_EQ(deep_hash_after(scene, threads, steps), one) << threads << " threads";
    // The bodies did move: they fell and turned.
    WorkerPool pool(2);
    auto sim = Simulation::create(scene, pool);
    for (int i = 0; i < steps; ++i)
        sim->step();
    EXPECT_LT(sim->bodies()[0].position.y, 0.6);
    EXPECT_NE(sim->bodies()[0].orientation.x, 1.0);
}

TEST(Bodies, SavedAndRestoredStepOnToTheSameBits) {
    const Scene scene = scene_from(kTwoBodies);
    WorkerPool pool(2);
    auto a = Simulation::create(scene, pool);
    for (int i = 0; i < tests::rounds(80, 30); ++i)
        a->step();
    const std::string saved = a->save_state();
    auto b = Simulation::create(scene, pool);
    b->restore_state(saved, "the saved state");
    EXPECT_EQ(b->deep_hash(), a->deep_hash());
    for (int i = 0; i < 30; ++i) {
        a->step();
        b->step();
    }
    EXPECT_EQ(b->deep_hash(), a->deep_hash());
    EXPECT_EQ(b->bodies()[1].position, a->bodies()[1].position);
    // A state from the same scene without its bodies is another scene's.
    Scene without = scene;
    without.bodies.clear();
    auto c = Simulation::create(without, pool);
    EXPECT_THROW(c->restore_state(saved, "the saved state"), StateError);
    EXPECT_THROW(b->restore_state(c->save_state(), "the other state"), StateError);
}

TEST(Bodies, AHeavyBodySinksAndRestsOnTheFloor) {
    WorkerPool pool(2);
    auto sim = Simulation::create(scene_from(floating_square(0.02, 2000, "dfsph")), pool);
    tests::run_until(*sim, 2.0);
    const BodyStatus& b = sim->bodies()[0];
    // Its bottom on the floor's layer of fluid, a spacing up (bodies meet walls a spacing short).
    EXPECT_NEAR(b.position.y - 0.1, 0.04, 0.005);
    EXPECT_LT(std::abs(b.velocity.y), 0.05);
}

// Live: a body made heavier sinks, a push moves it, fixed holds it; the live settings are saved.
TEST(Bodies, LiveDensityPushAndFixedAreSavedWithTheState) {
    WorkerPool pool(2);
    const Scene scene = scene_from(floating_square(0.02, 500, "dfsph"));
    auto sim = Simulation::create(scene, pool);
    tests::run_until(*sim, 0.3);
    const double y = sim->bodies()[0].position.y;
    sim->set_parameter("bodies/0/density", 3000.0);
    EXPECT_DOUBLE_EQ(sim->bodies()[0].mass, 3000.0 * 0.2 * 0.2);
    tests::run_until(*sim, 0.8);
    EXPECT_LT(sim->bodies()[0].position.y, y - 0.1);  // sinking
    sim->set_parameter("bodies/0/fixed", true);
    const std::string saved = sim->save_state();
    const double held = sim->bodies()[0].position.y;
    tests::run_until(*sim, 1.0);
    EXPECT_EQ(sim->bodies()[0].position.y, held);
    auto other = Simulation::create(scene, pool);
    other->restore_state(saved, "the saved state");
    EXPECT_EQ(other->bodies()[0].mass, sim->bodies()[0].mass);
    EXPECT_TRUE(other->bodies()[0].fixed);
    EXPECT_TRUE(other->scene().bodies[0].fixed);
    sim->set_parameter("bodies/0/fixed", false);
    sim->set_parameter("bodies/0/velocity", nlohmann::json::array({1.5, 0.0}));
    EXPECT_EQ(sim->bodies()[0].velocity.x, 1.5);
    EXPECT_THROW(sim->set_parameter("bodies/0/density", 10.0), SceneError);  // too light
    EXPECT_THROW(sim->set_parameter("bodies/3/density", 900.0), SceneError);
    EXPECT_THROW(sim->set_parameter("bodies/0/colour", 1.0), SceneError);
}

// The mouse's spring pulls a body towards the cursor, and turns it about the grabbed point.
TEST(Bodies, ADraggedBodyFollowsTheCursor) {
    WorkerPool pool(2);
    auto sim = Simulation::create(scene_from(kTwoBodies), pool);
    BodyDrag drag;
    drag.body = 1;
    drag.anchor = glm::dvec3(0.75, 0.7, 0.0);  // the sphere's centre
    drag.target = glm::dvec3(0.5, 0.85, 0.0);
    sim->set_body_drag(drag);
    tests::run_until(*sim, 1.5);
    EXPECT_NEAR(sim->bodies()[1].position.x, 0.5, 0.02);
    EXPECT_NEAR(sim->bodies()[1].position.y, 0.85, 0.02);
    drag.body = 2;
    EXPECT_THROW(sim->set_body_drag(drag), std::out_of_range);
}

// With gravity off, a ball thrown into a blob of still water: the momentum of fluid and ball
// stays what the ball brought, through the collision: the coupling's pair forces are equal and
// opposite, and what the put-back gives a particle at the ball the ball gives up (without it,
// one put-back cost WCSPH 0.35% and PCISPH 2%).
class Collision : public ::testing::TestWithParam<const char*> {};

TEST_P(Collision, ConservesTheMomentumOfFluidAndBody) {
    WorkerPool pool(2);
    auto sim = Simulation::create(scene_from(std::string(R"({
        "dimension": 2, "particle_radius": 0.02, "solver": ")") +
                                             GetParam() + R"(",
        "gravity": [0, 0],
        "domain": {"min": [0, 0], "max": [2, 1]},
        "fluid": [{"shape": "box", "min": [0.9, 0.3], "max": [1.4, 0.7]}],
        "bodies": [{"shape": "sphere", "center": [0.6, 0.52], "radius": 0.08, "density": 800,
                    "velocity": [2, 0]}]
    })"),
                                  pool);
    auto momentum = [&] {
        const ParticleView v = sim->fluid();
        glm::dvec2 p(0.0);
        for (std::size_t i = 0; i < v.count; ++i)
            p += glm::dvec2(v.velocity[2 * i], v.velocity[2 * i + 1]);
        const BodyStatus& b = sim->bodies()[0];
        return p * static_cast<double>(sim->constants().particle_mass) +
               b.mass * glm::dvec2(b.velocity);
    };
    const glm::dvec2 start = momentum();
    tests::run_until(*sim, 0.4);
    const glm::dvec2 end = momentum();
    EXPECT_LT(sim->bodies()[0].velocity.x, 1.0);  // it hit the water and slowed down
    EXPECT_LT(glm::length(end - start), 1e-3 * glm::length(start));
}

INSTANTIATE_TEST_SUITE_P(Solvers, Collision, ::testing::Values("dfsph", "wcsph", "pcisph", "pbf"),
                         [](const auto& test) { return std::string(test.param); });

// Two balls thrown at each other (gravity off, the water far away) bounce off each other a
// spacing short of touching, with the restitution asked for, and keep their momentum; a box
// dropped on a heavier one rests on it.
TEST(Bodies, BodiesBounceOffEachOther) {
    WorkerPool pool(2);
    auto sim = Simulation::create(scene_from(R"({
        "dimension": 2, "particle_radius": 0.02, "gravity": [0, 0],
        "domain": {"min": [0, 0], "max": [2, 1]},
        "fluid": [{"shape": "box", "min": [1.6, 0], "max": [2, 0.2]}],
        "bodies": [{"shape": "sphere", "center": [0.3, 0.6], "radius": 0.05, "density": 800,
                    "velocity": [1, 0], "restitution": 0.5},
                   {"shape": "sphere", "center": [0.9, 0.6], "radius": 0.05, "density": 800,
                    "velocity": [-1, 0], "restitution": 0.5}]
    })"),
                                  pool);
    double closest = 1.0;
    while (sim->stats().time < 0.6) {
        sim->step();
        closest = std::min(closest, sim->bodies()[1].position.x - sim->bodies()[0].position.x);
    }
    const BodyStatus &a = sim->bodies()[0], &b = sim->bodies()[1];
    EXPECT_GT(closest, 0.1);  // never closer than their radii
    EXPECT_NEAR(a.velocity.x, -0.5, 1e-6);
    EXPECT_NEAR(b.velocity.x, 0.5, 1e-6);
    EXPECT_NEAR(a.mass * a.velocity.x + b.mass * b.velocity.x, 0.0, 1e-9);

    auto stack = Simulation::create(scene_from(R"({
        "dimension": 2, "particle_radius": 0.02,
        "domain": {"min": [0, 0], "max": [2, 1]},
        "fluid": [{"shape": "box", "min": [1.6, 0], "max": [2, 0.2]}],
        "bodies": [{"shape": "box", "min": [0.3, 0.2], "max": [0.7, 0.3], "density": 3000},
                   {"shape": "box", "min": [0.4, 0.5], "max": [0.6, 0.6], "density": 1000}]
    })"),
                                    pool);
    tests::run_until(*stack, 1.0);
    // The lower box on the floor's layer (its bottom a spacing up), the upper one a spacing above
    // it: y = 0.04 + 0.1 + 0.04 + 0.05.
    EXPECT_NEAR(stack->bodies()[0].position.y, 0.09, 0.005);
    EXPECT_NEAR(stack->bodies()[1].position.y, 0.23, 0.01);
}

// Still obstacles stop bodies a spacing short of their surface, as the walls do: a box dropped
// on a box obstacle rests on it, a ball dropped on a slope (a polygon) rolls down it and stays
// above it, a ball thrown at a sphere obstacle bounces back.
TEST(Bodies, BodiesRestOnObstacles) {
    WorkerPool pool(2);
    auto sim = Simulation::create(scene_from(R"({
        "dimension": 2, "particle_radius": 0.02,
        "domain": {"min": [0, 0], "max": [3, 1]},
        "fluid": [{"shape": "box", "min": [2.8, 0], "max": [3, 0.1]}],
        "obstacles": [{"shape": "box", "min": [0.2, 0], "max": [0.6, 0.4]},
                      {"shape": "polygon", "points": [[1, 0], [1.8, 0], [1, 0.6]]},
                      {"shape": "sphere", "center": [2.5, 0.6], "radius": 0.1}],
        "bodies": [{"shape": "box", "min": [0.3, 0.7], "max": [0.5, 0.8], "density": 2000},
                   {"shape": "sphere", "center": [1.2, 0.8], "radius": 0.05, "density": 2000},
                   {"shape": "sphere", "center": [2.1, 0.6], "radius": 0.05, "density": 2000,
                    "velocity": [3, 1.5]}]
    })"),
                                  pool);
    const double gap = 2.0 * sim->constants().particle_radius;
    double lowest_above_slope = 1.0, turned_back = 0.0;
    while (sim->stats().time < 1.5) {
        sim->step();
        // The slope's surface: y = 0.6 (1 - (x - 1) / 0.8); the ball's distance above it.
        const glm::dvec3 ball = sim->bodies()[1].position;
        const double normal_length = std::sqrt(1.0 + 0.75 * 0.75);
        const double above = (ball.y - 0.6 * (1.0 - (ball.x - 1.0) / 0.8)) / normal_length;
        if (ball.x > 1.05 && ball.x < 1.75)
            lowest_above_slope = std::min(lowest_above_slope, above);
        turned_back = std::min(turned_back, sim->bodies()[2].velocity.x);
    }
    const BodyStatus& box = sim->bodies()[0];
    std::printf(
        "box at y %.4f (rests at %.4f), ball %.4f above the slope at least, thrown ball "
        "back at %.2f m/s\n",
        box.position.y, 0.4 + gap + 0.05, lowest_above_slope, turned_back);
    EXPECT_NEAR(box.position.y, 0.4 + gap + 0.05, 0.005);
    EXPECT_LT(glm::length(box.velocity), 0.05);
    EXPECT_GT(lowest_above_slope, 0.05 + 0.5 * gap);
    EXPECT_GT(sim->bodies()[1].position.x, 1.3) << "it rolled down the slope";
    EXPECT_LT(turned_back, -0.1) << "it bounced off the sphere";
}

// A free body a thousand times heavier than the water, standing a spacing above the floor as
// bodies do, gives the same dam-break flow as the same box as a still obstacle: the fluid's
// centroid and front agree; the force on it is that on the same box held fixed; it hardly moves.
TEST(Bodies, AVeryHeavyFreeBodyActsAsTheSameObstacle) {
    WorkerPool pool(2);
    const std::string start = R"({
        "dimension": 2, "particle_radius": 0.01, "solver": "dfsph",
        "domain": {"min": [0, 0], "max": [2, 1]},
        "fluid": [{"shape": "box", "min": [0, 0], "max": [0.4, 0.6]}],)";
    const std::string box = R"("shape": "box", "min": [1, 0.02], "max": [1.2, 0.22])";
    auto obstacle =
        Simulation::create(scene_from(start + R"("obstacles": [{)" + box + "}]}"), pool);
    auto fixed = Simulation::create(
        scene_from(start + R"("bodies": [{)" + box + R"(, "density": 1000, "fixed": true}]})"),
        pool);
    auto heavy = Simulation::create(
        scene_from(start + R"("bodies": [{)" + box + R"(, "density": 1000000}]})"), pool);
    struct Flow {
        double centroid = 0.0, front = 0.0, force = 0.0;
    };
    auto flow = [](const Simulation& sim, double force) {
        const ParticleView f = sim.fluid();
        Flow out;
        for (std::size_t i = 0; i < f.count; ++i) {
            out.centroid += f.position[2 * i];
            out.front = std::max(out.front, static_cast<double>(f.position[2 * i]));
        }
        out.centroid /= static_cast<double>(f.count);
        out.force = force;
        return out;
    };
    auto run = [&](Simulation& sim, double until) {
        double sum = 0.0, weight = 0.0;
        while (sim.stats().time < until) {
            sim.step();
            if (!sim.bodies().empty()) sum += sim.bodies()[0].force.x * sim.stats().dt;
            weight += sim.stats().dt;
        }
        return flow(sim, sum / weight);
    };
    for (const double until : {0.3, 0.6, 0.9}) {
        const Flow a = run(*obstacle, until), f = run(*fixed, until), h = run(*heavy, until);
        std::printf(
            "t %.1f: centroid %.4f / %.4f / %.4f m, front %.4f / %.4f / %.4f m, mean fx "
            "%.1f / %.1f N/m\n",
            until, a.centroid, f.centroid, h.centroid, a.front, f.front, h.front, f.force, h.force);
        // Held fixed, the body is the obstacle; free and heavy, the flow hardly differs (a
        // spacing is 0.02 m): it is the same until the wave comes back off the far wall (at
        // about 0.6 s). The force's mean is compared until then: after it, the returning wave
        // breaks over the box, and the two runs' impacts, a spacing apart, differ by 2-7%. From
        // 0.6 s the front is the water run up against the far wall, its largest x that of the
        // particles there, which a spacing bounds.
        EXPECT_NEAR(f.centroid, a.centroid, 1e-4) << until;
        EXPECT_NEAR(f.front, a.front, 1e-4) << until;
        EXPECT_NEAR(h.centroid, a.centroid, 0.01) << until;
        EXPECT_NEAR(h.front, a.front, until < 0.5 ? 0.01 : 0.02) << until;
        if (until < 0.7) {
            EXPECT_NEAR(h.force, f.force, 0.05 * std::abs(f.force) + 1.0) << until;
        }
    }
    const BodyStatus& moved = heavy->bodies()[0];
    EXPECT_LT(std::abs(moved.position.x - 1.1), 1e-3);
    EXPECT_LT(std::abs(moved.position.y - 0.12), 1e-3);
}

TEST(Bodies, ScenesThatCannotWorkAreRefused) {
    auto message = [](const std::string& text) {
        try {
            scene_from(text);
        } catch (const SceneError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    auto scene = [](const std::string& solver, const std::string& body) {
        return R"({"dimension": 2, "particle_radius": 0.02, "solver": ")" + solver +
               R"(", "domain": {"min": [0, 0], "max": [1, 1]},
                   "fluid": [{"shape": "box", "min": [0, 0], "max": [1, 0.4]}],
                   "bodies": [)" +
               body + "]}";
    };
    const std::string box = R"("shape": "box", "min": [0.4, 0.5], "max": [0.6, 0.6])";
    EXPECT_NE(message(scene("dfsph", "{" + box + R"(, "density": 100})")).find("lighter"),
              std::string::npos);
    EXPECT_NE(message(scene("dfsph", "{" + box + "}")).find("density"), std::string::npos);
    EXPECT_NE(message(scene("dfsph", "{" + box + R"(, "density": 500, "mass": 3})")).find("one of"),
              std::string::npos);
    EXPECT_NE(message(scene("dfsph", R"({"shape": "box", "min": [0.9, 0.5], "max": [1.1, 0.6],
                                          "density": 500})"))
                  .find("outside the domain"),
              std::string::npos);
    EXPECT_NE(message(scene("dfsph", "{" + box + R"(, "density": 500, "axes": ["x", "q"]})"))
                  .find("/bodies/0/axes/1"),
              std::string::npos);
    EXPECT_NE(message(scene("dfsph", R"({"shape": "mesh", "file": "meshes/cube.obj",
                                          "density": 500})"))
                  .find("meshes are for 3D scenes"),
              std::string::npos);
    // A light body is fine when fixed.
    EXPECT_EQ(message(scene("dfsph", "{" + box + R"(, "density": 100, "fixed": true})")),
              "no error");
}

// A closed mesh's mass properties are exact: a box's mesh turned and moved has the box's mass,
// centre and principal moments, with its edges as principal axes; a wedge has the centroid of its
// triangle; the eigen-decomposition rebuilds its matrix.
TEST(Bodies, MeshesHaveExactMassProperties) {
    const MeshTransform turn{.scale = {0.4, 0.1, 0.2},
                             .axis = {1.0, 2.0, 3.0},
                             .degrees = 30.0,
                             .translate = {0.5, 0.4, 0.3}};
    auto shape_of = [](const TriangleMesh& mesh) {
        auto placed = std::make_shared<MeshShape>();
        placed->mesh = mesh;
        ShapeDesc s;
        s.shape = Shape::Mesh;
        s.mesh = placed;
        return s;
    };
    TriangleMesh box = read_mesh(builtin_file("meshes/cube.obj"), "cube.obj");
    transform(box, turn);
    const double mass = 3.0;
    const MassProperties m = mass_properties(shape_of(box), mass, 3);
    ASSERT_TRUE(m.axes.has_value());
    const glm::dmat3 r = portable::rotation(turn.axis / glm::length(turn.axis), turn.degrees);
    const glm::dvec3 centre = r * (0.5 * turn.scale) + turn.translate;
    for (int k = 0; k < 3; ++k)
        EXPECT_NEAR(m.centre[k], centre[k], 1e-14) << k;
    // The box's moments about its own axes, turned into the scene: I = R diag(I_box) R^T.
    const glm::dvec3 e = turn.scale;
    glm::dmat3 own(0.0);
    own[0][0] = mass / 12.0 * (e.y * e.y + e.z * e.z);
    own[1][1] = mass / 12.0 * (e.x * e.x + e.z * e.z);
    own[2][2] = mass / 12.0 * (e.x * e.x + e.y * e.y);
    const glm::dmat3 expected = r * own * glm::transpose(r), found = inertia_tensor(m);
    for (int c = 0; c < 3; ++c) {
        for (int k = 0; k < 3; ++k)
            EXPECT_NEAR(found[c][k], expected[c][k], 1e-14) << c << k;
    }
    // Each principal axis is one of the box's edges, with that edge's moment.
    for (int k = 0; k < 3; ++k) {
        const glm::dvec3 axis = (*m.axes)[k];
        int edge = 0;
        for (int j = 1; j < 3; ++j) {
            if (std::abs(glm::dot(axis, r[j])) > std::abs(glm::dot(axis, r[edge]))) edge = j;
        }
        EXPECT_NEAR(std::abs(glm::dot(axis, r[edge])), 1.0, 1e-12) << k;
        EXPECT_NEAR(m.moments[k], own[edge][edge], 1e-14) << k;
    }
    EXPECT_NEAR(glm::determinant(*m.axes), 1.0, 1e-14);

    // The wedge x in [0, 1], y under 0.5 x, z in [0, 1]: its centroid (2/3, 1/6, 1/2).
    const MassProperties wedge =
        mass_properties(shape_of(read_mesh(builtin_file("meshes/ramp.obj"), "ramp.obj")), 1.0, 3);
    EXPECT_NEAR(wedge.centre.x, 2.0 / 3.0, 1e-15);
    EXPECT_NEAR(wedge.centre.y, 1.0 / 6.0, 1e-15);
    EXPECT_NEAR(wedge.centre.z, 0.5, 1e-15);
    EXPECT_NEAR(wedge.extent, glm::length(glm::dvec3(2.0 / 3.0, 1.0 / 6.0, 0.5)), 1e-15);
    EXPECT_EQ(wedge.corners.size(), 6u);

    // A symmetric matrix with no zero: axes diag(moments) axes^T rebuilds it.
    const glm::dmat3 a(4.0, -1.0, 0.5, -1.0, 3.0, 2.0, 0.5, 2.0, 5.0);
    MassProperties decomposed;
    glm::dmat3 axes;
    principal_moments(a, decomposed.moments, axes);
    decomposed.axes = axes;
    const glm::dmat3 rebuilt = inertia_tensor(decomposed);
    for (int c = 0; c < 3; ++c) {
        for (int k = 0; k < 3; ++k)
            EXPECT_NEAR(rebuilt[c][k], a[c][k], 1e-14) << c << k;
    }
}

// A mesh body whose principal axes are not the scene's, spun about an axis that is none of them,
// with gravity off and the fluid far away: it tumbles (its angular velocity turns), keeping its
// angular momentum and kinetic energy, as Euler's equations in its principal frame say.
TEST(Bodies, ATumblingMeshKeepsItsAngularMomentum) {
    WorkerPool pool(2);
    auto sim = Simulation::create(scene_from(R"({
        "dimension": 3, "particle_radius": 0.04, "gravity": [0, 0, 0],
        "domain": {"min": [0, 0, 0], "max": [1, 1, 1]},
        "fluid": [{"shape": "box", "min": [0, 0, 0], "max": [0.24, 0.16, 0.24]}],
        "bodies": [{"shape": "mesh", "file": "meshes/cube.obj", "scale": [0.3, 0.1, 0.2],
                    "rotate": {"axis": [1, 2, 3], "degrees": 30}, "translate": [0.4, 0.45, 0.4],
                    "density": 500, "angular_velocity": [1, 4, 0.5]}]
    })"),
                                  pool);
    const MassProperties m =
        mass_properties(sim->scene().bodies[0].shape, sim->bodies()[0].mass, 3);
    const glm::dmat3 inertia = inertia_tensor(m);
    auto momentum_and_energy = [&](glm::dvec3& w, double& energy) {
        const BodyStatus& b = sim->bodies()[0];
        const glm::dquat q(b.orientation[0], b.orientation[1], b.orientation[2], b.orientation[3]);
        const glm::dmat3 r = glm::mat3_cast(q);
        const glm::dmat3 world = r * inertia * glm::transpose(r);
        w = b.angular_velocity;
        energy = 0.5 * glm::dot(w, world * w);
        return world * w;
    };
    glm::dvec3 w0, w;
    double e0 = 0.0, e = 0.0;
    const glm::dvec3 l0 = momentum_and_energy(w0, e0);
    double largest = 0.0, turned = 0.0;
    while (sim->stats().time < 1.0) {
        sim->step();
        const glm::dvec3 l = momentum_and_energy(w, e);
        largest = std::max(largest, glm::length(l - l0) / glm::length(l0));
        turned = std::max(
            turned, std::acos(std::min(1.0, glm::dot(w, w0) / glm::length(w) / glm::length(w0))));
    }
    std::printf("angular momentum within %.2e, energy %+.2e, the spin turned by up to %.0f deg\n",
                largest, e / e0 - 1.0, turned * 180.0 / portable::kPi);
    EXPECT_LT(largest, 1e-2);
    EXPECT_NEAR(e / e0, 1.0, 2e-2);
    EXPECT_GT(turned * 180.0 / portable::kPi, 20.0);
}

TEST(Bodies, MeshBodiesAreRead) {
    auto scene = [](const std::string& body) {
        return R"({"dimension": 3, "particle_radius": 0.04,
                   "domain": {"min": [0, 0, 0], "max": [1, 1, 1]},
                   "fluid": [{"shape": "box", "min": [0, 0, 0], "max": [1, 0.4, 1]}],
                   "bodies": [)" +
               body + "]}";
    };
    const Scene s = scene_from(scene(R"({"shape": "mesh", "file": "meshes/ramp.obj",
        "scale": 0.2, "translate": [0.4, 0.5, 0.4], "density": 500})"));
    ASSERT_EQ(s.bodies.size(), 1u);
    EXPECT_NEAR(s.bodies[0].body_mass(3), 500.0 * 0.25 * 0.008, 1e-12);
    EXPECT_EQ(files_named_by_scene(scene(R"({"shape": "mesh", "file": "a.obj", "density": 1})")),
              std::vector<std::string>{"a.obj"});
    try {
        scene_from(scene(R"({"shape": "mesh", "file": "meshes/ramp.obj", "scale": 0.2,
                             "translate": [0.4, 0.5, 0.4], "density": 500, "invert": true})"));
        ADD_FAILURE() << "an inverted mesh body was read";
    } catch (const SceneError& e) {
        EXPECT_NE(std::string(e.what()).find("/bodies/0/invert: unknown key"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace flume
