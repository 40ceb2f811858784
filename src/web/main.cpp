// flume in the browser: a thin Emscripten entry point around the platform-neutral App
// (src/app/), the same app as the desktop's. The page (web/index.html) loads flume.js, or
// flume-single.js when it is not cross-origin isolated, and passes the arguments:
//
//   [SCENE|FILE.json] [--threads N] [--message TEXT] [--view MODE] [--no-float-targets]
//   [--hide-ui] [--pause-at-step N] [--drag BODY,X,Y[,Z]]
//
// SCENE is a built-in name or a file the page wrote into the virtual file system (a ?scene=URL
// it fetched, with the meshes it names beside it: the page asks flume_files_named_by_scene
// which files to fetch before it starts main); --message is shown in the UI at start (the page's
// fetch error); the others are the desktop app's options of the same names (the page's ?view=,
// ?nofloat, ?ui=0, ?pauseat=, ?drag=). The browser drives the frames (emscripten_set_main_loop).
// The simulation runs on its own pthread with the worker pool under it; this thread only renders
// the newest published state and runs ImGui, and never blocks on the simulation (SimulationRunner's
// render side is lock-free). Without threads (the fallback build) the steps run inside the frame,
// within a time budget.
//
// Without a scene it opens on flume::kStartScene. What the app remembers (the panel collapsed to
// a strip) is kept in the page's localStorage ("flume.settings"). The UI follows
// devicePixelRatio, also when it changes (browser zoom, another screen).
//
// The page's state is published as `window.flume` every frame (frames, step, time, threads,
// workers, message...): the status line of the page and the end-to-end test read it.
#include <emscripten.h>
#include <emscripten/heap.h>
#include <emscripten/html5.h>
#include <malloc.h>

#include "app/gl.hpp"
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/app.hpp"
#include "app/glfw_input.hpp"
#include "app/ui_scale.hpp"
#include "app/ui_settings.hpp"
#include "core/errors.hpp"
#include "core/scene.hpp"

#ifdef __EMSCRIPTEN_PTHREADS__
constexpr bool kThreaded = true;
constexpr int kPoolSize = FLUME_WEB_POOL_SIZE;
#else
constexpr bool kThreaded = false;
constexpr int kPoolSize = 0;
#endif

// JavaScript inside EM_JS: no clang-format (it would split "=>" and reflow object literals).
// clang-format off

// The page's window.flume status object, with what only JavaScript knows: whether the page is
// cross-origin isolated and how many pthread workers are running.
EM_JS(void, flume_publish_status, (const char* json), {
    const status = JSON.parse(UTF8ToString(json));
    status.crossOriginIsolated = !!self.crossOriginIsolated;
    status.workers = typeof PThread != "undefined" ? PThread.runningWorkers.length : 0;
    status.heapMB = HEAP8.length / 1048576;
    window.flume = Object.assign(window.flume || {}, status);
    if (window.flumeOnStatus) window.flumeOnStatus(window.flume);
});

// Hands a file the app wrote (a screenshot, a .vtp, the probes' .csv, a .flume-state) to the user
// as a download, then deletes it.
EM_JS(void, flume_download_file, (const char* path_utf8, const char* mime_utf8), {
    const path = UTF8ToString(path_utf8);
    const blob = new Blob([FS.readFile(path)], {type: UTF8ToString(mime_utf8)});
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = path.split("/").pop();
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function() { URL.revokeObjectURL(link.href); }, 60000);
    FS.unlink(path);
    window.flume = Object.assign(window.flume || {}, {lastDownload: link.download});
});

// The context can be lost between two frames before the browser delivers the event: some WebGL
// calls then return null where Emscripten's GL layer expects an array.
EM_JS(int, flume_context_is_lost, (), { return Module.ctx && Module.ctx.isContextLost() ? 1 : 0; });
EM_JS(int, flume_cross_origin_isolated, (), { return self.crossOriginIsolated ? 1 : 0; });
EM_JS(int, flume_hardware_concurrency, (), { return navigator.hardwareConcurrency || 1; });

// The remembered settings (ui_settings.hpp) in localStorage; nothing where it is unavailable
// (storage blocked, an opaque origin). Writes the text into `buffer` (cut at `size` bytes).
EM_JS(void, flume_load_settings, (char* buffer, int size), {
    let text = "";
    try { text = localStorage.getItem("flume.settings") || ""; } catch (e) {}
    stringToUTF8(text, buffer, size);
});
EM_JS(void, flume_save_settings, (const char* text), {
    try { localStorage.setItem("flume.settings", UTF8ToString(text)); } catch (e) {}
});

// clang-format on

