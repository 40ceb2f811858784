// The scene loader: every kind of bad input gives its documented error, and every built-in scene
// loads and builds.
#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"
#include "core/scene_library.hpp"
#include "core/simulation.hpp"

namespace flume {
namespace {

const char* kGood = R"({
  "dimension": 2,
  "particle_radius": 0.02,
  "domain": {"min": [0, 0], "max": [1, 1]},
  "fluid": [{"min": [0, 0], "max": [0.4, 0.4]}]
})";

// The message of the SceneError that parsing `text` throws, or "" if it does not throw.
std::string error_of(const std::string& text) {
    try {
        parse_scene(text, "test.json");
    } catch (const SceneError& e) {
        return e.what();
    }
    return "";
}

std::string with(const std::string& from, const std::string& to) {
    std::string s = kGood;
    const auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return s.replace(pos, from.size(), to);
}

TEST(SceneLoader, AcceptsAGoodScene) {
    const Scene scene = parse_scene(kGood, "test.json");
    EXPECT_EQ(scene.dimension, 2);
    EXPECT_DOUBLE_EQ(scene.params.number("particle_radius"), 0.02);
    EXPECT_EQ(scene.params.choice("solver"), "wcsph");  // default
    ASSERT_EQ(scene.params.vector("gravity").size(), 2u);
    EXPECT_DOUBLE_EQ(scene.params.vector("gravity")[1], -9.81);
    EXPECT_EQ(scene.fluid.size(), 1u);
}

TEST(SceneLoader, SyntaxErrorNamesTheFileAndLine) {
    const std::string e = error_of("{\n  \"dimension\": 2,\n  \"domain\": {,\n}");
    EXPECT_NE(e.find("test.json"), std::string::npos) << e;
    EXPECT_NE(e.find("syntax error"), std::string::npos) << e;
    EXPECT_NE(e.find("line 3"), std::string::npos) << e;
}

TEST(SceneLoader, WrongTypeNamesThePathAndTheExpectation) {
    const std::string e = error_of(with("\"max\": [0.4, 0.4]", "\"max\": \"high\""));
    EXPECT_NE(e.find("test.json: /fluid/0/max"), std::string::npos) << e;
    EXPECT_NE(e.find("expected an array of 2 numbers"), std::string::npos) << e;
    EXPECT_NE(e.find("found the string \"high\""), std::string::npos) << e;

    const std::string e2 = error_of(with("\"particle_radius\": 0.02", "\"particle_radius\": true"));
    EXPECT_NE(e2.find("/particle_radius"), std::string::npos) << e2;
    EXPECT_NE(e2.find("expected a number"), std::string::npos) << e2;
}

TEST(SceneLoader, UnknownKeySuggestsTheClosest) {
    const std::string e = error_of(with("\"particle_radius\"", "\"particle_radus\""));
    EXPECT_NE(e.find("/particle_radus"), std::string::npos) << e;
    EXPECT_NE(e.find("unknown key"), std::string::npos) << e;
    EXPECT_NE(e.find("did you mean \"particle_radius\""), std::string::npos) << e;

    const std::string nested =
        error_of(with("\"min\": [0, 0], \"max\": [0.4", "\"mni\": [0, 0], \"max\": [0.4"));
    EXPECT_NE(nested.find("/fluid/0/mni"), std::string::npos) << nested;
    EXPECT_NE(nested.find("did you mean \"min\""), std::string::npos) << nested;
}

TEST(SceneLoader, OutOfRangeIsRefusedNotClamped) {
    const std::string e = error_of(with("\"particle_radius\": 0.02", "\"particle_radius\": -0.5"));
    EXPECT_NE(e.find("/particle_radius"), std::string::npos) << e;
    EXPECT_NE(e.find("expected a number in [0.0001, 1.0]"), std::string::npos) << e;
    EXPECT_NE(e.find("found -0.5"), std::string::npos) << e;

    const std::string choice = error_of(with("\"particle_radius\": 0.02", "\"solver\": \"wcsp\""));
    EXPECT_NE(choice.find("/solver"), std::string::npos) << choice;
    EXPECT_NE(choice.find("did you mean \"wcsph\""), std::string::npos) << choice;
}

TEST(SceneLoader, EmptyFluidIsRefused) {
    const std::string e = error_of(with("[{\"min\": [0, 0], \"max\": [0.4, 0.4]}]", "[]"));
    EXPECT_NE(e.find("/fluid"), std::string::npos) << e;
    EXPECT_NE(e.find("no fluid"), std::string::npos) << e;
}

TEST(SceneLoader, FluidOutsideTheDomainIsRefused) {
    const std::string e = error_of(with("\"max\": [0.4, 0.4]", "\"max\": [0.4, 1.5]"));
    EXPECT_NE(e.find("/fluid/0"), std::string::npos) << e;
    EXPECT_NE(e.find("outside the domain"), std::string::npos) << e;
}

