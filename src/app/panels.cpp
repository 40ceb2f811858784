#include "panels.hpp"

#include <imgui.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <vector>

#include "app/scene_display.hpp"
#include "core/errors.hpp"
#include "core/parameters.hpp"
#include "core/scene_library.hpp"

namespace flume {

namespace {

constexpr const char* kColorByNames[] = {"water", "speed", "density", "pressure"};
constexpr const char* kShortcuts[][2] = {
    {"Space", "pause / resume"},
    {"S", "single step (while paused)"},
    {"R", "reset the scene"},
    {"H", "hide / show the panels"},
    {"P", "collapse the panel to a strip / expand it"},
    {"V", "reset the view"},
    {"C", "save the state (.flume-state)"},
    {"F1", "this help"},
    {"Left drag on a body", "drag it (a spring to the cursor)"},
    {"Left drag (3D)", "rotate"},
    {"Left drag (2D)", "force brush"},
    {"Shift + left (3D)", "force brush"},
    {"Right drag", "pan"},
    {"Wheel", "zoom"},
    {"Drop a .json", "open a scene file"},
    {"Drop a .flume-state", "resume from a saved state"},
};

const char* unit_of(ColorBy by) {
    return by == ColorBy::Speed ? "m/s" : by == ColorBy::Density ? "kg/m^3" : "Pa";
}

// A colour bar over the panel's width from the map's low end to its high end, the range below.
void legend(ColorMap map, const ValueRange& range, const char* unit) {
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x, height = 14.0f;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    for (int i = 0; i < 64; ++i) {
        const glm::vec3 c = color_at(map, (static_cast<float>(i) + 0.5f) / 64.0f);
        draw->AddRectFilled(
            ImVec2(origin.x + width * static_cast<float>(i) / 64.0f, origin.y),
            ImVec2(origin.x + width * static_cast<float>(i + 1) / 64.0f, origin.y + height),
            ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, 1.0f)));
    }
    ImGui::Dummy(ImVec2(width, height));
    ImGui::Text("%.4g", static_cast<double>(range.min));
    ImGui::SameLine(width - 90.0f);
    ImGui::Text("%.4g %s", static_cast<double>(range.max), unit);
}

// One parameter's widget, by its kind. Returns true when the user changed `value`.
bool edit_parameter(const ParamDecl& d, const std::string& label, nlohmann::json& value) {
    switch (d.kind) {
        case ParamKind::Real:
        case ParamKind::Integer: {
            if (value.is_string()) {  // "auto"
                ImGui::Text("%s = auto", label.c_str());
                return false;
            }
            double v = value.get<double>();
            if (!ImGui::InputDouble(label.c_str(), &v, 0.0, 0.0, "%.6g",
                                    ImGuiInputTextFlags_EnterReturnsTrue)) {
                return false;
            }
            value = v;
            return true;
        }
        case ParamKind::Bool: {
            bool v = value.get<bool>();
            if (!ImGui::Checkbox(label.c_str(), &v)) return false;
            value = v;
            return true;
        }
        case ParamKind::Choice: {
            const std::string current = value.get<std::string>();
            bool changed = false;
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
            return changed;
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
            if (!edited) return false;
            for (std::size_t k = 0; k < v.size(); ++k)
                v[k] = xyz[k];
            value = v;
            return true;
        }
    }
    return false;
}

// A changed parameter: a live one goes to the running simulation (and to the pending edits, if
// any); the others become pending edits of the running scene. Returns the error of a rejected edit.
std::optional<std::string> apply_parameter(const ParamDecl& d, const nlohmann::json& value,
                                           SimulationRunner& runner, const Scene& running,
                                           std::optional<Scene>& edited) {
    const std::string key(d.key);
    if (d.live) {
        runner.set_parameter(key, value);
        if (edited) {
            try {
                edited->params.set(d.key, value, key);
            } catch (const SceneError&) {
            }
        }
        return std::nullopt;
    }
    if (!edited) edited = running;
    try {
        edited->params.set(d.key, value, key);
        edited->validate();
    } catch (const SceneError& e) {
        edited->params = running.params;
        return e.what();
    }
    return std::nullopt;
}

