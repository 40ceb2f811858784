#include "app.hpp"

#include <imgui.h>
#include <stb/stb_image_write.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <glm/gtc/matrix_transform.hpp>
#include <limits>
#include <stdexcept>

#include "core/errors.hpp"
#include "core/parameters.hpp"
#include "core/scene_library.hpp"
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

constexpr const char* kColorByNames[] = {"water", "speed", "density", "pressure"};
constexpr const char* kShortcuts[][2] = {
    {"Space", "pause / resume"},
    {"S", "single step (while paused)"},
    {"R", "reset the scene"},
    {"H", "hide / show the panels"},
    {"V", "reset the view"},
    {"F1", "this help"},
    {"Left drag (3D)", "rotate"},
    {"Right drag", "pan"},
    {"Wheel", "zoom"},
    {"Drop a .json", "open a scene file"},
};

}  // namespace

// The scene is loaded before the simulation thread starts: a bad scene throws without a thread
// to join (in the browser a join on the main thread is not allowed).
App::App(const AppOptions& options)
    : App(options, flume::load_scene(options.scene, options.overrides)) {}

App::App(const AppOptions& options, const Scene& scene)
    : options_(options),
      runner_(options.threads > 0 ? options.threads : WorkerPool::hardware_threads(),
              options.runner_mode),
      threads_(options.threads > 0 ? options.threads : WorkerPool::hardware_threads()) {
    runner_.load(scene);
    const auto scenes = builtin_scenes();
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        if (scenes[i].name == options.scene) selected_scene_ = static_cast<int>(i);
    }
    last_time_ = now_seconds();
}

App::~App() = default;

void App::init_graphics() {
    renderer_.init();
    graphics_ready_ = true;
}

void App::shutdown_graphics() {
    if (graphics_ready_) renderer_.destroy();
    graphics_ready_ = false;
}

void App::show_message(std::string text) {
    message_ = std::move(text);
}

