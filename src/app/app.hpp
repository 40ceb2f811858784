// The platform-neutral front end: ties the simulation runner, the cameras, the scene drawing
// (scene_drawing.hpp: each published frame as renderer calls), the renderer (renderer.hpp and the
// parts it owns: every GL call but the ImGui backend's) and the ImGui panels (panels.hpp)
// together, and handles input and the force brush. The desktop (GLFW) and browser entry points
// own the window and the ImGui backends and call:
//
//   App app(options);                 // throws SceneError for a bad scene or --set
//   app.init_graphics();              // GL context current, ImGui context created
//   per frame:  [backend NewFrame]; app.frame(size); [ImGui render]; app.after_render(size);
//   events:     app.mouse_button(...), app.mouse_move(...), app.scroll(...), app.key(...),
//               app.drop_files(paths)
#pragma once

#include <deque>
#include <functional>
#include <glm/glm.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/body_picking.hpp"
#include "app/camera.hpp"
#include "app/color_map.hpp"
#include "app/panels.hpp"
#include "app/particle_colors.hpp"
#include "app/renderer.hpp"
#include "app/scene_display.hpp"
#include "app/scene_drawing.hpp"
#include "app/simulation_runner.hpp"
#include "app/ui_settings.hpp"
#include "app/view_mode.hpp"

namespace flume {

struct AppOptions {
    std::string scene{kStartScene};      // built-in name or JSON path
    std::vector<std::string> overrides;  // key=value
    int threads = 0;                     // 0: all hardware threads
    int max_threads = 0;                 // cap of the thread slider (0: twice the hardware's)
    SimulationRunner::Mode runner_mode = SimulationRunner::Mode::Thread;
    // How many times larger than at 1:1 the panels are in the window's coordinates, ImGui's (the
    // desktop's content scale over its framebuffer-to-window ratio; the browser's
    // devicePixelRatio): their places and sizes, and the room they leave the view.
    float ui_scale = 1.0f;
    ColoringSettings coloring;          // what the particles are coloured by at start
    ViewMode view = ViewMode::Surface;  // 3D scenes
    SurfaceSettings surface;            // the Surface panel's settings at start
    bool float_targets = true;  // false: as if float render targets were missing (the fallback)
    bool show_ui = true;
    // What the app remembers between runs (the panel collapsed to a strip), as read at start;
    // `save_settings` is called with the new settings whenever the user changes one.
    UiSettings settings;
    std::function<void(const UiSettings&)> save_settings;
    // Pause once the simulation reaches this step (captures of one state; 0: never).
    std::uint64_t pause_at_step = 0;
    // Called after the app wrote a file the user asked for (screenshot PNG, particles .vtp,
    // probes .csv, a state .flume-state), with its path; the browser turns the file into a
    // download.
    std::function<void(const std::string& path)> on_file_saved;
    // Extra panel lines after Run (the browser: where the threads come from, isolation status).
    std::function<void()> platform_ui;
};

enum class Key { Space, S, R, H, P, V, C, F1, Escape };

struct FrameSize {
    glm::ivec2 framebuffer{1, 1};  // pixels
    glm::vec2 window{1, 1};        // input coordinates (differ from pixels on high-DPI screens)
};

class App {
  public:
    explicit App(const AppOptions& options);
    ~App();

    void init_graphics();  // throws std::runtime_error (shader compile errors)
    void shutdown_graphics();

    void frame(const FrameSize& size);
    void after_render(const FrameSize& size);  // takes a requested screenshot

    // Called before each frame: true when this one is not to be drawn (the platform then skips
    // frame(), the UI and the buffer swap). A capture run (pause_at_step) on its way to its step
    // runs the simulation as fast as it can and draws a frame every kSkipToCaptureSeconds, until
    // the simulation first pauses; not while the whitewater is on screen, which is made frame by
    // frame.
    bool skip_frame();
    static constexpr double kSkipToCaptureSeconds = 0.5;

    // button: 0 left, 1 right, 2 middle; shift: the Shift key is held (3D: brush instead of
    // rotate). A left press on a rigid body grabs it (whatever Shift): it follows the cursor on a
    // spring until the button is released.
    void mouse_button(int button, bool down, const glm::vec2& pos, bool shift = false);
    void mouse_move(const glm::vec2& pos);
    void scroll(float dy);
    void key(Key key);
    // A scene chosen in the Scene panel (a name or a typed path), or a typed .flume-state path
    // (load_state).
    void open_file(const std::string& path);
    // Files dropped together: a scene .json loads (its meshes resolved beside it, or among the
    // files dropped with it); meshes (.obj, .stl) are added to the running scene as obstacles at
    // the view's centre and the simulation restarts; a state (.flume-state) is loaded
    // (load_state) after the rest. Errors are shown as the message and the running scene stays.
    void drop_files(const std::vector<std::string>& paths);