void plot(const char* label, const std::deque<float>& history) {
    std::vector<float> v(history.begin(), history.end());
    ImGui::PlotLines(label, v.data(), static_cast<int>(v.size()), 0, nullptr, 0.0f, FLT_MAX,
                     ImVec2(0, 40));
}

}  // namespace

bool begin_main_window(float ui_scale, bool reopened) {
    ImGui::SetNextWindowPos(ImVec2(kPanelMargin * ui_scale, kPanelMargin * ui_scale),
                            ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(kPanelWidth * ui_scale, 0), ImGuiCond_FirstUseEver);
    if (reopened) ImGui::SetNextWindowCollapsed(false, ImGuiCond_Always);
    ImGui::Begin("Flume");
    return !ImGui::IsWindowCollapsed();
}

void end_main_window() {
    ImGui::End();
}

StripRequest panel_strip(float ui_scale, bool paused) {
    ImGui::SetNextWindowPos(ImVec2(kPanelMargin * ui_scale, kPanelMargin * ui_scale),
                            ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(kStripWidth * ui_scale, 0.0f), ImGuiCond_Always);
    ImGui::Begin("##strip", nullptr,
                 ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoCollapse |
                     ImGuiWindowFlags_NoSavedSettings);
    StripRequest request = StripRequest::None;
    auto button = [&](const char* label, const char* tip, StripRequest what) {
        if (ImGui::Button(label, ImVec2(-FLT_MIN, 0.0f))) request = what;
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tip);
    };
    button(">>", "Show the panel (P)", StripRequest::Expand);
    button(paused ? ">##play" : "||##pause", paused ? "Play (Space)" : "Pause (Space)",
           StripRequest::PlayPause);
    button("R", "Reset the scene (R)", StripRequest::Reset);
    button("?", "Shortcuts (F1)", StripRequest::Help);
    ImGui::End();
    return request;
}

namespace {

void fill_scene_list(SceneList& list) {
    for (const EmbeddedFile& file : builtin_scenes()) {
        try {
            const Scene scene = load_builtin_scene(file.name);
            list.entries.push_back({std::string(file.name), scene.dimension, scene.description,
                                    sketch_scene(scene, kThumbnailWidth / kThumbnailHeight)});
        } catch (const SceneError&) {
            list.entries.push_back({std::string(file.name), 3, "", {}});  // the load says why
        }
    }
}

ImU32 sketch_color(SketchShape::Kind kind, float alpha) {
    glm::vec3 c(0.6f);
    switch (kind) {
        case SketchShape::Kind::Domain:
            c = glm::vec3(0.55f, 0.58f, 0.62f);
            break;
        case SketchShape::Kind::Fluid:
            c = glm::vec3(0.25f, 0.55f, 0.95f);
            break;
        case SketchShape::Kind::Obstacle:
        case SketchShape::Kind::Container:
            c = glm::vec3(0.78f, 0.47f, 0.36f);  // the obstacles' terracotta
            break;
        case SketchShape::Kind::Body:
            c = glm::vec3(0.95f, 0.70f, 0.20f);  // the bodies' amber
            break;
        case SketchShape::Kind::Emitter:
            c = glm::vec3(0.35f, 0.85f, 0.40f);
            break;
    }
    return ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, alpha));
}

void draw_thumbnail(ImDrawList* draw, const SceneSketch& sketch, ImVec2 origin, ImVec2 size) {
    draw->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y),
                        IM_COL32(24, 27, 33, 255), 3.0f);
    std::vector<ImVec2> points;
    for (const SketchShape& shape : sketch.shapes) {
        points.clear();
        for (const glm::vec2& p : shape.points)
            points.emplace_back(origin.x + p.x * size.x, origin.y + p.y * size.y);
        if (points.empty()) continue;
        const int n = static_cast<int>(points.size());
        if (shape.kind == SketchShape::Kind::Domain && !shape.closed) {
            for (std::size_t i = 0; i + 1 < points.size(); i += 2)
                draw->AddLine(points[i], points[i + 1], sketch_color(shape.kind, 0.7f));
        } else if (shape.filled && n >= 3) {
            draw->AddConvexPolyFilled(points.data(), n, sketch_color(shape.kind, 0.9f));
        } else {
            draw->AddPolyline(points.data(), n, sketch_color(shape.kind, 1.0f),
                              shape.closed ? ImDrawFlags_Closed : ImDrawFlags_None, 1.5f);
        }
    }
}

}  // namespace