void App::load_scene(const std::string& name_or_path) {
    try {
        runner_.load(flume::load_scene(name_or_path));
        fit_requested_ = true;
        message_.clear();
    } catch (const SceneError& e) {
        show_message(std::string(e.what()) + " (the previous scene keeps running)");
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

void App::open_file(const std::string& path) {
    load_scene(path);
}

void App::fit_view(const FrameSize& size) {
    const Frame& f = runner_.frame();
    if (!f.scene) return;
    if (f.scene->dimension == 2) {
        // Keep the domain clear of the panel (about 360 px at the left) while the UI is shown.
        const float inset = show_ui_ ? 360.0f * options_.ui_scale *
                                           static_cast<float>(size.framebuffer.x) / size.window.x
                                     : 0.0f;
        camera2d_.fit(glm::vec2(to3(f.scene->domain_min)), glm::vec2(to3(f.scene->domain_max)),
                      glm::vec2(size.framebuffer), inset);
    } else {
        camera3d_.fit(to3(f.scene->domain_min), to3(f.scene->domain_max));
    }
}

void App::frame(const FrameSize& size) {
    const double t = now_seconds();
    const double dt = t - last_time_;
    last_time_ = t;
    if (dt > 0.0)
        fps_ = fps_ == 0.0f ? static_cast<float>(1.0 / dt)
                            : 0.9f * fps_ + 0.1f * static_cast<float>(1.0 / dt);

    runner_.frame_tick();
    if (runner_.acquire_frame()) {
        const Frame& f = runner_.frame();
        if (f.scene_generation != fitted_generation_) {
            fitted_generation_ = f.scene_generation;
            fit_requested_ = true;
        }
        push_history(steps_history_, static_cast<float>(runner_.steps_per_second()));
        push_history(error_history_, static_cast<float>(100.0 * f.stats.average_density_error));
    }
    push_history(fps_history_, fps_);
    if (auto m = runner_.take_message()) show_message(*m);
    if (fit_requested_ && runner_.frame().scene) {
        fit_view(size);
        fit_requested_ = false;
    }

    update_brush(size);
    ImGui::NewFrame();
    if (show_ui_) draw_ui(size);
    if (show_help_) draw_help();
    mouse_over_ui_ = ImGui::GetIO().WantCaptureMouse;
    draw_scene(size);
    ImGui::Render();
    ++frames_drawn_;
}

void App::draw_scene(const FrameSize& size) {
    const Frame& f = runner_.frame();
    ViewSetup view;
    view.viewport = size.framebuffer;
    const glm::vec2 viewport(size.framebuffer);
    const float aspect = viewport.x / viewport.y;
    const int dimension = f.scene ? f.scene->dimension : 2;
    if (dimension == 2) {
        view.view_projection = camera2d_.view_projection(aspect);
        view.point_scale = 1.0f / camera2d_.world_per_pixel(viewport);
        view.perspective = false;
    } else {
        view.view_projection = camera3d_.projection(aspect) * camera3d_.view();
        view.point_scale = camera3d_.pixels_per_unit(1.0f, viewport);
        view.perspective = true;
    }
    renderer_.begin(view, glm::vec3(0.08f, 0.09f, 0.11f));
    if (!f.scene) return;

    // Particles, coloured by the chosen quantity over the frame's range.
    const ParticleView p = f.particles.view();
    const std::size_t n = p.count;
    const int d = p.dimension;
    particles_.radius = f.constants.particle_radius;
    particles_.positions.resize(n);
    particles_.colors.resize(n);
    std::vector<float> value(color_by_ == ColorBy::Water ? 0 : n);
    for (std::size_t i = 0; i < n; ++i) {
        glm::vec3 x(0.0f);
        for (int k = 0; k < d; ++k)
            x[k] = p.position[i * d + k];
        particles_.positions[i] = x;
        if (color_by_ == ColorBy::Speed) {
            float v2 = 0.0f;
            for (int k = 0; k < d; ++k)
                v2 += p.velocity[i * d + k] * p.velocity[i * d + k];
            value[i] = std::sqrt(v2);
        } else if (color_by_ == ColorBy::Density) {
            value[i] = p.density[i];
        } else if (color_by_ == ColorBy::Pressure) {
            value[i] = p.pressure[i];
        }
    }
    if (color_by_ == ColorBy::Water) {
        std::fill(particles_.colors.begin(), particles_.colors.end(), kWaterColor);
    } else if (n > 0) {
        const auto [lo, hi] = std::minmax_element(value.begin(), value.end());
        legend_min_ = *lo;
        legend_max_ = std::max(*hi, *lo + 1.0e-6f);
        const float scale = 1.0f / (legend_max_ - legend_min_);
        for (std::size_t i = 0; i < n; ++i) {
            particles_.colors[i] = color_at(color_map_, (value[i] - legend_min_) * scale);
        }
    }
    renderer_.draw_sprites(particles_);

    // Walls and obstacles.
    std::vector<glm::vec3> lines;
    append_box_edges(lines, to3(f.scene->domain_min), to3(f.scene->domain_max), dimension);
    SpriteBatch spheres;
    for (const ShapeDesc& o : f.scene->obstacles) {
        if (o.shape == Shape::Box) {
            append_box_edges(lines, to3(o.min), to3(o.max), dimension);
        } else {
            SpriteBatch one;
            one.radius = static_cast<float>(o.radius);
            one.positions.push_back(to3(o.center));
            one.colors.push_back(glm::vec3(0.62f, 0.6f, 0.56f));
            renderer_.draw_sprites(one);
        }
    }
    renderer_.draw_lines(lines, glm::vec4(0.85f, 0.85f, 0.8f, 1.0f));

    if (brushing_ || brush_held_) {
        // The brush as a circle: in the plane of a 2D scene, facing the camera in 3D.
        glm::vec3 u(1, 0, 0), v(0, 1, 0);
        if (dimension == 3) {
            const glm::vec3 forward = glm::normalize(camera3d_.target() - camera3d_.eye());
            u = glm::normalize(glm::cross(forward, glm::vec3(0, 1, 0)));
            v = glm::cross(u, forward);
        }
        std::vector<glm::vec3> circle;
        for (int i = 0; i < 48; ++i) {
            for (int j : {i, i + 1}) {
                const float a = 6.2831853f * static_cast<float>(j) / 48.0f;
                circle.push_back(brush_center_ +
                                 (u * std::cos(a) + v * std::sin(a)) * brush_radius_);
            }
        }
        glDisable(GL_DEPTH_TEST);
        renderer_.draw_lines(circle, brush_pull_ ? glm::vec4(0.4f, 0.9f, 0.5f, 1.0f)
                                                 : glm::vec4(1.0f, 0.55f, 0.2f, 1.0f));
        glEnable(GL_DEPTH_TEST);
    }
}

void App::draw_ui(const FrameSize& size) {
    const Frame& f = runner_.frame();
    const float scale = options_.ui_scale;
    ImGui::SetNextWindowPos(ImVec2(10 * scale, 10 * scale), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(340 * scale, 0), ImGuiCond_FirstUseEver);
    ImGui::Begin("Flume");

    if (ImGui::CollapsingHeader("Scene", ImGuiTreeNodeFlags_DefaultOpen)) {
        const auto scenes = builtin_scenes();
        // The running scene's name: a file opened or dropped is not one of the built-ins.
        std::string current(
            scenes.empty() ? "" : scenes[static_cast<std::size_t>(selected_scene_)].name);
        if (f.scene && !f.scene->name.empty()) current = f.scene->name;
        if (ImGui::BeginCombo("built-in", current.c_str())) {
            for (std::size_t i = 0; i < scenes.size(); ++i) {
                const std::string name(scenes[i].name);
                if (ImGui::Selectable(name.c_str(), static_cast<int>(i) == selected_scene_)) {
                    selected_scene_ = static_cast<int>(i);
                    load_scene(name);
                }
            }
            ImGui::EndCombo();
        }
        ImGui::InputText("##path", path_input_, sizeof path_input_);
        ImGui::SameLine();
        if (ImGui::Button("Open JSON")) load_scene(path_input_);
        ImGui::TextDisabled("or drop a .json file on the window");
    }

    if (ImGui::CollapsingHeader("Run", ImGuiTreeNodeFlags_DefaultOpen)) {
        if (ImGui::Button(runner_.paused() ? "Play" : "Pause"))
            runner_.set_paused(!runner_.paused());
        ImGui::SameLine();
        if (ImGui::Button("Step")) runner_.step_once();
        ImGui::SameLine();
        if (ImGui::Button("Reset")) runner_.reset();
        ImGui::SameLine();
        if (ImGui::Button("Screenshot")) {
            request_screenshot("flume-screenshot-" + std::to_string(++screenshot_counter_) +
                               ".png");
        }
        if (ImGui::Button("Save particles (.vtp)")) {
            save_particles("flume-particles-" + std::to_string(++particles_counter_) + ".vtp");
        }
        int steps = runner_.steps_per_frame();
        if (ImGui::SliderInt("steps / frame", &steps, 1, 64)) runner_.set_steps_per_frame(steps);
        const int max_threads = options_.max_threads > 0
                                    ? options_.max_threads
                                    : std::max(2 * WorkerPool::hardware_threads(), 8);
        if (max_threads > 1) {
            ImGui::SliderInt("threads", &threads_, 1, max_threads);
        } else {
            ImGui::TextDisabled("1 thread (this build has no threads)");
        }
        if (threads_ != f.threads) {
            ImGui::SameLine();
            if (ImGui::Button("Apply")) runner_.set_threads(threads_);
            ImGui::TextDisabled("a new thread count applies with a reset");
        }
    }

    if (options_.platform_ui) options_.platform_ui();

    if (ImGui::CollapsingHeader("View", ImGuiTreeNodeFlags_DefaultOpen)) {
        int by = static_cast<int>(color_by_);
        if (ImGui::Combo("colour by", &by, kColorByNames, 4)) color_by_ = static_cast<ColorBy>(by);
        if (color_by_ != ColorBy::Water) {
            int map = color_map_ == ColorMap::Viridis ? 0 : 1;
            const char* maps[] = {"viridis", "turbo"};
            if (ImGui::Combo("colour map", &map, maps, 2)) {
                color_map_ = map == 0 ? ColorMap::Viridis : ColorMap::Turbo;
            }
            // Legend: a colour bar from the frame's minimum to its maximum.
            const ImVec2 origin = ImGui::GetCursorScreenPos();
            const float width = ImGui::GetContentRegionAvail().x, height = 14.0f;
            ImDrawList* draw = ImGui::GetWindowDrawList();
            for (int i = 0; i < 64; ++i) {
                const glm::vec3 c = color_at(color_map_, (static_cast<float>(i) + 0.5f) / 64.0f);
                draw->AddRectFilled(
                    ImVec2(origin.x + width * static_cast<float>(i) / 64.0f, origin.y),
                    ImVec2(origin.x + width * static_cast<float>(i + 1) / 64.0f, origin.y + height),
                    ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, 1.0f)));
            }
            ImGui::Dummy(ImVec2(width, height));
            const char* unit = color_by_ == ColorBy::Speed     ? "m/s"
                               : color_by_ == ColorBy::Density ? "kg/m^3"
                                                               : "Pa";
            ImGui::Text("%.4g", static_cast<double>(legend_min_));
            ImGui::SameLine(width - 90.0f);
            ImGui::Text("%.4g %s", static_cast<double>(legend_max_), unit);
        }
        if (ImGui::Button("Reset view (V)")) fit_requested_ = true;
    }

    if (ImGui::CollapsingHeader("Force brush", ImGuiTreeNodeFlags_DefaultOpen)) {
        ImGui::TextDisabled(f.scene && f.scene->dimension == 3 ? "Shift + left drag in the view"
                                                               : "left drag in the view");
        ImGui::SliderFloat("radius", &brush_radius_, 0.02f, 1.0f, "%.2f m");
        ImGui::SliderFloat("strength", &brush_strength_, 1.0f, 500.0f, "%.0f m/s^2",
                           ImGuiSliderFlags_Logarithmic);
        ImGui::Checkbox("pull instead of push", &brush_pull_);
    }

    if (f.scene && ImGui::CollapsingHeader("Parameters")) draw_parameters();

    if (ImGui::CollapsingHeader("Statistics", ImGuiTreeNodeFlags_DefaultOpen)) {
        const StepStats& s = f.stats;
        ImGui::Text("%.0f frames/s, %.0f steps/s, %d thread(s)", static_cast<double>(fps_),
                    runner_.steps_per_second(), f.threads);
        ImGui::Text("%zu fluid, %zu boundary particles", s.fluid_particles, s.boundary_particles);
        ImGui::Text("t = %.4f s, step %llu, dt = %.3g s", s.time,
                    static_cast<unsigned long long>(s.step), s.dt);
        ImGui::Text("density error avg %.3f%%, max %.2f%%", 100.0 * s.average_density_error,
                    100.0 * s.max_density_error);
        ImGui::Text("max speed %.3f m/s, kinetic energy %.4g J", s.max_speed, s.kinetic_energy);
        ImGui::Text("removed %llu, wall corrections %zu",
                    static_cast<unsigned long long>(s.removed_particles), s.wall_corrections);
        for (std::size_t i = 0; i < s.stage_count; ++i) {
            const std::string name(s.stages[i].name);
            ImGui::Text("  %-12s %7.3f ms", name.c_str(), s.stages[i].milliseconds);
        }
        auto plot = [](const char* label, const std::deque<float>& history) {
            std::vector<float> v(history.begin(), history.end());
            ImGui::PlotLines(label, v.data(), static_cast<int>(v.size()), 0, nullptr, 0.0f, FLT_MAX,
                             ImVec2(0, 40));
        };
        plot("frames/s", fps_history_);
        plot("steps/s", steps_history_);
        plot("density err %", error_history_);
    }

    ImGui::End();

    if (!message_.empty()) {
        ImGui::SetNextWindowPos(ImVec2(static_cast<float>(size.window.x) * 0.5f, 20.0f),
                                ImGuiCond_Always, ImVec2(0.5f, 0.0f));
        ImGui::SetNextWindowSizeConstraints(ImVec2(200, 0), ImVec2(size.window.x * 0.8f, 400));
        ImGui::Begin("Message", nullptr,
                     ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse);
        ImGui::PushTextWrapPos(size.window.x * 0.75f);
        ImGui::TextUnformatted(message_.c_str());
        ImGui::PopTextWrapPos();
        if (ImGui::Button("OK")) message_.clear();
        ImGui::End();
    }
}

