#include "app.hpp"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <limits>

#include "app/dropped_files.hpp"
#include "app/image.hpp"
#include "app/scene_display.hpp"
#include "core/errors.hpp"
#include "core/scene_library.hpp"
#include "io/output_file.hpp"
#include "io/vtk_writer.hpp"

namespace flume {

namespace {

double now_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void push_history(std::deque<float>& history, float value) {
    history.push_back(value);
    while (history.size() > 240)
        history.pop_front();
}

glm::vec3 to3(const glm::dvec3& v) {
    return glm::vec3(v);
}

}  // namespace

// The scene is loaded before the simulation thread starts: a bad scene throws without a thread
// to join (in the browser a join on the main thread is not allowed).
App::App(const AppOptions& options)
    : App(options, flume::load_scene(options.scene, options.overrides)) {}

App::App(const AppOptions& options, const Scene& scene)
    : options_(options),
      runner_(options.threads > 0 ? options.threads : WorkerPool::hardware_threads(),
              options.runner_mode),
      coloring_(options.coloring),
      show_ui_(options.show_ui),
      settings_(options.settings),
      threads_(options.threads > 0 ? options.threads : WorkerPool::hardware_threads()) {
    view_.mode = options.view;
    view_.surface = options.surface;
    install(scene, false);
    if (options.pause_at_step > 0) runner_.pause_at(options.pause_at_step);
    last_time_ = now_seconds();
}

App::~App() = default;

void App::init_graphics() {
    renderer_.init(options_.float_targets);
    graphics_ready_ = true;
    scene_drawing_.renderer_reset();  // new buffers: size them for the scene on screen
}

const std::optional<std::string>& App::surface_unavailable() const {
    return renderer_.surface().unavailable();
}

RenderTimings App::render_timings() const {
    return {renderer_.timer().available(), renderer_.timer().passes(), frame_milliseconds_,
            scene_drawing_.whitewater_particles(), scene_drawing_.whitewater_milliseconds()};
}

void App::shutdown_graphics() {
    scene_drawing_.release();
    if (graphics_ready_) renderer_.destroy();
    graphics_ready_ = false;
}

void App::show_message(std::string text) {
    message_ = std::move(text);
}

// Every scene the app runs comes through here (the command line, the Scene list, a dropped scene
// or mesh): the runner builds it on its thread, the view is fitted to it unless `keep_view` (a
// mesh dropped on the scene on screen), and the message line and any edit in progress are
// cleared.
void App::install(const Scene& scene, bool keep_view) {
    requested_scene_ = std::make_shared<const Scene>(scene);
    runner_.load(scene);
    edited_scene_.reset();
    grab_.reset();  // its body may not be in the new scene
    fit_requested_ = !keep_view;
    keep_view_ = keep_view;
    message_.clear();
}

void App::load_scene(const std::string& name_or_path) {
    try {
        install(flume::load_scene(name_or_path), false);
    } catch (const SceneError& e) {
        show_message(std::string(e.what()) + " (the previous scene keeps running)");
    }
}

void App::save(Save what) {
    switch (what) {
        case Save::Screenshot:
            request_screenshot("flume-screenshot-" + std::to_string(++screenshot_counter_) +
                               ".png");
            break;
        case Save::Particles:
            save_particles("flume-particles-" + std::to_string(++particles_counter_) + ".vtp");
            break;
        case Save::Probes:
            save_probes("flume-probes-" + std::to_string(++probes_counter_) + ".csv");
            break;
        case Save::State:
            runner_.save_state();  // written when the simulation thread hands it back
            break;
    }
}

void App::save_particles(const std::string& path) {
    const Frame& f = runner_.frame();
    if (!f.scene) return;
    try {
        write_vtp(path, f.particles.view());
        if (options_.on_file_saved) options_.on_file_saved(path);
        show_message("saved " + path + " (t = " + std::to_string(f.stats.time) + " s)");
    } catch (const std::exception& e) {
        show_message(e.what());
    }
}

void App::save_probes(const std::string& path) {
    const ProbeHistory& probes = runner_.frame().probes;
    if (probes.empty()) return;
    try {
        const std::string text = probes.csv();
        write_output_file(
            path, std::span(reinterpret_cast<const unsigned char*>(text.data()), text.size()));
        if (options_.on_file_saved) options_.on_file_saved(path);
        show_message("saved " + path + " (" + std::to_string(probes.size()) +
                     " readings of the probes, t = " + std::to_string(probes.time(0)) + " to " +
                     std::to_string(probes.time(probes.size() - 1)) + " s)");
    } catch (const std::exception& e) {
        show_message(e.what());
    }
}

void App::open_file(const std::string& path) {
    if (dropped_file_kind(path) == DroppedFile::State) {
        load_state(path);
    } else {
        load_scene(path);
    }
}

void App::drop_files(const std::vector<std::string>& paths) {
    // States are put back after the rest of the drop: a scene dropped with a state of it starts
    // from that state.
    std::vector<std::string> others, states;
    for (const std::string& path : paths)
        (dropped_file_kind(path) == DroppedFile::State ? states : others).push_back(path);
    drop_scene_or_meshes(others);
    for (const std::string& path : states)
        load_state(path);
}

void App::drop_scene_or_meshes(const std::vector<std::string>& paths) {
    std::vector<std::string> meshes;
    for (const std::string& path : paths) {
        switch (dropped_file_kind(path)) {
            case DroppedFile::Scene:
                // The other files came with it: the meshes it names.
                try {
                    install(load_dropped_scene(path), false);
                } catch (const SceneError& e) {
                    show_message(std::string(e.what()) + " (the previous scene keeps running)");
                }
                return;
            case DroppedFile::Mesh:
                meshes.push_back(path);
                break;
            case DroppedFile::State:  // drop_files took them out
                break;
            case DroppedFile::Unknown:
                show_message("cannot open " + path +
                             ": drop a scene (.json), a mesh (.obj, .stl) or a state "
                             "(.flume-state) on the window");
                return;
        }
    }
    if (!meshes.empty()) add_dropped_meshes(meshes);
}

bool App::load_state(const std::string& path) {
    const std::string name = std::filesystem::path(path).filename().string();
    try {
        StateFile state{name.empty() ? path : name, read_file_bytes(path, kMaxStateFileBytes)};
        state_error_.reset();
        runner_.restore_state(state.bytes, state.name);
        pending_loads_.push_back(std::move(state));
        return true;
    } catch (const std::exception& e) {  // SceneError: cannot read it
        state_error_ = std::string(e.what()) + " -- the running simulation stays";
        show_message(*state_error_);
        return false;
    }
}

void App::reload_state() {
    if (!last_state_) {
        show_message(
            "no state to load yet: press Save state first, or drop a .flume-state file on the "
            "window");
        return;
    }
    state_error_.reset();
    runner_.restore_state(last_state_->bytes, last_state_->name);
    pending_loads_.push_back(*last_state_);
}

// The results of Save state and Load state, once the simulation thread has carried them out.
void App::take_state_results() {
    while (std::optional<StateResult> r = runner_.take_state_result()) {
        const std::string at =
            "step " + std::to_string(r->step) + ", t = " + std::to_string(r->time) + " s";
        switch (r->kind) {
            case StateResult::Kind::Saved:
                try {
                    write_output_file(
                        r->file_name,
                        std::span(reinterpret_cast<const unsigned char*>(r->bytes.data()),
                                  r->bytes.size()));
                    last_state_ = StateFile{r->file_name, std::move(r->bytes)};
                    if (options_.on_file_saved) options_.on_file_saved(r->file_name);
                    show_message("saved the state to " + r->file_name + " (" + at + ")");
                } catch (const std::exception& e) {
                    show_message(e.what());
                }
                break;
            case StateResult::Kind::Restored:
                if (!pending_loads_.empty()) {
                    last_state_ = std::move(pending_loads_.front());
                    pending_loads_.pop_front();
                }
                show_message("loaded the state " + r->name + " (" + at + ")");
                break;
            case StateResult::Kind::Refused:
                if (!r->name.empty()) {  // a load
                    if (!pending_loads_.empty()) pending_loads_.pop_front();
                    state_error_ = r->error + " -- the running simulation stays";
                    show_message(*state_error_);
                } else {
                    show_message(r->error);
                }
                break;
        }
    }
}

// Each mesh joins the scene on screen (with the parameters edited for the next reset) at the
// view's centre, and the simulation restarts with it, the view kept.
void App::add_dropped_meshes(const std::vector<std::string>& paths) {
    const Frame& f = runner_.frame();
    const bool on_screen = f.scene != nullptr;
    Scene scene = edited_scene_ ? *edited_scene_ : on_screen ? *f.scene : *requested_scene_;
    // Before the first frame the camera has not been fitted yet: it will look at the centre.
    const glm::dvec3 center = on_screen && scene.dimension == 3
                                  ? glm::dvec3(camera3d_.target())
                                  : 0.5 * (scene.domain_min + scene.domain_max);
    for (const std::string& path : paths) {
        const std::string name = std::filesystem::path(path).filename().string();
        try {
            const std::string bytes = read_file_bytes(path, kMaxMeshFileBytes);
            scene = scene_with_dropped_mesh(scene, bytes, name, center);
        } catch (const std::exception& e) {  // MeshError, SceneError
            show_message(std::string(e.what()) + " -- not added; the running scene stays");
            return;
        }
    }
    install(scene, on_screen);
}

glm::vec2 App::panel_insets(const FrameSize& size) const {
    if (!show_ui_) return glm::vec2(0.0f);
    const Frame& f = runner_.frame();
    // ImGui units to framebuffer pixels.
    const float pixels = options_.ui_scale * static_cast<float>(size.framebuffer.x) / size.window.x;
    const float panel = settings_.panel_collapsed ? kStripWidth : kPanelWidth;
    const float left = (panel + 2.0f * kPanelMargin) * pixels;
    const float right = f.scene && !f.probes.columns().empty()
                            ? (kProbesWindowWidth + 2.0f * kPanelMargin) * pixels
                            : 0.0f;
    return {left, right};
}

void App::set_panel_collapsed(bool collapsed) {
    if (settings_.panel_collapsed == collapsed) return;
    settings_.panel_collapsed = collapsed;
    strip_closed_ = !collapsed;
    if (!view_moved_) fit_requested_ = true;
    if (options_.save_settings) options_.save_settings(settings_);
}

void App::fit_view(const FrameSize& size) {
    const Frame& f = runner_.frame();
    if (!f.scene) return;
    // Keep the domain clear of the panel (or its strip) at the left and of the Probes window at
    // the right, if any, while the UI is shown.
    const glm::vec2 inset = panel_insets(size);
    if (f.scene->dimension == 2) {
        camera2d_.fit(glm::vec2(to3(f.scene->domain_min)), glm::vec2(to3(f.scene->domain_max)),
                      glm::vec2(size.framebuffer), inset.x, inset.y);
    } else {
        camera3d_.fit(to3(f.scene->domain_min), to3(f.scene->domain_max),
                      glm::vec2(size.framebuffer), inset.x, inset.y);
    }
    view_moved_ = false;
}

bool App::skip_frame() {
    if (options_.pause_at_step == 0 || capture_paused_) return false;
    if (runner_.paused()) {  // at the step (or paused by hand): every frame drawn from now on
        capture_paused_ = true;
        runner_.pause_at(options_.pause_at_step);
        return false;
    }
    const Scene* scene = runner_.frame().scene.get();
    const bool whitewater = scene && scene->dimension == 3 && view_.mode == ViewMode::Surface &&
                            view_.surface.whitewater && !surface_unavailable();
    const bool skipping = scene && !whitewater;
    runner_.pause_at(options_.pause_at_step, skipping);
    if (!skipping || now_seconds() - last_time_ >= kSkipToCaptureSeconds) return false;
    runner_.frame_tick();  // the inline mode's steps run here
    return true;
}

void App::frame(const FrameSize& size) {
    size_ = size;
    const double t = now_seconds();
    const double dt = t - last_time_;
    last_time_ = t;
    frame_milliseconds_ = static_cast<float>(dt * 1000.0);
    if (dt > 0.0)
        fps_ = fps_ == 0.0f ? static_cast<float>(1.0 / dt)
                            : 0.9f * fps_ + 0.1f * static_cast<float>(1.0 / dt);

    runner_.frame_tick();
    if (runner_.acquire_frame()) {
        const Frame& f = runner_.frame();
        if (f.scene_generation != fitted_generation_) {
            fitted_generation_ = f.scene_generation;
            if (!keep_view_) fit_requested_ = true;
            keep_view_ = false;
        }
        if (f.stats.capacity_reached && capacity_told_ != f.scene_generation) {
            capacity_told_ = f.scene_generation;
            show_message("The emitters stopped at t = " + std::to_string(f.stats.time) +
                         " s: the simulation holds " + std::to_string(f.stats.capacity) +
                         " particles, its capacity (max_particles in the Parameters panel; "
                         "applies on reset)");
        }
        push_history(history_.steps_per_second, static_cast<float>(runner_.steps_per_second()));
        push_history(history_.density_error_percent,
                     static_cast<float>(100.0 * f.stats.average_density_error));
    }
    push_history(history_.frames_per_second, fps_);
    if (auto m = runner_.take_message()) show_message(*m);
    take_state_results();
    if (fit_requested_ && runner_.frame().scene) {
        fit_view(size);
        fit_requested_ = false;
    }

    update_brush(size);
    update_body_drag(size);
    ImGui::NewFrame();
    if (show_ui_) draw_ui(size);
    if (show_help_) help_window(show_help_, size.window);
    mouse_over_ui_ = ImGui::GetIO().WantCaptureMouse;
    draw_scene(size);
    ImGui::Render();
    ++frames_drawn_;
}

void App::draw_scene(const FrameSize& size) {
    std::optional<BrushMark> brush;
    if (brushing_ || brush_held_) brush = BrushMark{brush_center_, brush_.radius, brush_.pull};
    std::optional<DragMark> drag;
    if (grab_) drag = DragMark{grab_->body, grab_->anchor, grab_->target};
    const SceneDrawing::Drawn drawn = scene_drawing_.draw(renderer_, runner_.frame(),
                                                          {.framebuffer = size.framebuffer,
                                                           .camera2d = camera2d_,
                                                           .camera3d = camera3d_,
                                                           .view = view_,
                                                           .coloring = coloring_,
                                                           .brush = brush,
                                                           .drag = drag});
    view_drawn_ = drawn.view;
    if (drawn.legend) coloring_.legend = *drawn.legend;
}

void App::draw_ui(const FrameSize& size) {
    const Frame& f = runner_.frame();
    if (settings_.panel_collapsed) {
        switch (panel_strip(options_.ui_scale, runner_.paused())) {
            case StripRequest::Expand:
                set_panel_collapsed(false);
                break;
            case StripRequest::PlayPause:
                runner_.set_paused(!runner_.paused());
                break;
            case StripRequest::Reset:
                runner_.reset();
                break;
            case StripRequest::Help:
                show_help_ = !show_help_;
                break;
            case StripRequest::None:
                break;
        }
        draw_floating_windows(size);
        return;
    }
    const bool reopened = strip_closed_;
    strip_closed_ = false;
    if (!begin_main_window(options_.ui_scale, reopened)) {
        end_main_window();
        set_panel_collapsed(true);
        draw_floating_windows(size);
        return;
    }
    if (auto chosen = scene_panel(f, scene_list_, path_input_, options_.ui_scale))
        open_file(*chosen);

    const int max_threads = options_.max_threads > 0
                                ? options_.max_threads
                                : std::max(2 * WorkerPool::hardware_threads(), 8);
    switch (run_panel(runner_, f, threads_, max_threads, last_state_.has_value())) {
        case RunRequest::Screenshot:
            save(Save::Screenshot);
            break;
        case RunRequest::SaveParticles:
            save(Save::Particles);
            break;
        case RunRequest::SaveState:
            save(Save::State);
            break;
        case RunRequest::LoadState:
            reload_state();
            break;
        case RunRequest::None:
            break;
    }
    if (options_.platform_ui) options_.platform_ui();

    const int dimension = f.scene ? f.scene->dimension : 2;
    if (view_panel(coloring_, view_, dimension, surface_unavailable())) fit_requested_ = true;
    if (dimension == 3 && view_.mode != ViewMode::Particles && !surface_unavailable())
        surface_panel(view_.surface);
    brush_panel(brush_, f.scene ? f.scene->dimension : 2);
    if (f.scene) {
        if (auto error = parameters_panel(runner_, f, edited_scene_)) show_message(*error);
    }
    statistics_panel(f, fps_, runner_.steps_per_second(), history_, render_timings());
    end_main_window();
    draw_floating_windows(size);
}

// The windows beside the panel, shown whether it is expanded or a strip.
void App::draw_floating_windows(const FrameSize& size) {
    if (probes_window(runner_.frame(), probe_plots_, options_.ui_scale, size.window))
        save(Save::Probes);
    if (!message_.empty()) message_window(message_, size.window);
}

void App::mouse_button(int button, bool down, const glm::vec2& pos, bool shift) {
    mouse_ = pos;
    if (button < 0 || button > 2) return;
    const Frame& f = runner_.frame();
    const bool three_d = f.scene && f.scene->dimension == 3;
    if (button == 0 && down && !mouse_over_ui_ && grab_body(pos)) return;
    if (button == 0 && !down && grab_ && grab_->by_mouse) {
        grab_.reset();
        return;
    }
    if (button == 0 && down && !mouse_over_ui_ && (!three_d || shift)) {
        brushing_ = true;
        if (three_d) {
            // The brush works on the plane through the fluid nearest to the ray, facing the camera.
            const Ray ray = camera3d_.pick_ray(pos, size_.window);
            const ParticleView p = f.particles.view();
            float best = std::numeric_limits<float>::max(), depth = camera3d_.distance();
            for (std::size_t i = 0; i < p.count; ++i) {
                const glm::vec3 x(p.position[3 * i], p.position[3 * i + 1], p.position[3 * i + 2]);
                const float t = glm::dot(x - ray.origin, ray.direction);
                const float off = glm::length(x - ray.origin - ray.direction * t);
                if (t > 0.0f && off < brush_.radius && t < best) best = t, depth = t;
            }
            brush_plane_point_ = ray.origin + ray.direction * depth;
        }
        return;
    }
    if (button == 0 && !down && brushing_) {
        brushing_ = false;
        return;
    }
    dragging_[button] = down && !mouse_over_ui_;
}

void App::hold_brush(const glm::vec3& center, float radius, float strength) {
    brush_held_ = true;
    brush_center_ = center;
    brush_.radius = radius;
    brush_.strength = std::abs(strength);
    brush_.pull = strength < 0.0f;
}

bool App::hold_body_drag(std::size_t body, const glm::vec3& target) {
    if (!requested_scene_ || body >= requested_scene_->bodies.size()) return false;
    const glm::vec3 center = body_shape_center(requested_scene_->bodies[body]);
    grab_ = BodyGrab{body, center, target, target, false};
    return true;
}

// A left press on a body grabs it by the point under the cursor.
bool App::grab_body(const glm::vec2& pos) {
    const Frame& f = runner_.frame();
    if (!f.scene || f.scene->bodies.empty()) return false;
    std::optional<BodyHit> hit;
    if (f.scene->dimension == 3) {
        hit = pick_body(f.scene->bodies, f.body_poses, camera3d_.pick_ray(pos, size_.window));
    } else {
        hit = pick_body_2d(f.scene->bodies, f.body_poses,
                           camera2d_.pixel_to_world(pos, size_.window));
    }
    if (!hit) return false;
    grab_ = BodyGrab{hit->body, hit->anchor, hit->point, hit->point, true};
    return true;
}

void App::update_body_drag(const FrameSize& size) {
    if (grab_ && grab_->by_mouse)
        grab_->target = point_under(mouse_, size.window, grab_->plane_point);
    std::optional<BodyDrag> drag;
    if (grab_) drag = BodyDrag{grab_->body, glm::dvec3(grab_->anchor), glm::dvec3(grab_->target)};
    if (drag.has_value() != last_drag_.has_value() ||
        (drag && (drag->body != last_drag_->body || drag->anchor != last_drag_->anchor ||
                  drag->target != last_drag_->target))) {
        runner_.set_body_drag(drag);
        last_drag_ = drag;
    }
}

glm::vec3 App::point_under(const glm::vec2& pixel, const glm::vec2& viewport,
                           const glm::vec3& plane_point) const {
    const Frame& f = runner_.frame();
    if (f.scene && f.scene->dimension == 3) {
        const Ray ray = camera3d_.pick_ray(pixel, viewport);
        const glm::vec3 normal = glm::normalize(camera3d_.target() - camera3d_.eye());
        const float denom = glm::dot(ray.direction, normal);
        const float t =
            std::abs(denom) > 1.0e-6f ? glm::dot(plane_point - ray.origin, normal) / denom : 0.0f;
        return ray.origin + ray.direction * t;
    }
    return glm::vec3(camera2d_.pixel_to_world(pixel, viewport), 0.0f);
}

void App::update_brush(const FrameSize& size) {
    std::optional<Brush> brush;
    if (brushing_) brush_center_ = point_under(mouse_, size.window, brush_plane_point_);
    if (brushing_ || brush_held_) {
        brush =
            Brush{brush_center_, brush_.radius, brush_.pull ? -brush_.strength : brush_.strength};
    }
    if (brush.has_value() != last_brush_.has_value() ||
        (brush && (brush->center != last_brush_->center || brush->radius != last_brush_->radius ||
                   brush->strength != last_brush_->strength))) {
        runner_.set_brush(brush);
        last_brush_ = brush;
    }
}

void App::mouse_move(const glm::vec2& pos) {
    const glm::vec2 delta = pos - mouse_;
    mouse_ = pos;
    const Frame& f = runner_.frame();
    if (!f.scene) return;
    if (f.scene->dimension == 3) {
        if (dragging_[0]) camera3d_.rotate(-delta.x * 0.008f, delta.y * 0.008f);
        if (dragging_[1] || dragging_[2]) camera3d_.pan_pixels(delta, size_.window);
        if (dragging_[0] || dragging_[1] || dragging_[2]) view_moved_ = true;
    } else if (dragging_[1] || dragging_[2]) {
        camera2d_.pan_pixels(delta, size_.window);
        view_moved_ = true;
    }
}

void App::scroll(float dy) {
    if (mouse_over_ui_) return;
    const float factor = std::pow(1.15f, dy);
    view_moved_ = true;
    const Frame& f = runner_.frame();
    if (f.scene && f.scene->dimension == 3) {
        camera3d_.zoom(factor);
    } else {
        camera2d_.zoom_at(factor, mouse_, size_.window);
    }
}

void App::key(Key key) {
    switch (key) {
        case Key::Space:
            runner_.set_paused(!runner_.paused());
            break;
        case Key::S:
            runner_.step_once();
            break;
        case Key::R:
            runner_.reset();
            break;
        case Key::H:
            show_ui_ = !show_ui_;
            break;
        case Key::P:
            set_panel_collapsed(!settings_.panel_collapsed);
            break;
        case Key::V:
            fit_requested_ = true;
            break;
        case Key::C:
            save(Save::State);
            break;
        case Key::F1:
            show_help_ = !show_help_;
            break;
        case Key::Escape:
            show_help_ = false;
            break;
    }
}

void App::after_render(const FrameSize& size) {
    if (screenshot_path_.empty()) return;
    try {
        write_png(screenshot_path_, renderer_.read_pixels(size.framebuffer));
        screenshot_error_.reset();
        if (options_.on_file_saved) options_.on_file_saved(screenshot_path_);
        if (show_ui_) show_message("saved " + screenshot_path_);
    } catch (const std::exception& e) {
        screenshot_error_ = e.what();
        show_message(e.what());
    }
    screenshot_path_.clear();
}

}  // namespace flume