std::optional<std::string> scene_panel(const Frame& frame, SceneList& list,
                                       std::span<char> path_input, float ui_scale) {
    if (!ImGui::CollapsingHeader("Scene", ImGuiTreeNodeFlags_DefaultOpen)) return std::nullopt;
    if (list.entries.empty()) fill_scene_list(list);
    std::optional<std::string> chosen;
    // The running scene: a built-in's name, or the file it came from (scene_display.hpp).
    const std::string current = frame.scene ? scene_label(*frame.scene) : "(loading)";
    ImGui::Text("%s", current.c_str());
    // A new scene on screen: its tab opens and the list scrolls to it.
    const bool turn = frame.scene && list.scene_generation != frame.scene_generation;
    if (turn) list.scene_generation = frame.scene_generation;
    const int dimension = frame.scene ? frame.scene->dimension : 3;
    const ImVec2 thumb(kThumbnailWidth * ui_scale, kThumbnailHeight * ui_scale);
    if (ImGui::BeginTabBar("scene dimensions")) {
        for (const int d : {3, 2}) {
            const ImGuiTabItemFlags flags =
                turn && d == dimension ? ImGuiTabItemFlags_SetSelected : 0;
            if (!ImGui::BeginTabItem(d == 3 ? "3D scenes" : "2D scenes", nullptr, flags)) continue;
            const float row = thumb.y + ImGui::GetStyle().ItemSpacing.y;
            ImGui::BeginChild("scene list", ImVec2(0.0f, 3.6f * row), true);
            ImDrawList* draw = ImGui::GetWindowDrawList();
            for (const SceneList::Entry& e : list.entries) {
                if (e.dimension != d) continue;
                const bool running = e.name == current;
                ImGui::PushID(e.name.c_str());
                if (ImGui::Selectable("##scene", running, 0, ImVec2(0.0f, thumb.y)))
                    chosen = e.name;
                if (ImGui::IsItemHovered() && !e.description.empty()) {
                    ImGui::BeginTooltip();
                    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
                    ImGui::TextUnformatted(e.description.c_str());
                    ImGui::PopTextWrapPos();
                    ImGui::EndTooltip();
                }
                if (running && turn) ImGui::SetScrollHereY(0.5f);
                const ImVec2 at = ImGui::GetItemRectMin();
                draw_thumbnail(draw, e.sketch, at, thumb);
                draw->AddText(ImVec2(at.x + thumb.x + 8.0f * ui_scale,
                                     at.y + 0.5f * (thumb.y - ImGui::GetFontSize())),
                              ImGui::GetColorU32(ImGuiCol_Text), e.name.c_str());
                ImGui::PopID();
            }
            ImGui::EndChild();
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    // The running scene's description, one sentence, under the list.
    if (frame.scene && !frame.scene->description.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("%s", frame.scene->description.c_str());
        ImGui::PopStyleColor();
    }
    ImGui::InputText("##path", path_input.data(), path_input.size());
    ImGui::SameLine();
    if (ImGui::Button("Open file")) chosen = std::string(path_input.data());
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("a scene (.json) or a saved state (.flume-state)");
    ImGui::TextDisabled("or drop a scene, mesh or state file on the window");
    return chosen;
}

RunRequest run_panel(SimulationRunner& runner, const Frame& frame, int& threads, int max_threads,
                     bool can_load_state) {
    if (!ImGui::CollapsingHeader("Run", ImGuiTreeNodeFlags_DefaultOpen)) return RunRequest::None;
    RunRequest request = RunRequest::None;
    if (ImGui::Button(runner.paused() ? "Play" : "Pause")) runner.set_paused(!runner.paused());
    ImGui::SameLine();
    if (ImGui::Button("Step")) runner.step_once();
    ImGui::SameLine();
    if (ImGui::Button("Reset")) runner.reset();
    ImGui::SameLine();
    if (ImGui::Button("Screenshot")) request = RunRequest::Screenshot;
    if (ImGui::Button("Save particles (.vtp)")) request = RunRequest::SaveParticles;
    if (ImGui::Button("Save state")) request = RunRequest::SaveState;
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip(
            "The whole simulation at this step, to SCENE-STEP.flume-state (C). Drop the file on "
            "the window to resume from it.");
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(!can_load_state);
    if (ImGui::Button("Load state")) request = RunRequest::LoadState;
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
        ImGui::SetTooltip(can_load_state ? "Back to the last state saved or loaded"
                                         : "Save a state first, or drop a .flume-state file on "
                                           "the window");
    }
    int steps = runner.steps_per_frame();
    if (ImGui::SliderInt("steps / frame", &steps, 1, 64)) runner.set_steps_per_frame(steps);
    if (max_threads > 1) {
        ImGui::SliderInt("threads", &threads, 1, max_threads);
    } else {
        ImGui::TextDisabled("1 thread (this build has no threads)");
    }
    if (threads != frame.threads) {
        ImGui::SameLine();
        if (ImGui::Button("Apply")) runner.set_threads(threads);
        ImGui::TextDisabled("a new thread count applies with a reset");
    }
    return request;
}

bool view_panel(ColoringSettings& coloring, ViewSettings& view, int dimension,
                const std::optional<std::string>& surface_unavailable) {
    if (!ImGui::CollapsingHeader("View", ImGuiTreeNodeFlags_DefaultOpen)) return false;
    bool particles = true;
    if (dimension == 3) {
        int mode = static_cast<int>(view.mode);
        if (ImGui::Combo("view", &mode, kViewModeNames, IM_ARRAYSIZE(kViewModeNames)))
            view.mode = static_cast<ViewMode>(mode);
        particles = view.mode == ViewMode::Particles;
        if (!particles && surface_unavailable) {
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.75f, 0.3f, 1.0f));
            ImGui::TextWrapped("No surface view: %s. Showing particles.",
                               surface_unavailable->c_str());
            ImGui::PopStyleColor();
            particles = true;
        }
    } else {
        ImGui::TextDisabled("2D: particles (no surface view)");
    }
    if (particles) {
        int by = static_cast<int>(coloring.by);
        if (ImGui::Combo("colour by", &by, kColorByNames, 4))
            coloring.by = static_cast<ColorBy>(by);
        if (coloring.by != ColorBy::Water) {
            int map = coloring.map == ColorMap::Viridis ? 0 : 1;
            const char* maps[] = {"viridis", "turbo"};
            if (ImGui::Combo("colour map", &map, maps, 2)) {
                coloring.map = map == 0 ? ColorMap::Viridis : ColorMap::Turbo;
            }
            legend(coloring.map, coloring.legend, unit_of(coloring.by));
        }
    }
    return ImGui::Button("Reset view (V)");
}