namespace {

struct Web {
    GLFWwindow* window = nullptr;
    std::optional<flume::App> app;
    float device_pixel_ratio = 1.0f;
    float ui_scale = 1.0f;  // the devicePixelRatio the font and panels were made for
    int hardware_threads = 1;
    bool isolated = false;
    bool context_lost = false;
    bool context_restored = false;
    int context_restores = 0;
    std::string graphics_error;
};

Web web;

double heap_in_use_mb() {
    return static_cast<double>(mallinfo().uordblks) / 1048576.0;
}

void init_imgui_graphics() {
    ImGui_ImplOpenGL3_Init("#version 300 es");
}

EM_BOOL on_context_lost(int, const void*, void*) {
    web.context_lost = true;
    return EM_TRUE;  // handled: the browser may restore the context
}

EM_BOOL on_context_restored(int, const void*, void*) {
    web.context_restored = true;
    return EM_TRUE;
}

// A restored WebGL context has none of the old objects: make them all again.
void recreate_graphics() {
    web.app->shutdown_graphics();
    ImGui_ImplOpenGL3_Shutdown();
    try {
        init_imgui_graphics();
        web.app->init_graphics();
        web.context_lost = false;
        ++web.context_restores;
        web.app->show_message("The WebGL context was lost and restored; the view was rebuilt.");
    } catch (const std::exception& e) {
        web.graphics_error =
            std::string("cannot rebuild the graphics after a lost WebGL context: ") + e.what() +
            " -- reload the page";
    }
}

void publish_status(const glm::ivec2& size) {
    const flume::App& app = *web.app;
    const flume::Frame& f = app.current_frame();
    nlohmann::json s;
    s["ready"] = true;
    s["build"] = kThreaded ? "threads" : "single";
    s["frames"] = app.frames_drawn();
    s["fps"] = app.frames_per_second();
    s["step"] = f.stats.step;
    s["time"] = f.stats.time;
    s["stepsPerSecond"] = app.steps_per_second();
    s["threads"] = f.threads;
    s["hardwareThreads"] = web.hardware_threads;
    s["poolSize"] = kPoolSize;
    s["particles"] = f.stats.fluid_particles;
    s["scene"] = f.scene ? f.scene->name : "";
    s["paused"] = app.paused();
    s["view"] = app.view_drawn();
    s["surfaceUnavailable"] = app.surface_unavailable().value_or("");
    const flume::RenderTimings timings = app.render_timings();
    s["gpuTimer"] = timings.gpu;
    s["frameMilliseconds"] = timings.frame_milliseconds;
    for (const flume::GpuTimer::Pass& pass : timings.passes)
        s["passMilliseconds"][std::string(pass.name)] = pass.milliseconds;
    s["whitewaterParticles"] = timings.whitewater_particles;
    s["whitewaterMilliseconds"] = timings.whitewater_milliseconds;
    s["obstacles"] = nlohmann::json::array();
    if (f.obstacles) {
        for (const flume::ObstacleSummary& o : *f.obstacles) {
            s["obstacles"].push_back({{"name", o.name},
                                      {"triangles", o.triangles},
                                      {"boundarySamples", o.boundary_samples}});
        }
    }
    s["bodies"] = nlohmann::json::array();
    for (const flume::BodyStatus& b : f.bodies) {
        s["bodies"].push_back({{"position", {b.position.x, b.position.y, b.position.z}},
                               {"velocity", {b.velocity.x, b.velocity.y, b.velocity.z}},
                               {"fixed", b.fixed}});
    }
    s["message"] = web.graphics_error.empty() ? app.message() : web.graphics_error;
    s["contextLost"] = web.context_lost;
    s["contextRestores"] = web.context_restores;
    s["canvas"] = {size.x, size.y};
    s["devicePixelRatio"] = web.device_pixel_ratio;
    s["uiScale"] = app.ui_scale();
    const ImFontAtlas* fonts = ImGui::GetIO().Fonts;
    s["fontSize"] = fonts->Fonts.empty() ? 0.0f : fonts->Fonts[0]->FontSize;
    s["panel"] = !app.ui_shown() ? "hidden" : app.panel_collapsed() ? "strip" : "expanded";
    s["heapInUseMB"] = heap_in_use_mb();
    flume_publish_status(s.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

// The browser panel: where the threads come from and why there may be only one.
void platform_ui() {
    if (!ImGui::CollapsingHeader("Browser", ImGuiTreeNodeFlags_DefaultOpen)) return;
    const int threads = web.app->current_frame().threads;
    if (kThreaded) {
        ImGui::Text("%d thread(s): navigator.hardwareConcurrency %d,", threads,
                    web.hardware_threads);
        ImGui::Text("capped at the %d pthread workers started", kPoolSize);
        ImGui::Text("cross-origin isolated: %s", web.isolated ? "yes" : "no");
    } else {
        ImGui::TextWrapped(
            "Single-threaded build: the page is not cross-origin isolated, so there is no "
            "SharedArrayBuffer. Serve it with the headers Cross-Origin-Opener-Policy: "
            "same-origin and Cross-Origin-Embedder-Policy: require-corp (web/serve.py does) to "
            "use all %d cores.",
            web.hardware_threads);
    }
    ImGui::TextDisabled("heap: %.1f MB in use of %.0f MB", heap_in_use_mb(),
                        static_cast<double>(emscripten_get_heap_size()) / 1048576.0);
}

void frame() {
    if (!web.context_lost && flume_context_is_lost()) web.context_lost = true;
    if (web.context_restored) {
        web.context_restored = false;
        recreate_graphics();
    }

    // The canvas fills the window (CSS); its drawing buffer follows at device pixels.
    double css_w = 0.0, css_h = 0.0;
    emscripten_get_element_css_size("#canvas", &css_w, &css_h);
    web.device_pixel_ratio = static_cast<float>(emscripten_get_device_pixel_ratio());
    const glm::ivec2 pixels(
        std::max(1, static_cast<int>(std::lround(css_w * web.device_pixel_ratio))),
        std::max(1, static_cast<int>(std::lround(css_h * web.device_pixel_ratio))));
    if (web.context_lost) {
        // Nothing can be drawn, and the canvas keeps its size: Emscripten's resize reads the
        // context's viewport, which a lost context does not have. The simulation waits for frames.
        publish_status(pixels);
        return;
    }
    int w = 0, h = 0;
    emscripten_get_canvas_element_size("#canvas", &w, &h);
    if (w != pixels.x || h != pixels.y)
        emscripten_set_canvas_element_size("#canvas", pixels.x, pixels.y);

    // devicePixelRatio changed (zoom, another screen): the font and panels follow.
    if (web.device_pixel_ratio != web.ui_scale) {
        web.ui_scale = web.device_pixel_ratio;
        flume::apply_ui_scale({web.ui_scale, 1.0f}, true);
        web.app->set_ui_scale(web.ui_scale);
    }

    // A capture run on its way to its step (?pauseat=) draws only some frames; the canvas keeps
    // the last one.
    if (web.app->skip_frame()) {
        publish_status(pixels);
        return;
    }

    flume::FrameSize size;
    size.framebuffer = pixels;
    size.window = glm::vec2(pixels);  // GLFW reports the mouse in canvas pixels
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(pixels.x), static_cast<float>(pixels.y));
    io.DisplayFramebufferScale = ImVec2(1.0f, 1.0f);
    web.app->frame(size);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    web.app->after_render(size);
    publish_status(pixels);
}

void on_file_saved(const std::string& path) {
    auto ends_with = [&](std::string_view tail) {
        return path.size() >= tail.size() &&
               path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
    };
    const char* mime = ends_with(".png")           ? "image/png"
                       : ends_with(".csv")         ? "text/csv"
                       : ends_with(".flume-state") ? "application/octet-stream"
                                                   : "application/xml";  // .vtp
    flume_download_file(path.c_str(), mime);
}

// --drag BODY,X,Y[,Z] (the page's ?drag=): the desktop's --drag. False when it does not parse or
// the scene has no such body.
bool hold_drag(const std::string& text) {
    std::vector<double> v;
    std::size_t pos = 0;
    while (pos <= text.size() && v.size() < 5) {
        const std::size_t comma = std::min(text.find(',', pos), text.size());
        const std::string item = text.substr(pos, comma - pos);
        char* end = nullptr;
        const double x = std::strtod(item.c_str(), &end);
        if (item.empty() || *end != '\0' || !std::isfinite(x)) return false;
        v.push_back(x);
        pos = comma + 1;
    }
    if (v.size() < 3 || v.size() > 4 || v[0] < 0.0 || v[0] != std::floor(v[0])) return false;
    const glm::vec3 target(static_cast<float>(v[1]), static_cast<float>(v[2]),
                           v.size() > 3 ? static_cast<float>(v[3]) : 0.0f);
    return web.app->hold_body_drag(static_cast<std::size_t>(v[0]), target);
}

}  // namespace

// The files (meshes) that the scene file at `path` names, as a JSON array of strings (empty when
// the file is not a scene): what the page fetches, relative to the scene's URL, before main. The
// text lives until the next call.
extern "C" EMSCRIPTEN_KEEPALIVE const char* flume_files_named_by_scene(const char* path) {
    static std::string names;
    try {
        names = nlohmann::json(flume::files_named_by_scene(
                                   flume::read_file_bytes(path, flume::kMaxSceneFileBytes)))
                    .dump();
    } catch (const flume::SceneError&) {
        names = "[]";  // the app's load says what is wrong with the file
    }
    return names.c_str();
}

int main(int argc, char** argv) {
    flume::AppOptions options;
    std::string start_message, view_message, drag;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--threads" && i + 1 < argc) {
            options.threads = std::atoi(argv[++i]);
        } else if (arg == "--message" && i + 1 < argc) {
            start_message = argv[++i];
        } else if (arg == "--view" && i + 1 < argc) {
            const std::string view = argv[++i];
            if (const auto mode = flume::parse_view_mode(view)) {
                options.view = *mode;
            } else {
                view_message = "unknown view \"" + view + "\" (?view=): expected one of " +
                               flume::view_mode_list() + "; showing the default view";
            }
        } else if (arg == "--no-float-targets") {
            options.float_targets = false;
        } else if (arg == "--hide-ui") {
            options.show_ui = false;
        } else if (arg == "--isotropic-splats") {
            options.surface.anisotropic = false;
        } else if (arg == "--whitewater" && i + 1 < argc) {
            const std::string value = argv[++i];
            if (value == "on" || value == "off") {
                options.surface.whitewater = value == "on";
            } else {
                view_message += std::string(view_message.empty() ? "" : " -- ") +
                                "unknown ?whitewater=" + value +
                                ": expected on or off; showing the whitewater";
            }
        } else if (arg == "--pause-at-step" && i + 1 < argc) {
            options.pause_at_step = std::strtoull(argv[++i], nullptr, 10);
        } else if (arg == "--drag" && i + 1 < argc) {
            drag = argv[++i];
        } else {
            options.scene = arg;
        }
    }
    web.hardware_threads = std::max(1, flume_hardware_concurrency());
    web.isolated = flume_cross_origin_isolated() != 0;
    if (kThreaded) {
        const int wanted = options.threads > 0 ? options.threads : web.hardware_threads;
        options.threads = std::clamp(wanted, 1, kPoolSize);
        options.max_threads = kPoolSize;
    } else {
        options.threads = 1;
        options.max_threads = 1;
        options.runner_mode = flume::SimulationRunner::Mode::Inline;
    }
    web.device_pixel_ratio = static_cast<float>(emscripten_get_device_pixel_ratio());
    options.ui_scale = web.device_pixel_ratio;
    options.on_file_saved = on_file_saved;
    options.platform_ui = platform_ui;
    char settings[4096] = {};
    flume_load_settings(settings, sizeof settings);
    options.settings = flume::parse_ui_settings(settings);
    options.save_settings = [](const flume::UiSettings& s) {
        flume_save_settings(flume::format_ui_settings(s).c_str());
    };

    // A bad scene never leaves a blank page: the default scene runs and the UI says why.
    try {
        web.app.emplace(options);
    } catch (const flume::SceneError& e) {
        options.scene = std::string(flume::kStartScene);
        start_message = std::string(e.what()) + " -- showing " + options.scene + " instead";
        web.app.emplace(options);
    }
    if (!drag.empty() && !hold_drag(drag)) {
        const std::string why =
            "cannot drag \"" + drag + "\" (?drag=): expected BODY,X,Y[,Z] with a body of the scene";
        start_message += (start_message.empty() ? "" : " -- ") + why;
    }
    if (!view_message.empty())
        start_message += (start_message.empty() ? "" : " -- ") + view_message;
    if (!start_message.empty()) web.app->show_message(start_message);

    if (!glfwInit()) {
        std::fprintf(stderr, "flume: cannot initialise GLFW\n");
        return 1;
    }
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    web.window = glfwCreateWindow(1280, 720, "Flume", nullptr, nullptr);
    if (!web.window) {
        std::fprintf(stderr, "flume: cannot create a WebGL 2 context\n");
        return 1;
    }
    glfwMakeContextCurrent(web.window);
    emscripten_set_webglcontextlost_callback("#canvas", nullptr, EM_FALSE, on_context_lost);
    emscripten_set_webglcontextrestored_callback("#canvas", nullptr, EM_FALSE, on_context_restored);
    flume::install_glfw_input(web.window, *web.app);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    // High-DPI screens: the font rasterised at device pixels, and every size scaled with it
    // (ImGui's coordinates are the canvas's pixels).
    web.ui_scale = web.device_pixel_ratio;
    flume::apply_ui_scale({web.ui_scale, 1.0f}, false);
    ImGui_ImplGlfw_InitForOpenGL(web.window, true);
    init_imgui_graphics();
    try {
        web.app->init_graphics();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flume: %s\n", e.what());
        return 1;
    }
    emscripten_set_main_loop(frame, 0, true);
    return 0;
}
