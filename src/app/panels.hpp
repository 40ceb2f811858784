// The app's ImGui windows and panels, one function each. A panel draws the state it is given and
// edits it, or returns what the user asked for; the App acts on the requests. Call them between
// ImGui::NewFrame() and ImGui::Render(), the panels inside the main window:
//
//   if (begin_main_window(ui_scale, reopened)) {
//       if (auto name = scene_panel(...)) load(*name);   ...   statistics_panel(...);
//   }                                   // else: collapsed by the user; show panel_strip instead
//   end_main_window();
#pragma once

#include <deque>
#include <glm/glm.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/color_map.hpp"
#include "app/fluid_surface.hpp"
#include "app/gpu_timer.hpp"
#include "app/particle_colors.hpp"
#include "app/probe_history.hpp"
#include "app/scene_sketch.hpp"
#include "app/simulation_runner.hpp"
#include "app/view_mode.hpp"

namespace flume {

struct ColoringSettings {
    ColorBy by = ColorBy::Water;
    ColorMap map = ColorMap::Turbo;
    ValueRange legend;  // the range of the last frame drawn in colour
};

struct ViewSettings {
    ViewMode mode = ViewMode::Surface;  // 3D only: 2D scenes always show particles
    SurfaceSettings surface;
};

// What the frame's drawing cost, for the Statistics panel.
struct RenderTimings {
    bool gpu = false;  // timer queries: `passes` hold GPU times
    std::span<const GpuTimer::Pass> passes;
    float frame_milliseconds = 0.0f;  // the CPU's time between frames
    // The whitewater (3D surface view): its diffuse particles and its update's CPU time.
    std::size_t whitewater_particles = 0;
    float whitewater_milliseconds = 0.0f;
};

struct BrushSettings {
    float radius = 0.15f;
    float strength = 80.0f;  // m/s^2
    bool pull = false;       // towards the centre instead of away
};

// The recent frames' figures that the statistics panel plots.
struct PerformanceHistory {
    std::deque<float> frames_per_second, steps_per_second, density_error_percent;
};

// The main window's place and width, in ImGui units before ui_scale: the camera frames the scene
// in the part of the window that it (or the strip) leaves free.
inline constexpr float kPanelMargin = 10.0f;
inline constexpr float kPanelWidth = 340.0f;
inline constexpr float kStripWidth = 34.0f;  // the panel collapsed to a strip

// The main window ("Flume"), expanded (`reopened`: the first frame after the strip). Returns false
// when the user collapsed it (its title bar's arrow, or a double click on the title): then draw
// no panels, call end_main_window, and show panel_strip from the next frame.
bool begin_main_window(float ui_scale, bool reopened);
void end_main_window();

enum class StripRequest { None, Expand, PlayPause, Reset, Help };

// The panel collapsed to a strip at the left: expand (P), play / pause, reset, help.
StripRequest panel_strip(float ui_scale, bool paused);

// The Scene list's entries: each built-in scene's name, dimension, description and thumbnail,
// read once, the first time the list is shown.
struct SceneList {
    struct Entry {
        std::string name;
        int dimension = 3;
        std::string description;
        SceneSketch sketch;
    };
    std::vector<Entry> entries;
    std::uint64_t scene_generation = 0;  // of the scene the list last turned to
};

// Thumbnails' size, in ImGui units before ui_scale.
inline constexpr float kThumbnailWidth = 64.0f;
inline constexpr float kThumbnailHeight = 40.0f;

// Scene: the built-in scenes as a list of thumbnails in two tabs (3D, 2D; the running scene's
// tab open), the running scene's description under it, and a path field (a scene .json or a
// .flume-state). Returns the name or path to open, if one was chosen.
std::optional<std::string> scene_panel(const Frame& frame, SceneList& list,
                                       std::span<char> path_input, float ui_scale);

enum class RunRequest { None, Screenshot, SaveParticles, SaveState, LoadState };

// Run: play, step, reset, steps per frame and threads go to the runner; the screenshot, save and
// load buttons come back as a request (Load state only when `can_load_state`: a state was saved
// or loaded before).
RunRequest run_panel(SimulationRunner& runner, const Frame& frame, int& threads, int max_threads,
                     bool can_load_state);

// View: surface, particles or a debug view (3D; with why the surface is unavailable, if it is),
// what the particles are coloured by, the colour map and its legend. Returns true when "Reset
// view" was pressed.
bool view_panel(ColoringSettings& coloring, ViewSettings& view, int dimension,
                const std::optional<std::string>& surface_unavailable);

// Surface: the fluid surface's filter, colour, absorption and refraction (3D, surface views).
void surface_panel(SurfaceSettings& surface);

void brush_panel(BrushSettings& brush, int dimension);

// Parameters (a collapsed header; call with a scene running): the obstacles (a mesh's file,
// triangles and boundary samples), then the parameters. Live parameters go to the runner at
// once; the others collect in `edited`, which "Reset with changes" loads. Returns the error of an
// edit the scene rejected.
std::optional<std::string> parameters_panel(SimulationRunner& runner, const Frame& frame,
                                            std::optional<Scene>& edited);

void statistics_panel(const Frame& frame, float frames_per_second, double steps_per_second,
                      const PerformanceHistory& history, const RenderTimings& timings);

// What the Probes window plots: for each probe, which of its columns (the scene's probes are
// grouped once per scene).
struct ProbePlots {
    std::uint64_t scene_generation = 0;
    std::vector<ProbeColumnRange> probes;
    std::vector<std::size_t> shown;  // per probe: the column plotted
};

// Probes (a window at the right of `window`, for scenes with probes): one plot per probe over
// the recorded history, with its newest value and unit; clicking a plot shows the probe's next
// quantity. Returns true when "Save probes (.csv)" was pressed.
bool probes_window(const Frame& frame, ProbePlots& plots, float ui_scale, const glm::vec2& window);

// The width of the Probes window, in ImGui units before ui_scale.
inline constexpr float kProbesWindowWidth = 330.0f;

// A message centred at the top of the window (size in ImGui's coordinates); OK clears it.
void message_window(std::string& message, const glm::vec2& window);

// The keyboard and mouse shortcuts, centred; closing the window clears `open`.
void help_window(bool& open, const glm::vec2& window);

}  // namespace flume