void surface_panel(SurfaceSettings& surface) {
    if (!ImGui::CollapsingHeader("Surface")) return;
    ImGui::Checkbox("anisotropic splats", &surface.anisotropic);
    ImGui::Checkbox("whitewater (spray, foam, bubbles)", &surface.whitewater);
    int filter = static_cast<int>(surface.filter);
    const char* filters[] = {"narrow-range", "bilateral"};
    if (ImGui::Combo("smoothing", &filter, filters, 2))
        surface.filter = static_cast<SurfaceFilter>(filter);
    ImGui::SliderFloat("filter size", &surface.filter_radius, 0.0f, 10.0f, "%.1f radii");
    ImGui::ColorEdit3("colour", &surface.color.x);
    ImGui::SliderFloat("absorption", &surface.absorption, 0.0f, 50.0f, "%.1f /m",
                       ImGuiSliderFlags_Logarithmic);
    ImGui::SliderFloat("refraction", &surface.refraction, 0.0f, 1.0f, "%.2f");
    if (ImGui::Button("Defaults")) surface = SurfaceSettings{};
}

void brush_panel(BrushSettings& brush, int dimension) {
    if (!ImGui::CollapsingHeader("Force brush", ImGuiTreeNodeFlags_DefaultOpen)) return;
    ImGui::TextDisabled(dimension == 3 ? "Shift + left drag in the view" : "left drag in the view");
    ImGui::SliderFloat("radius", &brush.radius, 0.02f, 1.0f, "%.2f m");
    ImGui::SliderFloat("strength", &brush.strength, 1.0f, 500.0f, "%.0f m/s^2",
                       ImGuiSliderFlags_Logarithmic);
    ImGui::Checkbox("pull instead of push", &brush.pull);
}

