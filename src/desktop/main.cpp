// flume: the desktop app. A thin GLFW entry point around the platform-neutral App (src/app/):
// window, OpenGL 3.3 core context, glad, ImGui backends, event forwarding, the frame loop.
//
//   flume [SCENE|FILE.json] [--threads N] [--set key=value ...] [--view surface|particles|...]
//         [--frames N | --pause-at-step N] [--screenshot out.png] [--size W,H] [--hide-ui]
//         [--no-float-targets] [--drop FILE ...] [--press KEY,...] [--save WHAT,...]
//         [--load-state FILE] [--color-by Q] [--color-map M] [--surface-* ...]
//         [--brush X,Y[,Z] ...] [--drag BODY,X,Y[,Z]] [--ui-scale S]
//
// Without a scene it opens on flume::kStartScene. The window honours the screen's content scale
// (glfwGetWindowContentScale: the font and the panels follow it, also when the window moves to
// another screen; --ui-scale overrides it). What the app remembers (the panel collapsed to a
// strip) is kept in $XDG_CONFIG_HOME/flume/settings.json (else ~/.config/flume/).
//
// --drop hands files to the app as if they were dropped on the window (a mesh joins the scene as
// an obstacle, a scene .json loads, a .flume-state is loaded). --load-state starts from a saved
// state of the scene; one that cannot be loaded exits 2 with the reason. --press feeds key presses
// through the window's key callback (what the keyboard does), --save presses the save buttons
// (App::save). --brush holds the force brush at a point, --drag drags a rigid body towards one
// (what the mouse does). Capture runs print what the app's panels show of the last frame: the
// scene's name, the obstacles (triangles, boundary samples), the bodies (where, how fast), the
// probes' history and the message, if any. glad before GLFW, and GLFW without its own GL header.
#include "app/gl.hpp"
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "app/glfw_input.hpp"
#include "app/scene_display.hpp"
#include "app/ui_scale.hpp"
#include "app/ui_settings.hpp"
#include "core/errors.hpp"

namespace {

constexpr int kExitBadInput = 2;

void on_glfw_error(int code, const char* description) {
    std::fprintf(stderr, "flume: GLFW error %d: %s\n", code, description);
}

// The last frames' drawing cost, as the Statistics panel shows it (capture runs).
void print_timings(const flume::RenderTimings& timings) {
    std::printf("flume: drawing");
    if (timings.gpu) {
        std::printf(" (GPU timer queries, ms):");
        for (const flume::GpuTimer::Pass& pass : timings.passes) {
            std::printf(" %.*s %.3f", static_cast<int>(pass.name.size()), pass.name.data(),
                        pass.milliseconds);
        }
    }
    std::printf(" (frame %.2f ms)\n", static_cast<double>(timings.frame_milliseconds));
    std::printf("flume: whitewater: %zu particles, update %.3f ms (CPU)\n",
                timings.whitewater_particles, static_cast<double>(timings.whitewater_milliseconds));
}

// The obstacles, the probes' history and the message of the captured frame (what the panels
// show).
void print_capture_state(const flume::App& app, const std::string& message) {
    if (const auto& scene = app.current_frame().scene)
        std::printf("flume: scene: %s\n", flume::scene_label(*scene).c_str());
    if (const auto& obstacles = app.current_frame().obstacles) {
        for (const flume::ObstacleSummary& o : *obstacles) {
            std::printf("flume: obstacle %s: %zu triangles, %zu boundary samples\n", o.name.c_str(),
                        o.triangles, o.boundary_samples);
        }
    }
    const std::vector<flume::BodyStatus>& bodies = app.current_frame().bodies;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        const flume::BodyStatus& b = bodies[i];
        std::printf("flume: body %zu: position %.4f %.4f %.4f, velocity %.4f %.4f %.4f%s\n", i,
                    b.position.x, b.position.y, b.position.z, b.velocity.x, b.velocity.y,
                    b.velocity.z, b.fixed ? " (fixed)" : "");
    }
    const flume::ProbeHistory& probes = app.current_frame().probes;
    if (!probes.empty()) {
        std::printf("flume: probes: %zu readings of %zu columns, t = %.4f to %.4f s\n",
                    probes.size(), probes.columns().size(), probes.time(0),
                    probes.time(probes.size() - 1));
    }
    if (!message.empty()) std::printf("flume: message: %s\n", message.c_str());
    const ImGuiIO& io = ImGui::GetIO();
    const float font = io.Fonts->Fonts.empty() ? 0.0f : io.Fonts->Fonts[0]->FontSize;
    std::printf("flume: panel: %s, ui scale %.2f, font %.0f px\n",
                !app.ui_shown()         ? "hidden"
                : app.panel_collapsed() ? "strip"
                                        : "expanded",
                static_cast<double>(app.ui_scale()), static_cast<double>(font));
}

