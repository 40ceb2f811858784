// The app's logic that needs no window: cameras and picking, colour maps, particle colours, the
// simulation runner (its save and load of states too), the probes' history, dropped files, the
// views' names, the remembered UI settings, the Scene list's thumbnails, descriptions and start
// scene.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include "app/body_picking.hpp"
#include "app/camera.hpp"
#include "app/color_map.hpp"
#include "app/dropped_files.hpp"
#include "app/particle_colors.hpp"
#include "app/probe_history.hpp"
#include "app/scene_display.hpp"
#include "app/scene_sketch.hpp"
#include "app/simulation_runner.hpp"
#include "app/ui_settings.hpp"
#include "app/view_mode.hpp"
#include "core/errors.hpp"
#include "core/scene_library.hpp"

namespace flume {
namespace {

TEST(DroppedFiles, KindsByExtension) {
    EXPECT_EQ(dropped_file_kind("/x/Pour.JSON"), DroppedFile::Scene);
    EXPECT_EQ(dropped_file_kind("funnel.obj"), DroppedFile::Mesh);
    EXPECT_EQ(dropped_file_kind("hull.STL"), DroppedFile::Mesh);
    EXPECT_EQ(dropped_file_kind("dam-break-2d-120.Flume-State"), DroppedFile::State);
    EXPECT_EQ(dropped_file_kind("notes.txt"), DroppedFile::Unknown);
    EXPECT_EQ(dropped_file_kind("obj"), DroppedFile::Unknown);
}

// A dropped mesh is a quarter of the domain's smallest extent, centred where asked, pushed inside.
TEST(DroppedFiles, AMeshIsScaledAndKeptInsideTheDomain) {
    const Scene ramp = load_builtin_scene("ramp-3d");  // domain [0, 3] x [0, 1.2] x [0, 0.6]
    const std::string cube = builtin_file("meshes/cube.obj");
    const Scene centred = scene_with_dropped_mesh(ramp, cube, "cube.obj", {1.5, 0.6, 0.3});
    ASSERT_EQ(centred.obstacles.size(), ramp.obstacles.size() + 1);
    const MeshShape& m = *centred.obstacles.back().mesh;
    EXPECT_EQ(m.file, "cube.obj");
    EXPECT_FALSE(m.invert);
    EXPECT_NEAR(m.upper.x - m.lower.x, 0.15, 1e-12);
    EXPECT_NEAR(m.lower.y, 0.525, 1e-12);
    EXPECT_NEAR(m.area, 6 * 0.15 * 0.15, 1e-12);

    const Scene corner = scene_with_dropped_mesh(ramp, cube, "cube.obj", {-5.0, 9.0, 0.3});
    const MeshShape& c = *corner.obstacles.back().mesh;
    EXPECT_NEAR(c.lower.x, 0.0, 1e-12);
    EXPECT_NEAR(c.upper.y, 1.2, 1e-12);
}

TEST(DroppedFiles, ABrokenMeshOrA2DSceneIsANamedError) {
    const Scene ramp = load_builtin_scene("ramp-3d");
    std::string open = builtin_file("meshes/cube.obj");
    open.erase(open.rfind("f "));  // one face less: a hole
    try {
        scene_with_dropped_mesh(ramp, open, "open.obj", {1, 0.5, 0.3});
        FAIL() << "an open mesh was added";
    } catch (const MeshError& e) {
        EXPECT_NE(std::string(e.what()).find("open.obj is not closed"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(scene_with_dropped_mesh(ramp, "v 0 0 0\n", "empty.obj", {1, 0.5, 0.3}), MeshError);
    EXPECT_THROW(scene_with_dropped_mesh(load_builtin_scene("dam-break-2d"),
                                         builtin_file("meshes/cube.obj"), "cube.obj", {1, 1, 0}),
                 SceneError);
}

// A scene dropped with its meshes: named as "meshes/ramp.obj", found beside it under "ramp.obj"
// (the browser's folder of dropped files is flat); a missing one is named.
TEST(DroppedFiles, ASceneFindsTheMeshesDroppedWithIt) {
    const std::filesystem::path folder =
        std::filesystem::temp_directory_path() /
        ("flume-drop-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(folder);
    const EmbeddedFile* ramp = nullptr;
    for (const EmbeddedFile& f : builtin_scenes()) {
        if (f.name == "ramp-3d") ramp = &f;
    }
    ASSERT_NE(ramp, nullptr);
    std::ofstream(folder / "ramp-3d.json") << ramp->text;
    EXPECT_THROW(load_dropped_scene((folder / "ramp-3d.json").string()), SceneError);
    std::ofstream(folder / "ramp.obj") << builtin_file("meshes/ramp.obj");
    const Scene scene = load_dropped_scene((folder / "ramp-3d.json").string());
    ASSERT_EQ(scene.obstacles.size(), 1u);
    EXPECT_EQ(scene.obstacles[0].mesh->file, "meshes/ramp.obj");
    std::filesystem::remove_all(folder);
}

// The Scene panel names a scene opened from a file (command line, path field, drop) by its
// file, never as if it were the built-in scene of the same name (issue 33).
TEST(SceneDisplay, ASceneFromAFileIsLabelledWithItsFileName) {
    EXPECT_EQ(scene_label(load_scene("dam-break-2d")), "dam-break-2d");
    // A mesh dropped on a scene changes it: the label says so, once per mesh.
    const Scene ramp = load_builtin_scene("ramp-3d");
    const std::string cube = builtin_file("meshes/cube.obj");
    const Scene one = scene_with_dropped_mesh(ramp, cube, "cube.obj", {1.5, 0.6, 0.3});
    EXPECT_EQ(scene_label(one), "ramp-3d + cube.obj");
    EXPECT_EQ(scene_label(scene_with_dropped_mesh(one, cube, "b.obj", {1, 0.6, 0.3})),
              "ramp-3d + cube.obj + b.obj");

    const std::filesystem::path folder =
        std::filesystem::temp_directory_path() /
        ("flume-label-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(folder);
    for (const EmbeddedFile& f : builtin_scenes()) {  // a copy of a built-in, same "name"
        if (f.name == "dam-break-2d") std::ofstream(folder / "my-copy.json") << f.text;
        if (f.name == "dam-break-3d") std::ofstream(folder / "my-3d.json") << f.text;
    }
    const std::string path = (folder / "my-copy.json").string();
    const Scene opened = load_scene(path);
    ASSERT_EQ(opened.name, "dam-break-2d");
    EXPECT_EQ(scene_label(opened), "from file: my-copy.json");
    EXPECT_EQ(scene_label(load_dropped_scene(path)), "from file: my-copy.json");
    const Scene file_3d = load_scene((folder / "my-3d.json").string());
    EXPECT_EQ(scene_label(scene_with_dropped_mesh(file_3d, cube, "cube.obj", {0.5, 0.5, 0.5})),
              "from file: my-3d.json + cube.obj");
    std::filesystem::remove_all(folder);
}

// Domain walls are drawn only when the scene has them (issue 33); the desktop smoke test checks
// the pictures.
// Save state's file: SCENE-STEP.flume-state, named after a file's stem when the scene has no
// name, with nothing a file name cannot hold.
TEST(SceneDisplay, AStateFileIsNamedAfterTheSceneAndTheStep) {
    EXPECT_EQ(state_file_name(load_scene("dam-break-3d"), 120), "dam-break-3d-120.flume-state");
    Scene unnamed = load_scene("dam-break-2d");
    unnamed.name = "";
    unnamed.source = "/home/me/my pour.json + cube.obj";
    EXPECT_EQ(state_file_name(unnamed, 7), "my-pour-7.flume-state");
    unnamed.name = "a/b: c";
    EXPECT_EQ(state_file_name(unnamed, 0), "a-b--c-0.flume-state");
}

TEST(SceneDisplay, DomainWallsAreDrawnOnlyWhenTheSceneHasThem) {
    EXPECT_TRUE(draws_domain_walls(load_scene("dam-break-3d")));
    EXPECT_FALSE(draws_domain_walls(load_scene("dam-break-3d", {"domain_walls=false"})));
}

TEST(Camera2D, FitsTheDomainAndMapsPixelsBack) {
    Camera2D camera;
    const glm::vec2 viewport(1280, 720);
    camera.fit(glm::vec2(0, 0), glm::vec2(4, 4), viewport);
    // The centre pixel is the domain centre; the domain's height fits within the viewport.
    const glm::vec2 centre = camera.pixel_to_world(viewport * 0.5f, viewport);
    EXPECT_NEAR(centre.x, 2.0f, 1e-5f);
    EXPECT_NEAR(centre.y, 2.0f, 1e-5f);
    const glm::vec2 top = camera.pixel_to_world(glm::vec2(640, 0), viewport);
    EXPECT_GT(top.y, 4.0f);
    EXPECT_LT(top.y, 4.5f);
    // Screen y grows downwards, world y upwards.
    EXPECT_GT(camera.pixel_to_world(glm::vec2(640, 100), viewport).y,
              camera.pixel_to_world(glm::vec2(640, 600), viewport).y);
    // The projection maps the world point back to the same pixel.
    const glm::vec2 world = camera.pixel_to_world(glm::vec2(200, 500), viewport);
    const glm::vec4 clip = camera.view_projection(viewport.x / viewport.y) * glm::vec4(world, 0, 1);
    EXPECT_NEAR((clip.x * 0.5f + 0.5f) * viewport.x, 200.0f, 1e-2f);
    EXPECT_NEAR((0.5f - clip.y * 0.5f) * viewport.y, 500.0f, 1e-2f);
}

TEST(Camera2D, FitKeepsTheDomainRightOfAPanel) {
    Camera2D camera;
    const glm::vec2 viewport(1280, 720);
    camera.fit(glm::vec2(0, 0), glm::vec2(4, 4), viewport, 360.0f);
    // The domain's left edge maps right of the panel, its right edge inside the window.
    const glm::vec4 left = camera.view_projection(viewport.x / viewport.y) * glm::vec4(0, 2, 0, 1);
    const glm::vec4 right = camera.view_projection(viewport.x / viewport.y) * glm::vec4(4, 2, 0, 1);
    EXPECT_GE((left.x * 0.5f + 0.5f) * viewport.x, 360.0f);
    EXPECT_LE((right.x * 0.5f + 0.5f) * viewport.x, viewport.x);
}

TEST(Camera2D, ZoomKeepsThePointUnderTheCursor) {
    Camera2D camera;
    const glm::vec2 viewport(800, 600);
    camera.fit(glm::vec2(0, 0), glm::vec2(1, 1), viewport);
    const glm::vec2 cursor(123, 456);
    const glm::vec2 before = camera.pixel_to_world(cursor, viewport);
    camera.zoom_at(1.7f, cursor, viewport);
    const glm::vec2 after = camera.pixel_to_world(cursor, viewport);
    EXPECT_NEAR(before.x, after.x, 1e-5f);
    EXPECT_NEAR(before.y, after.y, 1e-5f);
    const float half = camera.half_height();
    camera.pan_pixels(glm::vec2(100, 0), viewport);  // drag right: the world moves right
    EXPECT_LT(camera.center().x, 0.5f);
    EXPECT_EQ(camera.half_height(), half);
}

TEST(OrbitCamera, PickRayThroughTheCentreHitsTheTarget) {
    OrbitCamera camera;
    camera.fit(glm::vec3(0), glm::vec3(4, 3, 1.5f));
    const glm::vec2 viewport(1280, 720);
    const Ray ray = camera.pick_ray(viewport * 0.5f, viewport);
    EXPECT_NEAR(glm::length(ray.direction), 1.0f, 1e-5f);
    // The target lies on the ray.
    const glm::vec3 to_target = camera.target() - ray.origin;
    const glm::vec3 off_ray = to_target - ray.direction * glm::dot(to_target, ray.direction);
    EXPECT_LT(glm::length(off_ray), 1e-3f * camera.distance());
    // A ray through a pixel right of the centre points to the right of the view.
    const Ray right = camera.pick_ray(glm::vec2(1000, 360), viewport);
    const glm::vec3 side = glm::cross(ray.direction, glm::vec3(0, 1, 0));
    EXPECT_GT(glm::dot(right.direction, side), 0.0f);
    // Projecting a point of the ray lands on the pixel it was cast from.
    const glm::vec3 p = right.origin + right.direction * camera.distance();
    const glm::vec4 clip =
        camera.projection(viewport.x / viewport.y) * camera.view() * glm::vec4(p, 1);
    EXPECT_NEAR((clip.x / clip.w * 0.5f + 0.5f) * viewport.x, 1000.0f, 0.5f);
    EXPECT_NEAR((0.5f - clip.y / clip.w * 0.5f) * viewport.y, 360.0f, 0.5f);
}

// With a panel over the left 360 pixels of a 960 x 600 window, the 3D view frames the box in
// the rest: every corner lands there, the target in its middle, and picking agrees.
TEST(OrbitCamera, FramesTheBoxInThePartThePanelsLeaveFree) {
    OrbitCamera camera;
    const glm::vec3 lo(0.0f), hi(3.22f, 1.0f, 1.0f);  // the dam break's tank
    const glm::vec2 viewport(960, 600);
    camera.fit(lo, hi, viewport, 360.0f, 0.0f);
    const glm::mat4 m = camera.projection(viewport.x / viewport.y) * camera.view();
    auto pixel = [&](const glm::vec3& p) {
        const glm::vec4 clip = m * glm::vec4(p, 1.0f);
        return glm::vec2((clip.x / clip.w * 0.5f + 0.5f) * viewport.x,
                         (0.5f - clip.y / clip.w * 0.5f) * viewport.y);
    };
    for (int corner = 0; corner < 8; ++corner) {
        const glm::vec3 p(corner & 1 ? hi.x : lo.x, corner & 2 ? hi.y : lo.y,
                          corner & 4 ? hi.z : lo.z);
        const glm::vec2 px = pixel(p);
        EXPECT_GT(px.x, 360.0f) << corner;
        EXPECT_LT(px.x, 960.0f) << corner;
        EXPECT_GT(px.y, 0.0f) << corner;
        EXPECT_LT(px.y, 600.0f) << corner;
    }
    EXPECT_NEAR(pixel(camera.target()).x, 660.0f, 0.5f);
    EXPECT_NEAR(pixel(camera.target()).y, 300.0f, 0.5f);
    const Ray ray = camera.pick_ray(glm::vec2(660, 300), viewport);
    const glm::vec3 to_target = camera.target() - ray.origin;
    EXPECT_LT(glm::length(to_target - ray.direction * glm::dot(to_target, ray.direction)),
              1e-3f * camera.distance());
    // Without the panel, the middle of the window.
    camera.fit(lo, hi, viewport);
    const glm::vec4 clip = camera.projection(viewport.x / viewport.y) * camera.view() *
                           glm::vec4(camera.target(), 1.0f);
    EXPECT_NEAR(clip.x / clip.w, 0.0f, 1e-5f);
}

TEST(OrbitCamera, ZoomAndRotateStayInRange) {
    OrbitCamera camera;
    camera.fit(glm::vec3(-1), glm::vec3(1));
    const float d = camera.distance();
    camera.zoom(2.0f);
    EXPECT_NEAR(camera.distance(), d / 2.0f, 1e-5f);
    camera.rotate(0.0f, 10.0f);  // pitch is clamped short of the pole: the view stays defined
    EXPECT_FALSE(std::isnan(camera.view()[0][0]));
    EXPECT_LT(camera.eye().y - camera.target().y, camera.distance());
}

TEST(ColorMap, EndsClampingAndNaN) {
    for (ColorMap map : {ColorMap::Viridis, ColorMap::Turbo}) {
        const glm::vec3 lo = color_at(map, 0.0f), hi = color_at(map, 1.0f);
        EXPECT_NE(lo, hi);
        EXPECT_EQ(color_at(map, -3.0f), lo);
        EXPECT_EQ(color_at(map, 7.0f), hi);
        EXPECT_EQ(color_at(map, std::nanf("")), lo);
        for (float t = 0.0f; t <= 1.0f; t += 0.01f) {
            const glm::vec3 c = color_at(map, t);
            for (int k = 0; k < 3; ++k) {
                EXPECT_GE(c[k], 0.0f);
                EXPECT_LE(c[k], 1.0f);
            }
        }
    }
    // Viridis gets brighter from end to end.
    auto luminance = [](glm::vec3 c) { return 0.3f * c.r + 0.59f * c.g + 0.11f * c.b; };
    EXPECT_LT(luminance(color_at(ColorMap::Viridis, 0.1f)),
              luminance(color_at(ColorMap::Viridis, 0.9f)));
    EXPECT_EQ(color_at(ColorMap::Water, 0.3f), kWaterColor);
}

// Three 2D particles: speeds 0, 2.5 and 5; densities 1000, 1010 and NaN; pressures all 0.
ParticleSnapshot three_particles() {
    ParticleSnapshot s;
    s.dimension = 2;
    s.position = {0, 0, 1, 0, 2, 0};
    s.velocity = {0, 0, 1.5f, 2, 3, -4};
    s.density = {1000, 1010, std::nanf("")};
    s.pressure = {0, 0, 0};
    s.id = {0, 1, 2};
    return s;
}

TEST(ParticleColors, WaterHasNoRangeNorValues) {
    const ParticleSnapshot s = three_particles();
    EXPECT_FALSE(quantity_ranges(s.view()).of(ColorBy::Water));
    EXPECT_EQ(particle_values(s.view(), ColorBy::Water).components, 0);
}

TEST(ParticleColors, SpeedSpansFromSlowestToFastestAndIsTheVelocitysLength) {
    const ParticleSnapshot s = three_particles();
    const auto range = quantity_ranges(s.view()).of(ColorBy::Speed);
    ASSERT_TRUE(range);
    EXPECT_EQ(range->min, 0.0f);
    EXPECT_EQ(range->max, 5.0f);
    const ParticleValues v = particle_values(s.view(), ColorBy::Speed);
    EXPECT_EQ(v.data, s.velocity.data());
    EXPECT_EQ(v.components, 2);  // the shader takes the length
}

TEST(ParticleColors, NaNIsLeftOutOfTheRange) {
    const ParticleSnapshot s = three_particles();
    const auto range = quantity_ranges(s.view()).of(ColorBy::Density);
    ASSERT_TRUE(range);
    EXPECT_EQ(range->min, 1000.0f);
    EXPECT_EQ(range->max, 1010.0f);
    const ParticleValues v = particle_values(s.view(), ColorBy::Density);
    EXPECT_EQ(v.data, s.density.data());
    EXPECT_EQ(v.components, 1);

    // Every value NaN: no range for the legend.
    ParticleSnapshot all_nan = s;
    all_nan.density.assign(3, std::nanf(""));
    EXPECT_FALSE(quantity_ranges(all_nan.view()).density);
}

TEST(ParticleColors, AUniformQuantityGetsARangeItCanDivideBy) {
    const ParticleSnapshot s = three_particles();
    const auto range = quantity_ranges(s.view()).of(ColorBy::Pressure);
    ASSERT_TRUE(range);
    EXPECT_EQ(range->min, 0.0f);
    EXPECT_GT(range->max, range->min);

    ParticleSnapshot none;
    none.dimension = 2;
    const QuantityRanges empty = quantity_ranges(none.view());
    EXPECT_FALSE(empty.speed || empty.density || empty.pressure);
}

// The colour bar (CPU) and the particle shader (GPU) read the same stops.
TEST(ColorMap, TheStopsAreTheMapsEnds) {
    for (ColorMap map : {ColorMap::Viridis, ColorMap::Turbo}) {
        const auto stops = color_map_stops(map);
        ASSERT_EQ(stops.size(), kColorMapStops);
        EXPECT_EQ(stops.front(), color_at(map, 0.0f));
        EXPECT_EQ(stops.back(), color_at(map, 1.0f));
        EXPECT_EQ(stops[4], color_at(map, 0.5f));
    }
}

// Waits (polling, with a generous limit of about a minute) until `condition` holds.
template <class F>
bool eventually(F condition) {
    for (int i = 0; i < 12000; ++i) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

TEST(SimulationRunner, StepsOnItsOwnThreadAndPublishesFrames) {
    SimulationRunner runner(2);
    runner.load(load_scene("dam-break-2d", {"particle_radius=0.04"}));
    ASSERT_TRUE(eventually([&] { return runner.acquire_frame(); }));
    EXPECT_EQ(runner.frame().particles.id.size(), runner.frame().stats.fluid_particles);
    std::uint64_t step = 0;
    ASSERT_TRUE(eventually([&] {
        runner.frame_tick();
        if (runner.acquire_frame()) step = runner.frame().stats.step;
        return step >= 20;
    }));

    // Paused: no frame ticks make it step; a single step does. Commands run on the simulation
    // thread between steps, in order, and a parameter change publishes a frame; so the frame that
    // shows a changed parameter is a barrier: nothing the test did before it is still in flight.
    const auto barrier = [&runner](double viscosity) {
        runner.set_parameter("viscosity", viscosity);
        return eventually([&] {
            runner.acquire_frame();
            return runner.frame().scene->params.to_json("viscosity") == viscosity;
        });
    };
    runner.set_paused(true);
    ASSERT_TRUE(barrier(0.011));  // a step under way when the pause came has been published
    const std::uint64_t paused_at = runner.frame().stats.step;
    for (int i = 0; i < 5; ++i)
        runner.frame_tick();
    // A step taken for those ticks would run before the first barrier's command or right after
    // it, so the second barrier's frame would show it.
    ASSERT_TRUE(barrier(0.012));
    ASSERT_TRUE(barrier(0.013));
    EXPECT_EQ(runner.frame().stats.step, paused_at);
    runner.step_once();
    ASSERT_TRUE(eventually([&] {
        runner.acquire_frame();
        return runner.frame().stats.step != paused_at;
    }));
    EXPECT_EQ(runner.frame().stats.step, paused_at + 1);
    ASSERT_TRUE(barrier(0.014));
    EXPECT_EQ(runner.frame().stats.step, paused_at + 1);

    // Reset starts the scene again.
    runner.reset();
    ASSERT_TRUE(
        eventually([&] { return runner.acquire_frame() && runner.frame().stats.step == 0; }));
}

// A capture of one state: the runner pauses exactly at the step asked for, however many steps
// the frame ticks grant, and its frame carries the quantities' ranges.
TEST(SimulationRunner, PausesAtTheStepAskedFor) {
    SimulationRunner runner(2);
    runner.pause_at(7);
    runner.set_steps_per_frame(64);
    runner.load(load_scene("dam-break-2d", {"particle_radius=0.04"}));
    ASSERT_TRUE(eventually([&] {
        runner.frame_tick();
        runner.acquire_frame();
        return runner.paused();
    }));
    ASSERT_TRUE(eventually([&] {
        runner.acquire_frame();
        return runner.frame().stats.step == 7;
    }));
    for (int i = 0; i < 5; ++i)
        runner.frame_tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    runner.acquire_frame();
    EXPECT_EQ(runner.frame().stats.step, 7u);
    ASSERT_TRUE(runner.frame().ranges.density);
    EXPECT_GT(runner.frame().ranges.density->max, 0.0f);
}

// A capture run that skips frames on its way (App::skip_frame): unpaced, the runner reaches the
// step without a single frame tick, and still pauses exactly there; paced, it waits for frames.
TEST(SimulationRunner, RunsUnpacedToThePauseAtAStep) {
    SimulationRunner paced(1);
    paced.pause_at(7);
    paced.load(load_scene("dam-break-2d", {"particle_radius=0.04"}));
    SimulationRunner unpaced(1);
    unpaced.pause_at(7, true);
    unpaced.load(load_scene("dam-break-2d", {"particle_radius=0.04"}));
    ASSERT_TRUE(eventually([&] {
        unpaced.acquire_frame();
        return unpaced.paused() && unpaced.frame().stats.step == 7;
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    unpaced.acquire_frame();
    EXPECT_EQ(unpaced.frame().stats.step, 7u);
    ASSERT_TRUE(eventually([&] { return paced.acquire_frame() && paced.frame().scene; }));
    EXPECT_EQ(paced.frame().stats.step, 0u) << "no frame drawn, no step granted";
    EXPECT_FALSE(paced.paused());
}

TEST(SimulationRunner, ABadSceneKeepsThePreviousOneAndSaysWhy) {
    SimulationRunner runner(1);
    runner.load(load_scene("dam-break-2d", {"particle_radius=0.04"}));
    ASSERT_TRUE(eventually([&] { return runner.acquire_frame(); }));
    const std::uint64_t generation = runner.frame().scene_generation;
    // Valid JSON, but a domain far too large for its particle size: refused when built (the
    // neighbour grid's cells; without walls, whose samples the loader would count and refuse).
    runner.load(parse_scene(R"({"dimension": 2, "particle_radius": 0.01, "domain_walls": false,
        "domain": {"min": [0, 0], "max": [100000, 100000]},
        "fluid": [{"min": [0, 0], "max": [0.1, 0.1]}]})",
                            "huge.json"));
    std::optional<std::string> message;
    ASSERT_TRUE(eventually([&] { return (message = runner.take_message()).has_value(); }));
    EXPECT_NE(message->find("particle_radius"), std::string::npos) << *message;
    EXPECT_NE(message->find("previous scene keeps running"), std::string::npos) << *message;
    runner.frame_tick();
    ASSERT_TRUE(eventually([&] {
        runner.frame_tick();
        return runner.acquire_frame();
    }));
    EXPECT_EQ(runner.frame().scene_generation, generation);
}

// A clock for the runner that moves only as the test says: `per_read` seconds pass at every
// reading, so a test decides how long a step takes, whatever the machine's speed.
struct FakeClock {
    double now = 0.0;
    double per_read = 0.0;
    SimulationRunner::Clock clock() {
        return [this] {
            const double t = now;
            now += per_read;
            return t;
        };
    }
};

TEST(SimulationRunner, InlineModeStepsOnTheCallerWithinFrameTicks) {
    // The browser's single-threaded build: no thread, the work happens inside frame_tick().
    FakeClock time;  // stands still: every granted step fits in the tick's budget
    SimulationRunner runner(1, SimulationRunner::Mode::Inline, time.clock());
    EXPECT_EQ(runner.mode(), SimulationRunner::Mode::Inline);
    runner.load(load_scene("dam-break-2d", {"particle_radius=0.04"}));
    EXPECT_FALSE(runner.acquire_frame()) << "nothing runs before the first frame tick";
    runner.set_steps_per_frame(3);
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_EQ(runner.frame().stats.step, 3u) << "a tick runs the granted steps, no more";
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_EQ(runner.frame().stats.step, 6u);

    runner.set_paused(true);
    runner.frame_tick();
    EXPECT_FALSE(runner.acquire_frame());
    runner.step_once();
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_EQ(runner.frame().stats.step, 7u);

    // A scene refused when built: the message comes back, the previous scene stays.
    const std::uint64_t generation = runner.frame().scene_generation;
    runner.load(parse_scene(R"({"dimension": 2, "particle_radius": 0.01, "domain_walls": false,
        "domain": {"min": [0, 0], "max": [100000, 100000]},
        "fluid": [{"min": [0, 0], "max": [0.1, 0.1]}]})",
                            "huge.json"));
    runner.frame_tick();
    const std::optional<std::string> message = runner.take_message();
    ASSERT_TRUE(message.has_value());
    EXPECT_NE(message->find("previous scene keeps running"), std::string::npos) << *message;
    EXPECT_FALSE(runner.take_message().has_value()) << "a message is delivered once";
    runner.set_paused(false);
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_EQ(runner.frame().scene_generation, generation);

    runner.reset();
    runner.set_paused(true);
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_EQ(runner.frame().stats.step, 0u);
}

// The Parameters panel's emitter controls (set_emitter_enabled, set_emitter_velocity): the frame
// shows the new setting at once, also while paused; switched off, the emitter makes nothing more;
// switched back on, it does again; faster, it makes particles faster.
TEST(SimulationRunner, TheEmitterControlsSwitchAndSpeedTheEmitter) {
    FakeClock time;
    SimulationRunner runner(1, SimulationRunner::Mode::Inline, time.clock());
    runner.load(load_scene("channel-2d", {"particle_radius=0.02"}));
    runner.set_steps_per_frame(16);
    double seconds = 0.0;              // of simulated time, the last run's
    const auto run = [&](int ticks) {  // returns the particles emitted over `ticks` frames
        runner.frame_tick();
        EXPECT_TRUE(runner.acquire_frame());
        const std::uint64_t before = runner.frame().emitters.at(0).emitted;
        const double start = runner.frame().stats.time;
        for (int i = 0; i < ticks; ++i) {
            runner.frame_tick();
            EXPECT_TRUE(runner.acquire_frame());
        }
        seconds = runner.frame().stats.time - start;
        return runner.frame().emitters.at(0).emitted - before;
    };
    const std::uint64_t on = run(20);
    EXPECT_GT(on, 0u) << "the emitter makes particles";
    ASSERT_TRUE(runner.frame().emitters[0].enabled);

    runner.set_paused(true);
    runner.set_emitter_enabled(0, false);
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame()) << "a paused runner publishes the change";
    EXPECT_FALSE(runner.frame().emitters[0].enabled);
    EXPECT_FALSE(runner.frame().emitters[0].emitting);
    runner.set_paused(false);
    EXPECT_EQ(run(20), 0u) << "switched off, it makes nothing";

    runner.set_emitter_enabled(0, true);
    const std::uint64_t again = run(20);
    EXPECT_TRUE(runner.frame().emitters[0].enabled);
    EXPECT_GT(again, 0u) << "switched back on, it emits again";
    const double rate = static_cast<double>(again) / seconds;

    runner.set_emitter_velocity(0, 3.0);
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_DOUBLE_EQ(runner.frame().emitters[0].velocity, 3.0);
    const double faster = static_cast<double>(run(20)) / seconds;
    EXPECT_GT(faster, 2.0 * rate) << "per simulated second, 3 m/s emits more than twice 1 m/s's "
                                  << faster << " vs " << rate;
}

// A box turned a quarter about z (rest frame [0, 2] x [0, 1] x [0, 1] placed about the origin)
// and a sphere: rays and points are tested where the bodies are, in their rest frames.
TEST(BodyPicking, RaysAndPointsHitTheBodiesWhereThePosesPutThem) {
    BodyDesc box, ball;
    box.shape.shape = Shape::Box;
    box.shape.min = glm::dvec3(0.0);
    box.shape.max = glm::dvec3(2.0, 1.0, 1.0);
    ball.shape.shape = Shape::Sphere;
    ball.shape.center = glm::dvec3(0.0);
    ball.shape.radius = 0.5;
    const std::vector<BodyDesc> bodies{box, ball};
    // The box turned by 90 degrees about z: rest (x, y) goes to (-y, x); the ball moved to z = 5.
    glm::mat4 turn(0.0f);
    turn[0] = glm::vec4(0, 1, 0, 0);
    turn[1] = glm::vec4(-1, 0, 0, 0);
    turn[2] = glm::vec4(0, 0, 1, 0);
    turn[3] = glm::vec4(0, 0, 0, 1);
    glm::mat4 moved(1.0f);
    moved[3] = glm::vec4(0, 0, 5, 1);
    const std::vector<glm::mat4> poses{turn, moved};

    // Down the z axis from above, through world (-0.5, 1.5): inside the turned box only.
    const auto hit = pick_body(bodies, poses, Ray{{-0.5f, 1.5f, 10.0f}, {0.0f, 0.0f, -1.0f}});
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->body, 0u);
    EXPECT_NEAR(hit->anchor.x, 1.5f, 1e-5f);  // rest x = world y
    EXPECT_NEAR(hit->anchor.y, 0.5f, 1e-5f);  // rest y = -world x
    EXPECT_NEAR(hit->anchor.z, 1.0f, 1e-5f);  // its top face
    EXPECT_NEAR(hit->point.z, 1.0f, 1e-5f);
    EXPECT_FALSE(pick_body(bodies, poses, Ray{{1.5f, 0.5f, 10.0f}, {0.0f, 0.0f, -1.0f}}))
        << "where the box would be unturned, nothing";
    // Down the z axis through the origin: the ball (at z = 5) first, then the box.
    const auto first = pick_body(bodies, poses, Ray{{-0.1f, 0.1f, 10.0f}, {0.0f, 0.0f, -1.0f}});
    ASSERT_TRUE(first);
    EXPECT_EQ(first->body, 1u);
    EXPECT_NEAR(first->point.z, 5.0f + std::sqrt(0.25f - 0.02f), 1e-4f);
    EXPECT_FALSE(pick_body(bodies, poses, Ray{{-0.1f, 0.1f, 10.0f}, {0.0f, 0.0f, 1.0f}}))
        << "behind the ray's origin, nothing";

    // 2D: the point inside the turned box, in its rest frame.
    const auto point = pick_body_2d(bodies, poses, glm::vec2(-0.25f, 1.75f));
    ASSERT_TRUE(point);
    EXPECT_EQ(point->body, 0u);
    EXPECT_NEAR(point->anchor.x, 1.75f, 1e-5f);
    EXPECT_NEAR(point->anchor.y, 0.25f, 1e-5f);
    EXPECT_FALSE(pick_body_2d(bodies, poses, glm::vec2(1.75f, 0.25f)));
    EXPECT_EQ(body_shape_center(box), glm::vec3(1.0f, 0.5f, 0.5f));
    EXPECT_EQ(body_shape_center(ball), glm::vec3(0.0f));

    // A mesh (the unit cube's) is hit on its triangles: from above at z = 1, not beside it.
    BodyDesc cube;
    cube.shape.shape = Shape::Mesh;
    auto mesh = std::make_shared<MeshShape>();
    mesh->mesh = read_mesh(builtin_file("meshes/cube.obj"), "cube.obj");
    cube.shape.mesh = mesh;
    const std::vector<BodyDesc> meshes{cube};
    const std::vector<glm::mat4> still{glm::mat4(1.0f)};
    const auto top = pick_body(meshes, still, Ray{{0.3f, 0.6f, 10.0f}, {0.0f, 0.0f, -1.0f}});
    ASSERT_TRUE(top);
    EXPECT_NEAR(top->anchor.z, 1.0f, 1e-5f);
    EXPECT_FALSE(pick_body(meshes, still, Ray{{1.3f, 0.6f, 10.0f}, {0.0f, 0.0f, -1.0f}}));
}

// The Parameters panel's body controls and the mouse's drag, through the runner: published in
// the frames, a bad density refused with the core's reason.
TEST(SimulationRunner, TheBodyControlsAndTheDragReachTheBodies) {
    FakeClock time;
    SimulationRunner runner(1, SimulationRunner::Mode::Inline, time.clock());
    runner.load(load_scene("floating-boxes-2d", {"particle_radius=0.02"}));
    runner.set_steps_per_frame(4);
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    ASSERT_EQ(runner.frame().bodies.size(), 4u);
    ASSERT_EQ(runner.frame().body_poses.size(), 4u);
    const glm::dvec3 start = runner.frame().bodies[1].position;
    EXPECT_NEAR(start.x, 1.0, 1e-9);

    runner.set_paused(true);
    runner.set_body_fixed(0, true);
    runner.set_body_density(2, 700.0);
    runner.push_body(3, glm::dvec3(0.0, 2.0, 0.0), 2);
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_TRUE(runner.frame().bodies[0].fixed);
    EXPECT_DOUBLE_EQ(runner.frame().scene->bodies[2].density, 700.0);
    EXPECT_DOUBLE_EQ(runner.frame().bodies[3].velocity.y, 2.0);
    runner.set_body_density(1, 1.0);  // lighter than the coupling keeps stable
    runner.frame_tick();
    const std::optional<std::string> message = runner.take_message();
    ASSERT_TRUE(message);
    EXPECT_NE(message->find("lighter"), std::string::npos) << *message;

    // Dragged by its centre towards (1.5, 0.9): it goes there.
    runner.set_body_drag(BodyDrag{1, glm::dvec3(1.0, 0.7, 0.0), glm::dvec3(1.5, 0.9, 0.0)});
    runner.set_paused(false);
    for (int i = 0; i < 60; ++i)
        runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_GT(runner.frame().bodies[1].position.x, start.x + 0.2);
    runner.set_body_drag(BodyDrag{7, glm::dvec3(0.0), glm::dvec3(0.0)});
    runner.frame_tick();
    const std::optional<std::string> no_body = runner.take_message();
    ASSERT_TRUE(no_body);
    EXPECT_NE(no_body->find("no body 7"), std::string::npos) << *no_body;
}

// What --press waits for: every command and single step carried out (settled); each S a step,
// however quickly pressed; the pause at a step happens once per load, so Space resumes from it.
TEST(SimulationRunner, SettlesAfterEachSingleStepAndResumesAfterThePauseAtAStep) {
    FakeClock time;
    SimulationRunner runner(1, SimulationRunner::Mode::Inline, time.clock());
    runner.pause_at(5);
    runner.load(load_scene("dam-break-2d", {"particle_radius=0.04"}));
    EXPECT_FALSE(runner.settled()) << "the load is not carried out yet";
    for (int i = 0; i < 4 && !runner.paused(); ++i)
        runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    ASSERT_TRUE(runner.paused());
    EXPECT_EQ(runner.frame().stats.step, 5u);
    EXPECT_TRUE(runner.settled());
    runner.step_once();
    runner.step_once();
    runner.step_once();
    EXPECT_FALSE(runner.settled());
    runner.frame_tick();
    EXPECT_TRUE(runner.settled());
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_EQ(runner.frame().stats.step, 8u) << "three presses of S, three steps";
    runner.set_paused(false);
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_GT(runner.frame().stats.step, 8u) << "resumed past the pause at step 5";
    EXPECT_FALSE(runner.paused());
    runner.reset();
    EXPECT_FALSE(runner.settled());
    for (int i = 0; i < 4 && !runner.paused(); ++i)
        runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_TRUE(runner.settled());
    EXPECT_EQ(runner.frame().stats.step, 5u) << "a reset pauses at the step again";
}

TEST(SimulationRunner, InlineModeStopsATickWhenItsTimeBudgetIsUsed) {
    FakeClock time;
    SimulationRunner runner(1, SimulationRunner::Mode::Inline, time.clock());
    runner.load(load_scene("dam-break-2d", {"particle_radius=0.04"}));
    runner.set_steps_per_frame(8);

    // Each step takes 10 ms: the third one crosses the 25 ms budget and the tick stops there.
    static_assert(SimulationRunner::kInlineStepSeconds > 0.02 &&
                  SimulationRunner::kInlineStepSeconds <= 0.03);
    time.per_read = 0.01;
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_EQ(runner.frame().stats.step, 3u);
    // The five steps left stay granted (at most two frames' worth are held): the next tick runs
    // three more of them, and a tick with time standing still runs all that is in hand.
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_EQ(runner.frame().stats.step, 6u);
    time.per_read = 0.0;
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_EQ(runner.frame().stats.step, 22u);

    // A step slower than the whole budget: still one step per tick, so the page never stalls.
    time.per_read = 1.0;
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_EQ(runner.frame().stats.step, 23u);
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    EXPECT_EQ(runner.frame().stats.step, 24u);
}

// Save state / Load state (issue 29): a state saved through the runner between two steps comes
// back as a state file named after the scene and step; loaded back after further steps, the
// frame shows the saved step with the saved state (the same hashes, the same bytes saved again)
// and steps on to the same bits as the first time.
TEST(SimulationRunner, SavesAStateAndLoadsItBackBetweenSteps) {
    FakeClock time;
    SimulationRunner runner(1, SimulationRunner::Mode::Inline, time.clock());
    runner.set_paused(true);
    runner.load(load_scene("dam-break-2d", {"particle_radius=0.04"}));
    const auto steps = [&](int n) {  // n single steps, then the frame
        for (int i = 0; i < n; ++i)
            runner.step_once();
        runner.frame_tick();
        EXPECT_TRUE(runner.acquire_frame());
        return runner.frame().stats.step;
    };
    ASSERT_EQ(steps(10), 10u);
    runner.save_state();
    runner.frame_tick();
    std::optional<StateResult> saved = runner.take_state_result();
    ASSERT_TRUE(saved.has_value());
    ASSERT_EQ(saved->kind, StateResult::Kind::Saved) << saved->error;
    EXPECT_EQ(saved->bytes.substr(0, 8), "FLUMESTA");
    EXPECT_EQ(saved->file_name, "dam-break-2d-10.flume-state");
    EXPECT_EQ(saved->step, 10u);
    EXPECT_EQ(saved->state_hash, state_hash(runner.frame().particles.view()));
    EXPECT_FALSE(runner.take_state_result().has_value()) << "a result is delivered once";

    ASSERT_EQ(steps(5), 15u);
    const std::uint64_t at_15 = state_hash(runner.frame().particles.view());
    ASSERT_NE(at_15, saved->state_hash);

    runner.restore_state(saved->bytes, "dam-break-2d-10.flume-state");
    runner.frame_tick();
    const std::optional<StateResult> restored = runner.take_state_result();
    ASSERT_TRUE(restored.has_value());
    ASSERT_EQ(restored->kind, StateResult::Kind::Restored) << restored->error;
    EXPECT_EQ(restored->step, 10u);
    EXPECT_EQ(restored->deep_hash, saved->deep_hash);
    ASSERT_TRUE(runner.acquire_frame()) << "a load publishes the state, also while paused";
    EXPECT_EQ(runner.frame().stats.step, 10u);
    EXPECT_EQ(state_hash(runner.frame().particles.view()), saved->state_hash);

    runner.save_state();
    runner.frame_tick();
    const std::optional<StateResult> again = runner.take_state_result();
    ASSERT_TRUE(again.has_value());
    EXPECT_TRUE(again->bytes == saved->bytes) << "saved again, the same bytes";

    ASSERT_EQ(steps(5), 15u);
    EXPECT_EQ(state_hash(runner.frame().particles.view()), at_15) << "and on to the same bits";
}

// A state that cannot be put back (truncated, corrupted, not a state, another scene's) comes
// back refused with the core's reason and its name, and the running simulation is untouched:
// on the simulation thread, while the simulation runs between the commands.
TEST(SimulationRunner, ABrokenStateIsRefusedByNameAndTheSimulationRunsOnUntouched) {
    SimulationRunner runner(2);
    runner.set_paused(true);
    runner.load(load_scene("dam-break-2d", {"particle_radius=0.04"}));
    for (int i = 0; i < 8; ++i)
        runner.step_once();
    const auto result = [&runner] {
        std::optional<StateResult> r;
        EXPECT_TRUE(eventually([&] { return (r = runner.take_state_result()).has_value(); }));
        return r.value_or(StateResult{});
    };
    ASSERT_TRUE(eventually([&] {
        runner.acquire_frame();
        return runner.frame().stats.step == 8;
    }));
    runner.save_state();
    const StateResult saved = result();
    ASSERT_EQ(saved.kind, StateResult::Kind::Saved) << saved.error;
    ASSERT_EQ(saved.step, 8u);

    std::string corrupted = saved.bytes;
    corrupted[corrupted.size() - 3] ^= 0x5a;
    SimulationRunner other(1, SimulationRunner::Mode::Inline);
    other.load(load_scene("dam-break-2d", {"particle_radius=0.05"}));
    other.save_state();
    other.frame_tick();
    const std::optional<StateResult> elsewhere = other.take_state_result();
    ASSERT_TRUE(elsewhere.has_value());
    const std::pair<std::string, std::string> cases[] = {
        {saved.bytes.substr(0, saved.bytes.size() / 2), "truncated"},
        {corrupted, "corrupted"},
        {"{\"dimension\": 2}", "not a Flume state file"},
        {elsewhere->bytes, "another scene"}};
    for (const auto& [bytes, reason] : cases) {
        SCOPED_TRACE(reason);
        runner.restore_state(bytes, "broken.flume-state");
        const StateResult refused = result();
        ASSERT_EQ(refused.kind, StateResult::Kind::Refused);
        EXPECT_NE(refused.error.find("broken.flume-state"), std::string::npos) << refused.error;
        EXPECT_NE(refused.error.find(reason), std::string::npos) << refused.error;
        EXPECT_EQ(refused.step, 8u);
        EXPECT_EQ(refused.deep_hash, saved.deep_hash) << "the simulation is as it was";
    }
    runner.step_once();
    ASSERT_TRUE(eventually([&] {
        runner.acquire_frame();
        return runner.frame().stats.step == 9;
    })) << "and steps on";
}

TEST(ProbeHistory, KeepsTheNewestRowsOldestFirst) {
    const std::vector<ProbeColumn> columns{{"P pressure", "Pa"}, {"H level", "m"}};
    ProbeHistory h;
    h.reset(columns, 3);
    EXPECT_TRUE(h.empty());
    EXPECT_EQ(h.capacity(), 3u);
    for (int k = 0; k < 5; ++k) {
        const double reading[] = {100.0 * k, 0.5 * k};
        h.push(0.01 * k, reading);
        EXPECT_EQ(h.size(), std::min(k + 1, 3));
    }
    EXPECT_EQ(h.pushed(), 5u);
    for (std::size_t row = 0; row < 3; ++row) {  // rows 2, 3, 4 are held
        EXPECT_EQ(h.time(row), 0.01 * static_cast<double>(row + 2));
        EXPECT_EQ(h.value(row, 0), 100.0 * static_cast<double>(row + 2));
        EXPECT_EQ(h.value(row, 1), 0.5 * static_cast<double>(row + 2));
    }
    const double short_reading[] = {1.0};
    EXPECT_THROW(h.push(1.0, short_reading), std::invalid_argument);
}

TEST(ProbeHistory, ACopyCatchesUpWithTheRowsItLacks) {
    const std::vector<ProbeColumn> columns{{"P pressure", "Pa"}};
    ProbeHistory source, copy;
    source.reset(columns, 4);
    auto push = [&](int k) {
        const double reading[] = {static_cast<double>(k)};
        source.push(static_cast<double>(k), reading);
    };
    auto same = [&] {
        if (copy.size() != source.size() || copy.pushed() != source.pushed()) return false;
        for (std::size_t row = 0; row < source.size(); ++row) {
            if (copy.time(row) != source.time(row) || copy.value(row, 0) != source.value(row, 0))
                return false;
        }
        return copy.columns().size() == 1 && copy.columns()[0].name == "P pressure";
    };
    push(0);
    copy.catch_up(source);
    EXPECT_TRUE(same());
    push(1), push(2);
    copy.catch_up(source);  // two rows behind
    EXPECT_TRUE(same());
    for (int k = 3; k < 10; ++k)
        push(k);
    copy.catch_up(source);  // further behind than the ring holds
    EXPECT_TRUE(same());
    EXPECT_EQ(copy.time(0), 6.0);

    // A reset source (the scene reloaded) is copied whole, even once it has more rows.
    source.reset(columns, 4);
    for (int k = 0; k < 12; ++k)
        push(100 + k);
    copy.catch_up(source);
    EXPECT_TRUE(same());
    EXPECT_EQ(copy.time(0), 108.0);
}

TEST(ProbeHistory, CsvIsWhatFlumeCliWrites) {
    const std::vector<ProbeColumn> columns{{"P1 pressure", "Pa"}, {"H1 level", "m"}};
    ProbeHistory h;
    h.reset(columns, 8);
    EXPECT_EQ(h.csv(), "time [s],P1 pressure [Pa],H1 level [m]\n");
    const double first[] = {1234.56789012, 0.25};
    const double second[] = {std::nan(""), 1.0 / 3.0};
    h.push(0.0, first);
    h.push(0.01, second);
    EXPECT_EQ(h.csv(),
              "time [s],P1 pressure [Pa],H1 level [m]\n"
              "0,1234.56789,0.25\n"
              "0.01,nan,0.333333333\n");
}

TEST(ProbeHistory, ColumnRangesFollowTheScenesProbes) {
    const Scene scene = load_builtin_scene("dam-break-probes-3d");
    const std::vector<ProbeColumnRange> ranges = probe_column_ranges(scene.probes, 3);
    ASSERT_EQ(ranges.size(), 13u);
    EXPECT_EQ(ranges[0].probe, "P1");
    EXPECT_EQ(ranges[0].first, 0u);
    EXPECT_EQ(ranges[0].count, 5u);  // pressure, velocity x y z, density
    EXPECT_EQ(ranges[8].probe, "H1");
    EXPECT_EQ(ranges[8].first, 40u);
    EXPECT_EQ(ranges[8].count, 1u);
    EXPECT_EQ(ranges[12].probe, "box");
    EXPECT_EQ(ranges[12].first + ranges[12].count,
              probe_columns(scene.probes, 3).size());  // force and torque: 6
}

// The runner reads the probes at load and after the first step at or after each multiple of
// 10 ms, the very readings of the simulation's state then (flume-cli run --probes' rule).
TEST(SimulationRunner, RecordsTheProbesEveryHundredthOfASecond) {
    const Scene scene = load_scene("dam-break-probes-3d", {"particle_radius=0.04"});
    FakeClock time;
    SimulationRunner runner(1, SimulationRunner::Mode::Inline, time.clock());
    runner.load(scene);
    runner.set_steps_per_frame(16);
    for (int tick = 0; tick < 3; ++tick)
        runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    const Frame& f = runner.frame();
    ASSERT_EQ(f.stats.step, 48u);

    WorkerPool pool(1);
    const std::unique_ptr<Simulation> sim = Simulation::create(scene, pool);
    std::vector<double> reading(sim->probe_columns().size());
    ProbeHistory expected;
    expected.reset(sim->probe_columns(), SimulationRunner::kProbeRows);
    double next = 0.0;
    for (;;) {
        const double t = sim->stats().time;
        if (t + 1.0e-12 >= next) {
            sim->read_probes(reading);
            expected.push(t, reading);
            while (next <= t + 1.0e-12)
                next += SimulationRunner::kProbeSeconds;
        }
        if (sim->stats().step == f.stats.step) break;
        sim->step();
    }
    ASSERT_GT(expected.size(), 10u);
    EXPECT_EQ(f.probes.csv(), expected.csv());
}

// The app keeps four copies of the probes' history (the runner's and the three frames'): with
// thousands of probes it keeps fewer rows, not gigabytes (12,000 point probes took 3.2 GB).
TEST(SimulationRunner, ManyProbesKeepAShorterHistoryInsideItsBudget) {
    constexpr std::size_t kCopies = 4;
    EXPECT_EQ(SimulationRunner::probe_rows(0), 1u);
    EXPECT_EQ(SimulationRunner::probe_rows(12), SimulationRunner::kProbeRows);
    for (std::size_t columns : {2000u, 36000u}) {
        const std::size_t rows = SimulationRunner::probe_rows(columns);
        EXPECT_LT(rows, SimulationRunner::kProbeRows);
        EXPECT_LE(kCopies * rows * (columns + 1) * sizeof(double),
                  SimulationRunner::kProbeHistoryBytes);
    }
    std::string probes;
    for (int i = 0; i < 3000; ++i) {
        if (i) probes += ",";
        probes += R"({"type": "point", "name": "P)";
        probes += std::to_string(i);
        probes += R"(", "position": [0.5, 0.1]})";
    }
    std::string text = R"({"dimension": 2, "particle_radius": 0.02,
        "domain": {"min": [0, 0], "max": [1, 1]},
        "fluid": [{"min": [0, 0], "max": [1, 0.2]}], "probes": [)";
    text += probes;
    text += "]}";
    SimulationRunner runner(1, SimulationRunner::Mode::Inline);
    runner.load(parse_scene(text, "probes.json"));
    runner.frame_tick();
    ASSERT_TRUE(runner.acquire_frame());
    const ProbeHistory& history = runner.frame().probes;
    ASSERT_GT(history.columns().size(), 3000u);
    EXPECT_EQ(history.capacity(), SimulationRunner::probe_rows(history.columns().size()));
    EXPECT_LT(history.capacity(), SimulationRunner::kProbeRows);
}

TEST(SimulationRunner, RenderSideCallsReturnWhileAStepIsRunning) {
    // The render side never waits for the simulation thread: with the thread busy in long steps,
    // a burst of every render-side call completes (under TSan, too) and the commands take effect
    // afterwards in order.
    SimulationRunner runner(1);
    Scene scene = load_builtin_scene("dam-break-3d");
    runner.load(scene);
    ASSERT_TRUE(eventually([&] { return runner.acquire_frame(); }));
    runner.set_steps_per_frame(64);
    for (int i = 0; i < 1000; ++i) {
        runner.frame_tick();
        runner.acquire_frame();
        runner.take_message();
        runner.set_brush(std::nullopt);
        runner.set_paused(false);
    }
    runner.set_parameter("viscosity", 0.02);
    runner.set_paused(true);
    ASSERT_TRUE(eventually([&] {
        runner.acquire_frame();
        return runner.frame().scene->params.to_json("viscosity") == 0.02;
    }));
}

// One table of view names for the desktop's --view and the browser's ?view=: each name parses to
// its own mode, in any case, and the browser's old "smoothed depth" still works.
TEST(ViewMode, EveryNameParsesToItsModeAndNothingElseDoes) {
    for (int m = 0; m < static_cast<int>(std::size(kViewModeNames)); ++m) {
        const ViewMode mode = static_cast<ViewMode>(m);
        EXPECT_EQ(parse_view_mode(kViewModeNames[m]), mode) << kViewModeNames[m];
        EXPECT_EQ(parse_view_mode(view_mode_name(mode)), mode);
    }
    EXPECT_EQ(view_mode_name(ViewMode::SmoothedDepth), "smoothed-depth");
    EXPECT_EQ(parse_view_mode("Smoothed-Depth"), ViewMode::SmoothedDepth);
    EXPECT_EQ(parse_view_mode("smoothed depth"), ViewMode::SmoothedDepth);
    EXPECT_EQ(parse_view_mode("NORMALS"), ViewMode::Normals);
    EXPECT_EQ(parse_view_mode(""), std::nullopt);
    EXPECT_EQ(parse_view_mode("smoothed"), std::nullopt);
    EXPECT_EQ(parse_view_mode("surface "), std::nullopt);
    EXPECT_EQ(parse_view_mode("smoothed_depth"), std::nullopt);
    EXPECT_EQ(view_mode_list(), "surface, particles, depth, smoothed-depth, normals, thickness");
}

TEST(UiSettings, RoundTripThroughTextAndDefaultsForAnythingElse) {
    for (const bool collapsed : {false, true}) {
        const UiSettings s = parse_ui_settings(format_ui_settings({.panel_collapsed = collapsed}));
        EXPECT_EQ(s.panel_collapsed, collapsed);
    }
    for (const char* bad : {"", "not json", "[true]", "{\"panel_collapsed\": 1}",
                            "{\"panel_collapsed\": \"yes\"}", "{\"other\": true}"}) {
        EXPECT_FALSE(parse_ui_settings(bad).panel_collapsed) << bad;
    }
}

TEST(UiSettings, LiveInTheUsersConfigurationFolder) {
    EXPECT_EQ(ui_settings_path("/cfg", "/home/u"),
              std::filesystem::path("/cfg/flume/settings.json"));
    EXPECT_EQ(ui_settings_path(nullptr, "/home/u"),
              std::filesystem::path("/home/u/.config/flume/settings.json"));
    // XDG: a relative XDG_CONFIG_HOME is ignored.
    EXPECT_EQ(ui_settings_path("relative", "/home/u"),
              std::filesystem::path("/home/u/.config/flume/settings.json"));
    EXPECT_EQ(ui_settings_path(nullptr, nullptr, "C:/Users/u/AppData/Roaming"),
              std::filesystem::path("C:/Users/u/AppData/Roaming/flume/settings.json"));
    EXPECT_TRUE(ui_settings_path(nullptr, nullptr).empty());
}

TEST(UiSettings, TheCollapsedPanelIsRememberedInAFile) {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() /
        ("flume-settings-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    std::filesystem::remove_all(dir);
    const std::filesystem::path path = ui_settings_path(dir.c_str(), nullptr);
    EXPECT_FALSE(read_ui_settings_file(path).panel_collapsed);  // no file yet: the defaults
    EXPECT_EQ(write_ui_settings_file(path, {.panel_collapsed = true}), "");  // makes the folder
    EXPECT_TRUE(read_ui_settings_file(path).panel_collapsed);
    EXPECT_EQ(write_ui_settings_file(path, {.panel_collapsed = false}), "");
    EXPECT_FALSE(read_ui_settings_file(path).panel_collapsed);
    EXPECT_NE(write_ui_settings_file({}, {}), "");
    std::filesystem::remove_all(dir);
}

// The Scene list shows each built-in scene's description under the list, one sentence.
TEST(SceneList, EveryBuiltInSceneHasAShortOneLineDescription) {
    for (const EmbeddedFile& file : builtin_scenes()) {
        const Scene scene = load_builtin_scene(file.name);
        EXPECT_FALSE(scene.description.empty()) << file.name;
        EXPECT_EQ(scene.description.find('\n'), std::string::npos) << file.name;
        EXPECT_LE(scene.description.size(), kMaxSceneDescription) << file.name;
    }
}

// Each built-in scene's thumbnail: its domain, and each fluid block as a shape with an area,
// everything inside the thumbnail.
TEST(SceneList, EveryBuiltInSceneHasAThumbnailOfItsFluidInsideItsDomain) {
    for (const EmbeddedFile& file : builtin_scenes()) {
        const Scene scene = load_builtin_scene(file.name);
        const SceneSketch sketch = sketch_scene(scene, 1.6f);
        ASSERT_FALSE(sketch.shapes.empty()) << file.name;
        EXPECT_EQ(sketch.shapes.front().kind, SketchShape::Kind::Domain) << file.name;
        std::size_t fluid = 0;
        for (const SketchShape& shape : sketch.shapes) {
            for (const glm::vec2& p : shape.points) {
                EXPECT_GE(p.x, -0.01f) << file.name;
                EXPECT_LE(p.x, 1.01f) << file.name;
                EXPECT_GE(p.y, -0.01f) << file.name;
                EXPECT_LE(p.y, 1.01f) << file.name;
            }
            if (shape.kind != SketchShape::Kind::Fluid) continue;
            ++fluid;
            ASSERT_GE(shape.points.size(), 3u) << file.name;
            float area = 0.0f;  // the shoelace formula
            for (std::size_t i = 0; i < shape.points.size(); ++i) {
                const glm::vec2 a = shape.points[i],
                                b = shape.points[(i + 1) % shape.points.size()];
                area += a.x * b.y - b.x * a.y;
            }
            EXPECT_GT(std::abs(0.5f * area), 1e-4f) << file.name;
        }
        EXPECT_EQ(fluid, scene.fluid.size()) << file.name;
    }
}

// The apps open on a 3D scene (scripts/run.sh, the browser page without ?scene=).
TEST(SceneList, TheStartSceneIsABuiltIn3DScene) {
    const Scene scene = load_builtin_scene(kStartScene);
    EXPECT_EQ(scene.dimension, 3);
    EXPECT_EQ(scene.name, kStartScene);
}

}  // namespace
}  // namespace flume