// Generated from the core's parameter declarations.
namespace {

// Each obstacle as the simulation made it: a mesh's file and triangles, its boundary samples.
void obstacle_list(const std::vector<ObstacleSummary>& obstacles) {
    if (obstacles.empty()) return;
    ImGui::Text("Obstacles:");
    for (const ObstacleSummary& o : obstacles) {
        if (o.triangles > 0) {
            ImGui::BulletText("%s: %zu triangles, %zu boundary samples", o.name.c_str(),
                              o.triangles, o.boundary_samples);
        } else {
            ImGui::BulletText("%s: %zu boundary samples", o.name.c_str(), o.boundary_samples);
        }
    }
    ImGui::Separator();
}

// Each emitter switched on and off and its velocity set while the simulation runs, with what it
// has made so far.
void emitter_controls(SimulationRunner& runner, const Frame& frame) {
    ImGui::Separator();
    ImGui::TextUnformatted("Emitters");
    for (std::size_t k = 0; k < frame.emitters.size(); ++k) {
        const EmitterStatus& e = frame.emitters[k];
        ImGui::PushID(static_cast<int>(k));
        bool enabled = e.enabled;
        if (ImGui::Checkbox("##on", &enabled)) runner.set_emitter_enabled(k, enabled);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("emitter %zu on or off", k);
        ImGui::SameLine();
        float velocity = static_cast<float>(e.velocity);
        ImGui::SetNextItemWidth(120.0f);
        if (ImGui::SliderFloat("m/s", &velocity, 0.0f, 10.0f, "%.2f"))
            runner.set_emitter_velocity(k, static_cast<double>(velocity));
        ImGui::SameLine();
        ImGui::Text("%s%llu made", e.emitting ? "" : "(idle) ",
                    static_cast<unsigned long long>(e.emitted));
        ImGui::PopID();
    }
    if (frame.stats.capacity_reached) {
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.3f, 1.0f),
                           "stopped: %zu particles is the capacity (max_particles *)",
                           frame.stats.capacity);
    }
}

// How many bodies the panels list one by one; the rest are counted.
constexpr std::size_t kBodiesListed = 8;

void more_bodies(std::size_t count) {
    if (count > kBodiesListed) ImGui::TextDisabled("and %zu more", count - kBodiesListed);
}