// The window's UI scale: the screen's content scale (or --ui-scale) over the framebuffer's
// pixels per window coordinate.
flume::UiScale window_ui_scale(GLFWwindow* window, float forced) {
    float x = 1.0f, y = 1.0f;
    glfwGetWindowContentScale(window, &x, &y);
    int fw = 0, fh = 0, ww = 0, wh = 0;
    glfwGetFramebufferSize(window, &fw, &fh);
    glfwGetWindowSize(window, &ww, &wh);
    const float ratio = fw > 0 && ww > 0 ? static_cast<float>(fw) / static_cast<float>(ww) : 1.0f;
    return {forced > 0.0f ? forced : std::max(x, 0.25f), ratio};
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"flume: interactive SPH fluid simulator (desktop)", "flume"};
    flume::AppOptions options;
    int frames = 0;
    std::string screenshot;
    cli.add_option("scene", options.scene, "Built-in scene name or path to a scene .json")
        ->capture_default_str();
    cli.add_option("--threads", options.threads, "Simulation threads (default: all cores)")
        ->check(CLI::Range(1, 256));
    cli.add_option("--set", options.overrides,
                   "Override a scene parameter, key=value, or an emitter's: "
                   "emitters/N/velocity=V, emitters/N/enabled=false")
        ->type_name("KEY=VALUE");
    cli.add_option("--frames", frames, "Capture mode: run N frames, then exit (with --screenshot)")
        ->check(CLI::Range(1, 1000000));
    cli.add_option("--screenshot", screenshot, "Capture mode: write the last frame to this PNG");
    const std::map<std::string, flume::ColorBy> color_by{{"water", flume::ColorBy::Water},
                                                         {"speed", flume::ColorBy::Speed},
                                                         {"density", flume::ColorBy::Density},
                                                         {"pressure", flume::ColorBy::Pressure}};
    cli.add_option("--color-by", options.coloring.by, "Colour the particles by this quantity")
        ->transform(CLI::CheckedTransformer(color_by, CLI::ignore_case));
    const std::map<std::string, flume::ColorMap> color_maps{{"viridis", flume::ColorMap::Viridis},
                                                            {"turbo", flume::ColorMap::Turbo}};
    cli.add_option("--color-map", options.coloring.map, "Colour map for --color-by")
        ->transform(CLI::CheckedTransformer(color_maps, CLI::ignore_case));
    // The views' names are the app's table (view_mode.hpp), which the browser's ?view= reads too.
    std::string view;
    cli.add_option("--view", view,
                   "How 3D scenes are drawn: " + flume::view_mode_list() +
                       " (the last four: the surface's buffers)")
        ->check(
            [](const std::string& name) {
                return flume::parse_view_mode(name) ? std::string()
                                                    : "expected one of " + flume::view_mode_list();
            },
            "")
        ->type_name("VIEW");
    bool no_float_targets = false;
    cli.add_flag(
        "--no-float-targets", no_float_targets,
        "Act as if float render targets were missing: no surface view (tests the fallback)");
    bool hide_ui = false;
    cli.add_flag("--hide-ui", hide_ui, "Start with the panels hidden (H shows them)");
    std::vector<int> window_size{1280, 720};
    float forced_ui_scale = 0.0f;
    cli.add_option("--ui-scale", forced_ui_scale,
                   "Scale the font and panels by S instead of the screen's content scale")
        ->check(CLI::Range(0.5f, 4.0f));
    auto* size_option = cli.add_option("--size", window_size, "Window size in pixels, W,H")
                            ->delimiter(',')
                            ->expected(2)
                            ->check(CLI::Range(64, 8192));
    std::uint64_t pause_at = 0;
    cli.add_option(
        "--pause-at-step", pause_at,
        "Pause at this step; with --screenshot, capture that step (then --frames is a limit)");
    std::vector<std::string> drops;
    cli.add_option("--drop", drops,
                   "Drop these files on the window at start: a mesh (.obj, .stl) joins the scene "
                   "as an obstacle, a scene .json loads")
        ->type_name("FILE");
    const std::map<std::string, int> key_names{
        {"space", GLFW_KEY_SPACE}, {"s", GLFW_KEY_S},   {"r", GLFW_KEY_R},
        {"h", GLFW_KEY_H},         {"p", GLFW_KEY_P},   {"v", GLFW_KEY_V},
        {"c", GLFW_KEY_C},         {"f1", GLFW_KEY_F1}, {"escape", GLFW_KEY_ESCAPE}};
    std::vector<int> presses;
    cli.add_option(
           "--press", presses,
           "Press these keys (space, s, r, h, p, v, c, f1, escape) through the window's key "
           "callback, one at a time, each once the simulation has carried out the one "
           "before (with --pause-at-step: from that pause on)")
        ->delimiter(',')
        ->transform(CLI::CheckedTransformer(key_names, CLI::ignore_case))
        ->type_name("KEY,...");
    const std::map<std::string, flume::App::Save> save_names{
        {"screenshot", flume::App::Save::Screenshot},
        {"particles", flume::App::Save::Particles},
        {"probes", flume::App::Save::Probes},
        {"state", flume::App::Save::State}};
    std::vector<flume::App::Save> saves;
    cli.add_option("--save", saves,
                   "Press these save buttons (screenshot, particles, probes, state) after the "
                   "keys: files flume-screenshot-N.png, flume-particles-N.vtp, flume-probes-N.csv, "
                   "SCENE-STEP.flume-state in the working folder")
        ->delimiter(',')
        ->transform(CLI::CheckedTransformer(save_names, CLI::ignore_case))
        ->type_name("WHAT,...");
    std::string load_state;
    cli.add_option("--load-state", load_state,
                   "Start from this saved state (.flume-state) of the scene; one that cannot be "
                   "loaded (another scene, not a state, damaged) exits 2 with the reason")
        ->type_name("FILE");
    const std::map<std::string, flume::SurfaceFilter> filters{
        {"narrow-range", flume::SurfaceFilter::NarrowRange},
        {"bilateral", flume::SurfaceFilter::Bilateral}};
    cli.add_option("--surface-filter", options.surface.filter, "Surface panel: smoothing")
        ->transform(CLI::CheckedTransformer(filters, CLI::ignore_case));
    cli.add_option("--surface-filter-size", options.surface.filter_radius,
                   "Surface panel: filter size in particle radii")
        ->check(CLI::Range(0.0f, 10.0f));
    std::vector<float> surface_color;
    cli.add_option("--surface-color", surface_color, "Surface panel: the water's colour, R,G,B")
        ->delimiter(',')
        ->expected(3)
        ->check(CLI::Range(0.0f, 1.0f));
    const std::map<std::string, bool> splat_shapes{{"anisotropic", true}, {"isotropic", false}};
    cli.add_option("--surface-splats", options.surface.anisotropic,
                   "Surface panel: anisotropic splats (ellipsoids, the default) or isotropic "
                   "(spheres)")
        ->transform(CLI::CheckedTransformer(splat_shapes, CLI::ignore_case));
    const std::map<std::string, bool> on_off{{"on", true}, {"off", false}};
    cli.add_option("--whitewater", options.surface.whitewater,
                   "Surface panel: spray, foam and bubbles over the 3D surface (on, the default, "
                   "or off)")
        ->transform(CLI::CheckedTransformer(on_off, CLI::ignore_case));
    cli.add_option("--surface-absorption", options.surface.absorption,
                   "Surface panel: absorption per metre")
        ->check(CLI::Range(0.0f, 50.0f));
    cli.add_option("--surface-refraction", options.surface.refraction,
                   "Surface panel: refraction strength")
        ->check(CLI::Range(0.0f, 1.0f));
    std::vector<float> brush;
    float brush_radius = 0.15f, brush_strength = 80.0f;
    cli.add_option("--brush", brush, "Hold the force brush at this world point (x,y or x,y,z)")
        ->delimiter(',')
        ->expected(2, 3);
    cli.add_option("--brush-radius", brush_radius, "Brush radius in m")
        ->check(CLI::Range(0.001f, 100.0f))
        ->capture_default_str();
    cli.add_option("--brush-strength", brush_strength,
                   "Brush acceleration in m/s^2 (negative pulls)")
        ->check(CLI::Range(-1.0e5f, 1.0e5f))
        ->capture_default_str();
    std::vector<float> drag;
    cli.add_option("--drag", drag,
                   "Drag rigid body BODY (scene order) by its centre towards this world point "
                   "with the mouse's spring (BODY,x,y or BODY,x,y,z)")
        ->delimiter(',')
        ->expected(3, 4)
        ->type_name("BODY,X,Y[,Z]");
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = cli.exit(e);
        return code == 0 ? 0 : kExitBadInput;
    }
    if (!screenshot.empty() && frames == 0) frames = pause_at > 0 ? 1000000 : 60;
    if (!view.empty()) options.view = *flume::parse_view_mode(view);
    options.float_targets = !no_float_targets;
    options.show_ui = !hide_ui;
    options.pause_at_step = pause_at;
    if (!surface_color.empty())
        options.surface.color = glm::vec3(surface_color[0], surface_color[1], surface_color[2]);

    // The settings file; what cannot be written is said once and the app goes on.
    const std::filesystem::path settings_path = flume::ui_settings_path(
        std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"), std::getenv("APPDATA"));
    options.settings = flume::read_ui_settings_file(settings_path);
    options.save_settings = [settings_path, told = false](const flume::UiSettings& s) mutable {
        const std::string error = flume::write_ui_settings_file(settings_path, s);
        if (!error.empty() && !told)
            std::fprintf(stderr, "flume: settings not kept: %s\n", error.c_str());
        told = told || !error.empty();
    };

    std::optional<flume::App> app;
    try {
        app.emplace(options);
    } catch (const flume::SceneError& e) {
        std::fprintf(stderr, "flume: %s\n", e.what());
        return kExitBadInput;
    }

    if (!drops.empty()) app->drop_files(drops);
    if (!load_state.empty() && !app->load_state(load_state)) {
        std::fprintf(stderr, "flume: %s\n", app->message().c_str());
        return kExitBadInput;
    }
    if (!brush.empty()) {
        app->hold_brush(glm::vec3(brush[0], brush[1], brush.size() > 2 ? brush[2] : 0.0f),
                        brush_radius, brush_strength);
    }

    if (!drag.empty()) {
        const float body = drag[0];
        const glm::vec3 target(drag[1], drag[2], drag.size() > 3 ? drag[3] : 0.0f);
        if (body < 0.0f || body != std::floor(body) ||
            !app->hold_body_drag(static_cast<std::size_t>(body), target)) {
            std::fprintf(stderr, "flume: --drag: the scene has no body %g\n",
                         static_cast<double>(body));
            return kExitBadInput;
        }
    }

    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit()) {
        std::fprintf(stderr, "flume: cannot initialise GLFW (no display? try xvfb-run)\n");
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    // A size given is in pixels, as captures need; the default grows with the screen's scale.
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, size_option->count() > 0 ? GLFW_FALSE : GLFW_TRUE);
    GLFWwindow* window =
        glfwCreateWindow(window_size[0], window_size[1], "Flume", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "flume: cannot create a window with an OpenGL 3.3 core context\n");
        glfwTerminate();
        return 1;
    }
    // Grown with the screen's scale, the default window still fits the screen's work area.
    if (size_option->count() == 0) {
        if (GLFWmonitor* monitor = glfwGetPrimaryMonitor()) {
            int x = 0, y = 0, w = 0, h = 0, ww = 0, wh = 0;
            glfwGetMonitorWorkarea(monitor, &x, &y, &w, &h);
            glfwGetWindowSize(window, &ww, &wh);
            if (w > 0 && h > 0 && (ww > w || wh > h)) {
                const double fit =
                    0.9 * std::min(static_cast<double>(w) / ww, static_cast<double>(h) / wh);
                glfwSetWindowSize(window, static_cast<int>(ww * fit), static_cast<int>(wh * fit));
            }
        }
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(frames > 0 ? 0 : 1);
    if (!gladLoadGL(glfwGetProcAddress)) {
        std::fprintf(stderr, "flume: cannot load the OpenGL 3.3 functions\n");
        glfwTerminate();
        return 1;
    }

    flume::install_glfw_input(window, *app);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini next to the user's files
    flume::UiScale ui_scale = window_ui_scale(window, forced_ui_scale);
    flume::apply_ui_scale(ui_scale, false);
    app->set_ui_scale(ui_scale.ui());
    ImGui_ImplGlfw_InitForOpenGL(window, true);  // chains to the callbacks above
    ImGui_ImplOpenGL3_Init("#version 330 core");

    // The key callback installed now: ImGui's, which chains to the app's (what a key does).
    const GLFWkeyfun key_callback = glfwSetKeyCallback(window, nullptr);
    glfwSetKeyCallback(window, key_callback);
    std::size_t pressed = 0;
    bool saved = saves.empty();
    bool ready = pause_at == 0;          // keys wait for the capture's pause, if any
    std::uint64_t quiet_from_frame = 0;  // the frame after the last key or save

    int status = 0;
    try {
        app->init_graphics();
        if (const auto& why = app->surface_unavailable())
            std::printf("flume: no surface view: %s; 3D scenes show particles\n", why->c_str());
        while (!glfwWindowShouldClose(window)) {
            glfwPollEvents();
            flume::FrameSize size;
            glfwGetFramebufferSize(window, &size.framebuffer.x, &size.framebuffer.y);
            int w, h;
            glfwGetWindowSize(window, &w, &h);
            size.window = glm::vec2(w, h);
            if (size.framebuffer.x <= 0 || size.framebuffer.y <= 0) {  // minimised
                glfwWaitEvents();
                continue;
            }
            // Moved to a screen of another scale: the font and panels follow.
            if (const flume::UiScale now = window_ui_scale(window, forced_ui_scale);
                now != ui_scale) {
                ui_scale = now;
                flume::apply_ui_scale(ui_scale, true);
                app->set_ui_scale(ui_scale.ui());
            }
            // A capture run on its way to its step draws only some frames.
            if (app->skip_frame()) {
                glfwWaitEventsTimeout(0.005);
                continue;
            }
            // A capture at a step waits until the simulation has paused there; the frame drawn
            // next shows that state.
            const bool at_step =
                pause_at > 0 && app->paused() && app->current_frame().stats.step >= pause_at;
            ready = ready || at_step;
            // Keys, then saves, one per frame, each once the simulation has carried out what
            // came before and the frame on screen shows it.
            const bool settled = app->settled() && app->current_frame().scene != nullptr;
            if (ready && settled && app->frames_drawn() >= quiet_from_frame) {
                if (pressed < presses.size()) {
                    const int key = presses[pressed++];
                    const flume::StepStats& s = app->current_frame().stats;
                    std::string name;
                    for (const auto& [n, k] : key_names)
                        if (k == key) name = n;
                    std::printf("flume: pressed %s at frame %llu (step %llu)\n", name.c_str(),
                                static_cast<unsigned long long>(app->frames_drawn()),
                                static_cast<unsigned long long>(s.step));
                    key_callback(window, key, glfwGetKeyScancode(key), GLFW_PRESS, 0);
                    key_callback(window, key, glfwGetKeyScancode(key), GLFW_RELEASE, 0);
                    quiet_from_frame = app->frames_drawn() + 1;
                } else if (!saved) {
                    for (const flume::App::Save what : saves)
                        app->save(what);
                    saved = true;
                    quiet_from_frame = app->frames_drawn() + 1;
                }
            }
            // A capture at the step is taken once the keys and saves are done and their results
            // drawn (three frames: a window ImGui opens shows from its second frame).
            const bool done = pressed == presses.size() && saved && settled &&
                              app->frames_drawn() >= quiet_from_frame + 2;
            const bool last =
                (frames > 0 && app->frames_drawn() + 1 >= static_cast<std::uint64_t>(frames)) ||
                (pause_at > 0 && !screenshot.empty() && ready && app->paused() && done);
            if (last && !screenshot.empty()) app->request_screenshot(screenshot);
            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplGlfw_NewFrame();
            app->frame(size);
            if (!load_state.empty() && app->state_error()) {  // --load-state was refused
                std::fprintf(stderr, "flume: %s\n", app->state_error()->c_str());
                status = kExitBadInput;
                break;
            }
            // The message on screen in the captured frame (a screenshot replaces it after).
            const std::string message = app->message();
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
            app->after_render(size);
            glfwSwapBuffers(window);
            if (last) {
                if (app->screenshot_error()) {
                    std::fprintf(stderr, "flume: %s\n", app->screenshot_error()->c_str());
                    status = 1;
                } else if (!screenshot.empty()) {
                    const flume::StepStats& s = app->current_frame().stats;
                    std::printf("flume: wrote %s after %llu frames (t = %.4f s, step %llu)\n",
                                screenshot.c_str(),
                                static_cast<unsigned long long>(app->frames_drawn()), s.time,
                                static_cast<unsigned long long>(s.step));
                }
                if (status == 0) {  // a failed capture says only why
                    print_capture_state(*app, message);
                    print_timings(app->render_timings());
                }
                break;
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flume: %s\n", e.what());
        status = 1;
    }
    app->shutdown_graphics();
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return status;
}