    // Puts the state in the file at `path` back into the running simulation, between two steps
    // (SimulationRunner::restore_state): the message says the step it resumes from, or why the
    // state was refused (the StateError's message: not a state, truncated, corrupted, another
    // scene), and then the simulation runs on untouched. Returns false when the file cannot be
    // read (the message says why), true once the load is under way.
    bool load_state(const std::string& path);
    // The Run panel's "Load state": the last state saved or loaded since the app started, again.
    void reload_state();
    // Why the last state load (since load_state or reload_state) was refused; nothing while it is
    // under way or when it worked.
    const std::optional<std::string>& state_error() const { return state_error_; }
    // State loads asked for whose result has not come back yet.
    std::size_t state_loads_pending() const { return pending_loads_.size(); }

    // Holds the force brush at a world point (capture runs and tests; the mouse does it live).
    void hold_brush(const glm::vec3& center, float radius, float strength);
    // Drags rigid body `body` (scene order) by the centre of its shape towards the world point
    // `target` with the mouse's spring (capture runs and tests: --drag; the mouse does it live).
    // Returns false, and changes nothing, when the scene has no such body.
    bool hold_body_drag(std::size_t body, const glm::vec3& target);

    // What the save buttons do (Run: Screenshot, Save particles, Save state; Probes: Save
    // probes): the next frame, the particles or the probes' readings to flume-screenshot-N.png,
    // flume-particles-N.vtp or flume-probes-N.csv in the working folder (N counts up from 1); the
    // simulation's state, saved between two steps, to SCENE-STEP.flume-state there once the
    // simulation thread hands it back (a later frame; the message says where).
    enum class Save { Screenshot, Particles, Probes, State };
    void save(Save what);

    // Writes the current particles to a VTK .vtp file (errors are shown as the message).
    void save_particles(const std::string& path);
    // Writes the probes' recorded history as CSV (errors are shown as the message).
    void save_probes(const std::string& path);

    // Shows a message in the UI until dismissed or replaced; message() is the one shown.
    void show_message(std::string text);
    const std::string& message() const { return message_; }
    float frames_per_second() const { return fps_; }
    double steps_per_second() const { return runner_.steps_per_second(); }
    bool paused() const { return runner_.paused(); }
    // The simulation has carried out every command given so far (keys, loads, drops) and the
    // next frame shows the result (see SimulationRunner::settled).
    bool settled() const { return runner_.settled(); }
    bool ui_shown() const { return show_ui_; }
    // The panel collapsed to a strip (P, the panel's title-bar arrow, the strip's >> button):
    // remembered through AppOptions::save_settings; the view is framed again for the room the
    // panel leaves, unless the user has moved it since it was last framed.
    bool panel_collapsed() const { return settings_.panel_collapsed; }
    void set_panel_collapsed(bool collapsed);
    // The panels' scale (AppOptions::ui_scale), when the window moves to a screen of another
    // DPI; the caller rebuilds ImGui's font and style.
    void set_ui_scale(float scale) { options_.ui_scale = scale; }
    float ui_scale() const { return options_.ui_scale; }
    // Left and right of the window (framebuffer pixels) that the panels cover while shown: what
    // the view is framed clear of.
    glm::vec2 panel_insets(const FrameSize& size) const;

    // Writes the next drawn frame to a PNG file.
    void request_screenshot(std::string path) { screenshot_path_ = std::move(path); }
    // The result of the last screenshot: empty if fine, else the error.
    const std::optional<std::string>& screenshot_error() const { return screenshot_error_; }
    bool screenshot_pending() const { return !screenshot_path_.empty(); }

    std::uint64_t frames_drawn() const { return frames_drawn_; }
    // Why the surface view cannot be drawn here (then 3D scenes show particles); nothing if it can.
    const std::optional<std::string>& surface_unavailable() const;
    // The drawing's cost per pass (GPU timer queries) or the frame time, as the panel shows it.
    RenderTimings render_timings() const;
    // What the last frame showed: "particles" or another of kViewModeNames.
    std::string_view view_drawn() const { return view_mode_name(view_drawn_); }
    const Frame& current_frame() const { return runner_.frame(); }