// Each body's density (its mean density when the scene gave its mass), fixed or free, and a push
// upwards, while the simulation runs.
void body_controls(SimulationRunner& runner, const Frame& frame) {
    ImGui::Separator();
    ImGui::TextUnformatted("Bodies");
    const Scene& scene = *frame.scene;
    const std::size_t count = std::min(scene.bodies.size(), frame.bodies.size());
    for (std::size_t k = 0; k < std::min(count, kBodiesListed); ++k) {
        const BodyDesc& desc = scene.bodies[k];
        BodyDesc unit = desc;
        unit.mass = 0.0;
        unit.density = 1.0;
        const double volume = unit.body_mass(scene.dimension);
        ImGui::PushID(static_cast<int>(k));
        ImGui::Text("%zu %-6s", k, desc.shape.shape == Shape::Sphere ? "sphere" : "box");
        ImGui::SameLine();
        float density = static_cast<float>(volume > 0.0 ? frame.bodies[k].mass / volume : 0.0);
        ImGui::SetNextItemWidth(110.0f);
        if (ImGui::SliderFloat("##density", &density, 100.0f, 5000.0f, "%.0f kg/m^3",
                               ImGuiSliderFlags_Logarithmic)) {
            runner.set_body_density(k, static_cast<double>(density));
        }
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("body %zu's density (bodies/%zu/density)", k, k);
        ImGui::SameLine();
        bool fixed = frame.bodies[k].fixed;
        if (ImGui::Checkbox("fixed", &fixed)) runner.set_body_fixed(k, fixed);
        ImGui::SameLine();
        if (ImGui::Button("Push")) {
            glm::dvec3 v = frame.bodies[k].velocity;
            v.y += 1.0;
            runner.push_body(k, v, scene.dimension);
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("1 m/s more upwards");
        ImGui::PopID();
    }
    more_bodies(count);
}

// Each body's position, velocity and the fluid's force on it: one line each in 2D, two in 3D.
void body_statistics(const Frame& frame) {
    const int d = frame.scene ? frame.scene->dimension : 3;
    ImGui::Text("bodies: at m, v m/s, fluid's force F %s", d == 2 ? "N/m" : "N");
    for (std::size_t k = 0; k < std::min(frame.bodies.size(), kBodiesListed); ++k) {
        const BodyStatus& b = frame.bodies[k];
        const char* fixed = b.fixed ? " fixed" : "";
        if (d == 2) {
            ImGui::Text("%zu at %.3f %.3f v %.2f %.2f F %.3g %.3g%s", k, b.position.x, b.position.y,
                        b.velocity.x, b.velocity.y, b.force.x, b.force.y, fixed);
        } else {
            ImGui::Text("%zu at %.3f %.3f %.3f%s", k, b.position.x, b.position.y, b.position.z,
                        fixed);
            ImGui::Text("   v %.2f %.2f %.2f F %.3g %.3g %.3g", b.velocity.x, b.velocity.y,
                        b.velocity.z, b.force.x, b.force.y, b.force.z);
        }
    }
    more_bodies(frame.bodies.size());
}

}  // namespace

std::optional<std::string> parameters_panel(SimulationRunner& runner, const Frame& frame,
                                            std::optional<Scene>& edited) {
    if (!ImGui::CollapsingHeader("Parameters")) return std::nullopt;
    const Scene& running = *frame.scene;
    if (frame.obstacles) obstacle_list(*frame.obstacles);
    std::optional<std::string> error;
    if (edited && edited->source != running.source) edited.reset();
    const Scene& shown = edited ? *edited : running;
    for (const ParamDecl& d : parameter_declarations()) {
        const std::string key(d.key);
        nlohmann::json value = shown.params.to_json(d.key);
        ImGui::PushID(key.c_str());
        const bool changed = edit_parameter(d, key + (d.live ? "" : " *"), value);
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip("%s%s", std::string(d.description).c_str(),
                              d.live ? "" : "\n(applies on reset)");
        }
        ImGui::PopID();
        if (changed) {
            if (auto e = apply_parameter(d, value, runner, running, edited)) error = std::move(e);
        }
    }
    if (!frame.emitters.empty()) emitter_controls(runner, frame);
    if (!frame.bodies.empty()) body_controls(runner, frame);
    ImGui::TextDisabled("* applies on reset; the others change the running simulation");
    if (edited) {
        if (ImGui::Button("Reset with changes")) {
            runner.load(*edited);
            edited.reset();
        }
        ImGui::SameLine();
        if (ImGui::Button("Discard changes")) edited.reset();
    }
    return error;
}