// The parameter panel, generated from the core's declarations. Live parameters change the running
// simulation at once; the others are collected and applied by "Reset with changes".
void App::draw_parameters() {
    const Frame& f = runner_.frame();
    const Scene& running = *f.scene;
    if (edited_scene_ && edited_scene_->source != running.source) edited_scene_.reset();
    const Scene& shown = edited_scene_ ? *edited_scene_ : running;
    for (const ParamDecl& d : parameter_declarations()) {
        const std::string key(d.key);
        const std::string label = key + (d.live ? "" : " *");
        nlohmann::json value = shown.params.to_json(d.key);
        bool changed = false;
        ImGui::PushID(key.c_str());
        switch (d.kind) {
            case ParamKind::Real:
            case ParamKind::Integer: {
                if (value.is_string()) {  // "auto"
                    ImGui::Text("%s = auto", label.c_str());
                    break;
                }
                double v = value.get<double>();
                if (ImGui::InputDouble(label.c_str(), &v, 0.0, 0.0, "%.6g",
                                       ImGuiInputTextFlags_EnterReturnsTrue)) {
                    value = v;
                    changed = true;
                }
                break;
            }
            case ParamKind::Bool: {
                bool v = value.get<bool>();
                if (ImGui::Checkbox(label.c_str(), &v)) {
                    value = v;
                    changed = true;
                }
                break;
            }
            case ParamKind::Choice: {
                const std::string current = value.get<std::string>();
                if (ImGui::BeginCombo(label.c_str(), current.c_str())) {
                    for (std::string_view c : d.choices) {
                        const std::string choice(c);
                        if (ImGui::Selectable(choice.c_str(), choice == current)) {
                            value = choice;
                            changed = true;
                        }
                    }
                    ImGui::EndCombo();
                }
                break;
            }
            case ParamKind::Vector: {
                std::vector<double> v = value.get<std::vector<double>>();
                float xyz[3] = {0, 0, 0};
                for (std::size_t k = 0; k < v.size() && k < 3; ++k)
                    xyz[k] = static_cast<float>(v[k]);
                const bool edited = v.size() == 2
                                        ? ImGui::InputFloat2(label.c_str(), xyz, "%.3g",
                                                             ImGuiInputTextFlags_EnterReturnsTrue)
                                        : ImGui::InputFloat3(label.c_str(), xyz, "%.3g",
                                                             ImGuiInputTextFlags_EnterReturnsTrue);
                if (edited) {
                    for (std::size_t k = 0; k < v.size(); ++k)
                        v[k] = xyz[k];
                    value = v;
                    changed = true;
                }
                break;
            }
        }
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip("%s%s", std::string(d.description).c_str(),
                              d.live ? "" : "\n(applies on reset)");
        }
        ImGui::PopID();
        if (!changed) continue;
        if (d.live) {
            runner_.set_parameter(key, value);
            if (edited_scene_) {
                try {
                    edited_scene_->params.set(d.key, value, key);
                } catch (const SceneError&) {
                }
            }
        } else {
            if (!edited_scene_) edited_scene_ = running;
            try {
                edited_scene_->params.set(d.key, value, key);
                edited_scene_->validate();
            } catch (const SceneError& e) {
                show_message(e.what());
                edited_scene_->params = running.params;
            }
        }
    }
    ImGui::TextDisabled("* applies on reset; the others change the running simulation");
    if (edited_scene_) {
        if (ImGui::Button("Reset with changes")) {
            runner_.load(*edited_scene_);
            edited_scene_.reset();
        }
        ImGui::SameLine();
        if (ImGui::Button("Discard changes")) edited_scene_.reset();
    }
}

