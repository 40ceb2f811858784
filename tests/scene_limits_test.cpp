// The scene loader against hostile but fair input: numbers beyond a double, repeated keys,
// control characters, oversized files, overlapping fluid, obstacles out of reach, and scenes
// whose boundary samples would exhaust memory. Each is refused at load with a named error.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "core/scene.hpp"
#include "core/sph/boundary_sampling.hpp"

namespace flume {
namespace {

// A 2D scene with `extra` members added at the top level.
std::string scene_2d(const std::string& extra = "",
                     const std::string& fluid = R"([{"min": [0, 0], "max": [0.4, 0.4]}])") {
    return R"({"dimension": 2, "particle_radius": 0.02,
               "domain": {"min": [0, 0], "max": [1, 1]}, "fluid": )" +
           fluid + extra + "}";
}

std::string error_of(const std::string& text) {
    try {
        parse_scene(text, "test.json");
    } catch (const SceneError& e) {
        return e.what();
    }
    return "";
}

#define EXPECT_MENTIONS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST(SceneLimits, ANumberBeyondADoubleIsNamedWithItsPath) {
    const std::string e = error_of(scene_2d(R"(, "viscosity": 1e309)"));
    EXPECT_MENTIONS(e, "test.json: /viscosity: the number 1e309 is beyond the range of a double");
    const std::string nested = error_of(scene_2d("", R"([{"min": [0, -1e400], "max": [1, 1]}])"));
    EXPECT_MENTIONS(nested, "/fluid/0/min/1: the number -1e400");

    Scene scene = parse_scene(scene_2d(), "test.json");
    try {
        scene.apply_override("viscosity=1e309");
        FAIL() << "1e309 must be refused";
    } catch (const SceneError& error) {
        EXPECT_MENTIONS(std::string(error.what()), "--set viscosity=1e309: the number 1e309");
    }
}

TEST(SceneLimits, AKeyGivenTwiceIsRefused) {
    EXPECT_MENTIONS(error_of(scene_2d(R"(, "viscosity": 0.1, "viscosity": 0.2)")),
                    "/viscosity: the key \"viscosity\" appears twice");
    EXPECT_MENTIONS(error_of(scene_2d("", R"([{"min": [0, 0], "min": [0.1, 0.1]}])")),
                    "/fluid/0/min: the key \"min\" appears twice");
}

TEST(SceneLimits, ADimensionOutsideIntIsNotWrapped) {
    for (const char* dim : {"4294967298", "4294967299", "18446744073709551618", "-4294967294"}) {
        std::string text = scene_2d();
        text.replace(text.find("2,"), 1, dim);
        EXPECT_MENTIONS(error_of(text), "/dimension: expected 2 or 3");
    }
}

TEST(SceneLimits, ControlCharactersInStringsAreRefused) {
    EXPECT_MENTIONS(error_of(scene_2d(R"(, "name": "a\u0000b")")),
                    "/name: expected text without control characters");
    EXPECT_MENTIONS(error_of(scene_2d(R"(, "description": "x\ny")")), "/description");
    Scene scene = parse_scene(scene_2d(), "test.json");
    EXPECT_THROW(scene.apply_override(std::string("solver=wc\x01sph")), SceneError);
}

TEST(SceneLimits, InvalidUtf8InAnOverrideIsRefused) {
    // Found by the fuzzer: a bare word that is not UTF-8 threw from inside the JSON library.
    Scene scene = parse_scene(scene_2d(), "test.json");
    try {
        scene.apply_override("solver=a\xca");
        FAIL() << "invalid UTF-8 must be refused";
    } catch (const SceneError& e) {
        EXPECT_MENTIONS(std::string(e.what()), "expected UTF-8 text");
    }
}

TEST(SceneLimits, NestingIsBounded) {
    const std::string deep = std::string(1000, '[') + std::string(1000, ']');
    EXPECT_MENTIONS(error_of(scene_2d(", \"name\": " + deep)), "nested deeper than 64 levels");
}

TEST(SceneLimits, AnOversizedFileIsRefusedWithoutReadingItWhole) {
    const std::string path = ::testing::TempDir() + "flume-oversized.json";
    {
        std::ofstream out(path);
        out << scene_2d(", \"description\": \"" + std::string(kMaxSceneFileBytes, 'x') + "\"");
    }
    try {
        load_scene_file(path);
        FAIL() << "an oversized file must be refused";
    } catch (const SceneError& e) {
        EXPECT_MENTIONS(std::string(e.what()), "larger than the limit");
    }
    std::remove(path.c_str());
}