void statistics_panel(const Frame& frame, float frames_per_second, double steps_per_second,
                      const PerformanceHistory& history, const RenderTimings& timings) {
    if (!ImGui::CollapsingHeader("Statistics", ImGuiTreeNodeFlags_DefaultOpen)) return;
    const StepStats& s = frame.stats;
    ImGui::Text("%.0f frames/s, %.0f steps/s, %d thread(s)", static_cast<double>(frames_per_second),
                steps_per_second, frame.threads);
    ImGui::Text("%zu fluid, %zu boundary particles", s.fluid_particles, s.boundary_particles);
    ImGui::Text("t = %.4f s, step %llu, dt = %.3g s", s.time,
                static_cast<unsigned long long>(s.step), s.dt);
    ImGui::Text("density error avg %.3f%%, max %.2f%%", 100.0 * s.average_density_error,
                100.0 * s.max_density_error);
    ImGui::Text("max speed %.3f m/s, kinetic energy %.4g J", s.max_speed, s.kinetic_energy);
    ImGui::Text("potential energy %.4g J", s.potential_energy);
    ImGui::Text("removed %llu, wall corrections %zu",
                static_cast<unsigned long long>(s.removed_particles), s.wall_corrections);
    if (s.step_retries > 0) {
        ImGui::Text("steps retried at half dt: %llu",
                    static_cast<unsigned long long>(s.step_retries));
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip(
                "a pressure solve stopped at max_solver_iterations short of its "
                "tolerance; the step was taken again from its start at half the "
                "time step");
        }
    }
    if (!frame.emitters.empty() || !frame.outlet_removed.empty()) {
        ImGui::Text("emitted %llu, drained %llu, capacity %zu%s",
                    static_cast<unsigned long long>(s.emitted_particles),
                    static_cast<unsigned long long>(s.outlet_particles), s.capacity,
                    s.capacity_reached ? " (full: emitters stopped)" : "");
        for (std::size_t i = 0; i < frame.outlet_removed.size(); ++i) {
            ImGui::Text("  outlet %zu: %llu removed", i,
                        static_cast<unsigned long long>(frame.outlet_removed[i]));
        }
    }
    if (!frame.bodies.empty()) body_statistics(frame);
    for (std::size_t i = 0; i < s.stage_count; ++i) {
        const std::string name(s.stages[i].name);
        ImGui::Text("  %-12s %7.3f ms", name.c_str(), s.stages[i].milliseconds);
    }
    if (timings.gpu && !timings.passes.empty()) {
        ImGui::Text("drawing (GPU):");
        for (const GpuTimer::Pass& pass : timings.passes) {
            const std::string name(pass.name);
            ImGui::Text("  %-12s %7.3f ms", name.c_str(), pass.milliseconds);
        }
    } else {
        ImGui::Text("frame %.2f ms (CPU; no GPU timer queries here)",
                    static_cast<double>(timings.frame_milliseconds));
    }
    if (timings.whitewater_particles > 0) {
        ImGui::Text("whitewater %zu particles, %.2f ms (CPU)", timings.whitewater_particles,
                    static_cast<double>(timings.whitewater_milliseconds));
    }
    plot("frames/s", history.frames_per_second);
    plot("steps/s", history.steps_per_second);
    plot("density err %", history.density_error_percent);
}

namespace {

// One column of a history, as ImGui::PlotLines reads it: NaN (no fluid near a point probe) at
// the plot's floor.
struct PlotColumn {
    const ProbeHistory* history = nullptr;
    std::size_t column = 0;
    float floor = 0.0f;
};

float plot_value(void* data, int row) {
    const auto* p = static_cast<const PlotColumn*>(data);
    const double v = p->history->value(static_cast<std::size_t>(row), p->column);
    return std::isnan(v) ? p->floor : static_cast<float>(v);
}

// The range of a column's finite values (a flat line gets a little room).
ImVec2 column_range(const ProbeHistory& history, std::size_t column) {
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (std::size_t row = 0; row < history.size(); ++row) {
        const double v = history.value(row, column);
        if (std::isnan(v)) continue;
        lo = std::min(lo, static_cast<float>(v));
        hi = std::max(hi, static_cast<float>(v));
    }
    if (lo > hi) return ImVec2(0.0f, 1.0f);
    const float pad = std::max(0.05f * (hi - lo), 1.0e-6f * std::max(std::abs(lo), 1.0f));
    return ImVec2(lo - pad, hi + pad);
}

void probe_plot(const ProbeHistory& history, const ProbeColumnRange& probe, std::size_t& shown,
                float height) {
    const ProbeColumn& c = history.columns()[shown];
    const double now = history.empty() ? std::nan("") : history.value(history.size() - 1, shown);
    char overlay[160];
    if (std::isnan(now)) {
        std::snprintf(overlay, sizeof overlay, "%s: no fluid near", c.name.c_str());
    } else {
        std::snprintf(overlay, sizeof overlay, "%s: %.4g %s", c.name.c_str(), now, c.unit.c_str());
    }
    const ImVec2 range = column_range(history, shown);
    PlotColumn data{&history, shown, range.x};
    ImGui::PushID(static_cast<int>(probe.first));
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::PlotLines("##plot", plot_value, &data, static_cast<int>(history.size()), 0, overlay,
                     range.x, range.y, ImVec2(0.0f, height));
    if (probe.count > 1 && ImGui::IsItemClicked())
        shown = probe.first + (shown - probe.first + 1) % probe.count;
    ImGui::PopID();
}

}  // namespace