void App::draw_help() {
    ImGui::SetNextWindowPos(
        ImVec2(ImGui::GetIO().DisplaySize.x * 0.5f, ImGui::GetIO().DisplaySize.y * 0.5f),
        ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::Begin("Help (F1)", &show_help_, ImGuiWindowFlags_AlwaysAutoResize);
    for (const auto& row : kShortcuts) {
        ImGui::Text("%-16s %s", row[0], row[1]);
    }
    ImGui::End();
}

void App::mouse_button(int button, bool down, const glm::vec2& pos, bool shift) {
    mouse_ = pos;
    if (button < 0 || button > 2) return;
    const Frame& f = runner_.frame();
    const bool three_d = f.scene && f.scene->dimension == 3;
    if (button == 0 && down && !mouse_over_ui_ && (!three_d || shift)) {
        brushing_ = true;
        const glm::vec2 viewport(ImGui::GetIO().DisplaySize.x, ImGui::GetIO().DisplaySize.y);
        if (three_d) {
            // The brush works on the plane through the fluid nearest to the ray, facing the camera.
            const Ray ray = camera3d_.pick_ray(pos, viewport);
            const ParticleView p = f.particles.view();
            float best = std::numeric_limits<float>::max(), depth = camera3d_.distance();
            for (std::size_t i = 0; i < p.count; ++i) {
                const glm::vec3 x(p.position[3 * i], p.position[3 * i + 1], p.position[3 * i + 2]);
                const float t = glm::dot(x - ray.origin, ray.direction);
                const float off = glm::length(x - ray.origin - ray.direction * t);
                if (t > 0.0f && off < brush_radius_ && t < best) best = t, depth = t;
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
    brush_radius_ = radius;
    brush_strength_ = std::abs(strength);
    brush_pull_ = strength < 0.0f;
}

glm::vec3 App::brush_point(const glm::vec2& pixel, const glm::vec2& viewport) const {
    const Frame& f = runner_.frame();
    if (f.scene && f.scene->dimension == 3) {
        const Ray ray = camera3d_.pick_ray(pixel, viewport);
        const glm::vec3 normal = glm::normalize(camera3d_.target() - camera3d_.eye());
        const float denom = glm::dot(ray.direction, normal);
        const float t = std::abs(denom) > 1.0e-6f
                            ? glm::dot(brush_plane_point_ - ray.origin, normal) / denom
                            : 0.0f;
        return ray.origin + ray.direction * t;
    }
    return glm::vec3(camera2d_.pixel_to_world(pixel, viewport), 0.0f);
}

void App::update_brush(const FrameSize& size) {
    std::optional<Brush> brush;
    if (brushing_) brush_center_ = brush_point(mouse_, size.window);
    if (brushing_ || brush_held_) {
        brush =
            Brush{brush_center_, brush_radius_, brush_pull_ ? -brush_strength_ : brush_strength_};
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
    const glm::vec2 viewport(ImGui::GetIO().DisplaySize.x, ImGui::GetIO().DisplaySize.y);
    if (f.scene->dimension == 3) {
        if (dragging_[0]) camera3d_.rotate(-delta.x * 0.008f, delta.y * 0.008f);
        if (dragging_[1] || dragging_[2]) camera3d_.pan_pixels(delta, viewport);
    } else if (dragging_[1] || dragging_[2]) {
        camera2d_.pan_pixels(delta, viewport);
    }
}

void App::scroll(float dy) {
    if (mouse_over_ui_) return;
    const float factor = std::pow(1.15f, dy);
    const Frame& f = runner_.frame();
    if (f.scene && f.scene->dimension == 3) {
        camera3d_.zoom(factor);
    } else {
        camera2d_.zoom_at(factor, mouse_,
                          glm::vec2(ImGui::GetIO().DisplaySize.x, ImGui::GetIO().DisplaySize.y));
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
        case Key::V:
            fit_requested_ = true;
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
        write_framebuffer_png(screenshot_path_, size.framebuffer);
        screenshot_error_.reset();
        if (options_.on_file_saved) options_.on_file_saved(screenshot_path_);
        if (show_ui_) show_message("saved " + screenshot_path_);
    } catch (const std::exception& e) {
        screenshot_error_ = e.what();
        show_message(e.what());
    }
    screenshot_path_.clear();
}

void write_framebuffer_png(const std::string& path, const glm::ivec2& size) {
    std::vector<unsigned char> pixels(static_cast<std::size_t>(size.x) * size.y * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, size.x, size.y, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    // OpenGL's rows run bottom-up; PNG's top-down.
    const int stride = size.x * 4;
    std::vector<unsigned char> flipped(pixels.size());
    for (int y = 0; y < size.y; ++y) {
        std::copy_n(&pixels[static_cast<std::size_t>(size.y - 1 - y) * stride], stride,
                    &flipped[static_cast<std::size_t>(y) * stride]);
    }
    for (std::size_t i = 3; i < flipped.size(); i += 4)
        flipped[i] = 255;  // opaque
    if (!stbi_write_png(path.c_str(), size.x, size.y, 4, flipped.data(), stride)) {
        throw std::runtime_error(path + ": cannot write the screenshot");
    }
}

}  // namespace flume