TEST(SceneLimits, OverlappingFluidBlocksAreRefusedTouchingOnesAccepted) {
    EXPECT_MENTIONS(error_of(scene_2d("", R"([{"min": [0, 0], "max": [0.4, 0.4]},
                                           {"min": [0.3, 0], "max": [0.6, 0.4]}])")),
                    "/fluid/1: the fluid block (a box) overlaps /fluid/0");
    EXPECT_MENTIONS(error_of(scene_2d("", R"([{"min": [0, 0], "max": [0.4, 0.4]},
                          {"shape": "sphere", "center": [0.5, 0.5], "radius": 0.2}])")),
                    "/fluid/1: the fluid block (a sphere) overlaps /fluid/0");
    EXPECT_EQ(error_of(scene_2d("", R"([{"min": [0, 0], "max": [0.4, 0.4]},
                                         {"min": [0.4, 0], "max": [0.8, 0.4]}])")),
              "");
    // A sliver of overlap (rows laid edge to edge with a rounding margin) is fine too.
    EXPECT_EQ(error_of(scene_2d("", R"([{"min": [0, 0], "max": [0.4, 0.4]},
                                         {"min": [0.3999999, 0], "max": [0.8, 0.4]}])")),
              "");
}

TEST(SceneLimits, AnObstacleOutsideTheDomainIsRefused) {
    EXPECT_MENTIONS(
        error_of(
            scene_2d(R"(, "obstacles": [{"shape": "sphere", "center": [2, 2], "radius": 0.5}])")),
        "/obstacles/0: the sphere lies entirely outside the domain");
    EXPECT_MENTIONS(error_of(scene_2d(R"(, "obstacles": [{"min": [1.5, 0], "max": [2, 1]}])")),
                    "/obstacles/0: the box lies entirely outside");
    // Reaching in from outside is fine.
    EXPECT_EQ(error_of(scene_2d(R"(, "obstacles": [{"min": [0.8, -1], "max": [2, 0.2]}])")), "");
}

TEST(SceneLimits, BoundarySamplesOverTheLimitAreRefusedNamingTheShape) {
    // 200-byte scenes that asked for tens of gigabytes (or overflowed an int lattice count):
    // refused before anything is allocated.
    const std::string box = error_of(R"({"dimension": 2, "particle_radius": 0.0001,
        "domain": {"min": [0, 0], "max": [1, 1]}, "fluid": [{"min": [0, 0], "max": [0.01, 0.01]}],
        "obstacles": [{"min": [0.5, 0.5], "max": [100000, 100000]}]})");
    EXPECT_MENTIONS(box, "/obstacles/0: the box at particle_radius");
    EXPECT_MENTIONS(box, "boundary samples, more than the limit of 20000000");
    const std::string sphere = error_of(R"({"dimension": 3, "particle_radius": 0.001,
        "domain": {"min": [0, 0, 0], "max": [1, 1, 1]},
        "fluid": [{"min": [0, 0, 0], "max": [0.1, 0.1, 0.1]}],
        "obstacles": [{"shape": "sphere", "center": [0.5, 0.5, 0.5], "radius": 1000}]})");
    EXPECT_MENTIONS(sphere, "/obstacles/0: the sphere at particle_radius");
    const std::string walls = error_of(R"({"dimension": 3, "particle_radius": 0.0001,
        "domain": {"min": [0, 0, 0], "max": [1, 1, 1]},
        "fluid": [{"min": [0, 0, 0], "max": [0.01, 0.01, 0.01]}]})");
    EXPECT_MENTIONS(walls, "/domain: the domain walls at particle_radius");
}

// The estimate that guards memory counts what the sampler makes: exactly for boxes and walls,
// within one centre sample per layer for spheres.
TEST(SceneLimits, TheBoundaryEstimateCountsWhatTheSamplerMakes) {
    const Scene scene = parse_scene(R"({"dimension": 3, "particle_radius": 0.02,
        "domain": {"min": [0, 0, 0], "max": [1, 0.8, 0.6]},
        "fluid": [{"min": [0, 0, 0], "max": [0.3, 0.3, 0.3]}],
        "obstacles": [{"min": [0.5, 0, 0.1], "max": [0.73, 0.31, 0.5]},
                      {"shape": "sphere", "center": [0.7, 0.6, 0.3], "radius": 0.1},
                      {"shape": "sphere", "center": [0.2, 0.6, 0.3], "radius": 0.01}]})",
                                    "test.json");
    const BoundaryEstimate e = estimate_boundary_samples(scene);
    const double spacing = 0.04;
    BoundarySamples<3> walls;
    sample_domain_walls<3>(scene.domain_min, scene.domain_max, spacing, kBoundaryLayers, walls);
    EXPECT_EQ(e.walls, static_cast<double>(walls.position.size()));
    ASSERT_EQ(e.obstacles.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        BoundarySamples<3> samples;
        sample_obstacle<3>(scene.obstacles[i], spacing, kBoundaryLayers, samples);
        const double made = static_cast<double>(samples.position.size());
        EXPECT_GE(e.obstacles[i], made) << i;
        EXPECT_LE(e.obstacles[i], made + kBoundaryLayers) << i;
    }
}

}  // namespace
}  // namespace flume