TEST(SceneLoader, MissingDimensionAndBadDimension) {
    EXPECT_NE(error_of("{\"domain\": {}}").find("missing required key \"dimension\""),
              std::string::npos);
    const std::string e = error_of(with("\"dimension\": 2", "\"dimension\": 4"));
    EXPECT_NE(e.find("/dimension: expected 2 or 3, found 4"), std::string::npos) << e;
}

TEST(SceneLoader, GravityMustMatchTheDimension) {
    const std::string e = error_of(with("\"particle_radius\": 0.02", "\"gravity\": [0, -9.81, 0]"));
    EXPECT_NE(e.find("/gravity: expected an array of 2 numbers"), std::string::npos) << e;
}

TEST(SceneLoader, OverridesAreValidatedLikeTheFile) {
    Scene scene = parse_scene(kGood, "test.json");
    scene.apply_override("particle_radius=0.01");
    EXPECT_DOUBLE_EQ(scene.params.number("particle_radius"), 0.01);
    scene.apply_override("viscosity_model=xsph");  // a bare word is a string
    EXPECT_EQ(scene.params.choice("viscosity_model"), "xsph");
    scene.apply_override("gravity=[0,-1]");
    EXPECT_DOUBLE_EQ(scene.params.vector("gravity")[1], -1.0);

    auto message = [&](const char* assignment) {
        try {
            scene.apply_override(assignment);
        } catch (const SceneError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(message("particle_radius=big").find("expected a number"), std::string::npos);
    EXPECT_NE(message("viscosty=0.1").find("did you mean \"viscosity\""), std::string::npos);
    EXPECT_NE(message("dimension=3").find("cannot be overridden"), std::string::npos);
    EXPECT_NE(message("novalue").find("expected key=value"), std::string::npos);

    Scene big = load_builtin_scene("dam-break-3d");
    try {
        big.apply_override("particle_radius=0.001");
        FAIL() << "125 million particles must be refused";
    } catch (const SceneError& e) {
        EXPECT_NE(std::string(e.what()).find("more than the limit"), std::string::npos) << e.what();
    }
}

TEST(SceneLibrary, EveryBuiltInSceneLoadsAndBuilds) {
    WorkerPool pool(2);
    std::size_t count = 0;
    for (const EmbeddedFile& f : builtin_scenes()) {
        SCOPED_TRACE(std::string(f.name));
        const Scene scene = load_builtin_scene(f.name);
        EXPECT_EQ(scene.name, f.name) << "the scene's name matches its file name";
        const auto sim = Simulation::create(scene, pool);
        // A channel starts empty: its emitter fills it.
        EXPECT_GT(sim->stats().fluid_particles + sim->stats().capacity, 1000u);
        EXPECT_GE(sim->stats().capacity, sim->stats().fluid_particles);
        EXPECT_GT(sim->stats().boundary_particles, 0u);
        ++count;
    }
    EXPECT_GE(count, 5u);
    for (const char* name :
         {"dam-break-2d", "dam-break-3d", "hydrostatic-2d", "hydrostatic-3d", "drop-3d"}) {
        EXPECT_NO_THROW(load_builtin_scene(name)) << name;
    }
}

TEST(SceneLibrary, OverridesAreAppliedInOrderThenCheckedTogether) {
    // Each value alone is in range; only the pair must be consistent, so the order of the two
    // does not matter: the cross-field rules see the final set.
    const Scene scene = load_scene(
        "dam-break-2d", {"min_time_step=0.01", "max_time_step=0.02", "solver=pbf", "solver=dfsph"});
    EXPECT_DOUBLE_EQ(scene.params.number("min_time_step"), 0.01);
    EXPECT_EQ(scene.params.choice("solver"), "dfsph") << "the last override wins";
    try {
        load_scene("dam-break-2d", {"min_time_step=0.01"});
        FAIL() << "min_time_step above max_time_step must be refused";
    } catch (const SceneError& e) {
        EXPECT_NE(std::string(e.what()).find("/min_time_step: expected at most max_time_step"),
                  std::string::npos)
            << e.what();
    }
}

TEST(SceneLibrary, UnknownNameListsTheScenes) {
    try {
        load_scene("dam-brake-2d");
        FAIL() << "expected a SceneError";
    } catch (const SceneError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("did you mean \"dam-break-2d\""), std::string::npos) << what;
        EXPECT_NE(what.find("hydrostatic-3d"), std::string::npos) << what;
    }
    EXPECT_THROW(load_scene("/nonexistent/scene.json"), SceneError);
}

}  // namespace
}  // namespace flume