  private:
    App(const AppOptions& options, const Scene& scene);
    void install(const Scene& scene, bool keep_view);
    void load_scene(const std::string& name_or_path);
    void fit_view(const FrameSize& size);
    void draw_scene(const FrameSize& size);
    void add_dropped_meshes(const std::vector<std::string>& paths);
    void drop_scene_or_meshes(const std::vector<std::string>& paths);
    void take_state_results();
    void draw_ui(const FrameSize& size);
    void draw_floating_windows(const FrameSize& size);
    void update_brush(const FrameSize& size);
    void update_body_drag(const FrameSize& size);
    bool grab_body(const glm::vec2& pos);
    // The world point under `pixel`: in 2D the plane's, in 3D on the plane through `plane_point`
    // facing the camera.
    glm::vec3 point_under(const glm::vec2& pixel, const glm::vec2& viewport,
                          const glm::vec3& plane_point) const;
    AppOptions options_;
    SimulationRunner runner_;
    Renderer renderer_;
    bool graphics_ready_ = false;

    SceneDrawing scene_drawing_;  // the obstacle meshes and particle buffers it sized

    Camera2D camera2d_;
    OrbitCamera camera3d_;
    std::uint64_t fitted_generation_ = 0;
    std::uint64_t capacity_told_ = 0;  // the scene generation whose full capacity was shown
    bool fit_requested_ = true;
    bool keep_view_ = false;  // the next scene is the one on screen with a dropped mesh
    std::shared_ptr<const Scene> requested_scene_;  // the scene last given to the runner

    ColoringSettings coloring_;
    ViewSettings view_;
    ProbePlots probe_plots_;
    ViewMode view_drawn_ = ViewMode::Particles;
    float frame_milliseconds_ = 0.0f;

    bool show_ui_ = true;
    bool show_help_ = false;
    std::string message_;
    char path_input_[512] = {};
    SceneList scene_list_;
    UiSettings settings_;
    bool strip_closed_ = false;  // the strip gave way to the panel this frame
    bool view_moved_ = false;    // rotated, panned or zoomed since the view was last framed
    int threads_ = 1;

    // Force brush: left drag in 2D, Shift + left drag in 3D (on the plane through the picked
    // depth, facing the camera).
    bool brushing_ = false;
    bool brush_held_ = false;  // set by hold_brush()
    BrushSettings brush_;
    glm::vec3 brush_center_{0.0f};
    glm::vec3 brush_plane_point_{0.0f};
    std::optional<Brush> last_brush_;    // what the runner has
    std::optional<Scene> edited_scene_;  // parameters that apply on reset

    // A rigid body held: grabbed by a left press on it (follows the cursor on the plane through
    // the point grabbed, facing the camera) or by hold_body_drag (held still).
    struct BodyGrab {
        std::size_t body = 0;
        glm::vec3 anchor{0.0f};       // in the body's rest frame
        glm::vec3 plane_point{0.0f};  // world: where it was grabbed
        glm::vec3 target{0.0f};       // world
        bool by_mouse = true;
    };
    std::optional<BodyGrab> grab_;
    std::optional<BodyDrag> last_drag_;  // what the runner has

    // The size of the last frame: input events arrive between frames.
    FrameSize size_;
    glm::vec2 mouse_{0.0f};
    bool dragging_[3] = {false, false, false};
    bool mouse_over_ui_ = false;

    double last_time_ = 0.0;  // when the last frame was drawn
    float fps_ = 0.0f;
    bool capture_paused_ = false;  // a capture run's pause_at_step was reached (or paused before)
    PerformanceHistory history_;
    std::uint64_t frames_drawn_ = 0;

    std::string screenshot_path_;
    std::optional<std::string> screenshot_error_;
    int screenshot_counter_ = 0;
    int particles_counter_ = 0;
    int probes_counter_ = 0;

    // States: the last one saved or loaded (the Run panel's Load state), the loads under way.
    struct StateFile {
        std::string name;
        std::string bytes;
    };
    std::optional<StateFile> last_state_;
    std::deque<StateFile> pending_loads_;
    std::optional<std::string> state_error_;
};

// The largest state file the app reads.
inline constexpr std::size_t kMaxStateFileBytes = std::size_t{1} << 30;

}  // namespace flume