bool probes_window(const Frame& frame, ProbePlots& plots, float ui_scale, const glm::vec2& window) {
    const ProbeHistory& history = frame.probes;
    if (!frame.scene || history.columns().empty()) return false;
    if (plots.scene_generation != frame.scene_generation) {
        plots.scene_generation = frame.scene_generation;
        plots.probes = probe_column_ranges(frame.scene->probes, frame.scene->dimension);
        plots.shown.clear();
        for (const ProbeColumnRange& p : plots.probes)
            plots.shown.push_back(p.first);
    }
    // At the top right, as tall as its plots (within the window; it scrolls beyond).
    const float margin = 10.0f * ui_scale, plot_height = 38.0f * ui_scale;
    const float height =
        ImGui::GetFrameHeight() + 2.0f * ImGui::GetFrameHeightWithSpacing() +
        static_cast<float>(plots.probes.size()) * (plot_height + ImGui::GetStyle().ItemSpacing.y) +
        2.0f * ImGui::GetStyle().WindowPadding.y;
    ImGui::SetNextWindowPos(ImVec2(window.x - margin, margin), ImGuiCond_Appearing,
                            ImVec2(1.0f, 0.0f));
    ImGui::SetNextWindowSize(
        ImVec2(kProbesWindowWidth * ui_scale, std::min(height, window.y - 2.0f * margin)),
        ImGuiCond_Appearing);
    bool save = false;
    if (ImGui::Begin("Probes")) {
        save = ImGui::Button("Save probes (.csv)");
        ImGui::SameLine();
        const double span =
            history.empty() ? 0.0 : history.time(history.size() - 1) - history.time(0);
        ImGui::TextDisabled("%zu readings, %.2f s", history.size(), span);
        ImGui::TextDisabled("every %.0f ms; click a plot to switch",
                            1000.0 * SimulationRunner::kProbeSeconds);
        for (std::size_t i = 0; i < plots.probes.size(); ++i) {
            if (plots.probes[i].count == 0) continue;
            probe_plot(history, plots.probes[i], plots.shown[i], plot_height);
        }
    }
    ImGui::End();
    return save;
}

void message_window(std::string& message, const glm::vec2& window) {
    ImGui::SetNextWindowPos(ImVec2(window.x * 0.5f, 20.0f), ImGuiCond_Always, ImVec2(0.5f, 0.0f));
    ImGui::SetNextWindowSizeConstraints(ImVec2(200, 0), ImVec2(window.x * 0.8f, 400));
    ImGui::Begin("Message", nullptr,
                 ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse);
    ImGui::PushTextWrapPos(window.x * 0.75f);
    ImGui::TextUnformatted(message.c_str());
    ImGui::PopTextWrapPos();
    if (ImGui::Button("OK")) message.clear();
    ImGui::End();
}

void help_window(bool& open, const glm::vec2& window) {
    ImGui::SetNextWindowPos(ImVec2(window.x * 0.5f, window.y * 0.5f), ImGuiCond_Always,
                            ImVec2(0.5f, 0.5f));
    ImGui::Begin("Help (F1)", &open, ImGuiWindowFlags_AlwaysAutoResize);
    for (const auto& row : kShortcuts) {
        ImGui::Text("%-16s %s", row[0], row[1]);
    }
    ImGui::End();
}

}  // namespace flume
