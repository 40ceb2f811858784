// Runs a simulation on its own thread and publishes finished states to the render thread.
//
//   SimulationRunner runner(threads);
//   runner.load(scene);                      // built on the simulation thread
//   each frame:  runner.frame_tick();        // grants the next steps_per_frame steps
//                if (runner.acquire_frame()) draw(runner.frame());
//
// The render thread never waits: in the browser it is the page's main thread, which must not
// block on a mutex or a futex. Every render-side call is lock-free: states come back through a
// triple buffer, commands go through a lock-free queue (CommandQueue), the step budget, pause and
// single step are atomics, and messages come back through an atomic pointer exchange. The
// simulation thread sleeps on an atomic (wait/notify) when it has nothing to do; notify never
// blocks the caller.
//
// Mode::Inline is for builds without threads (the browser's single-threaded fallback): no thread
// is started, and frame_tick() runs the queued commands and this frame's steps on the caller,
// stopping early when a step budget of wall time is used up so that the page stays responsive.
// Time comes from a Clock given to the constructor (a steady clock by default), so that tests
// decide how much time a step takes instead of depending on the machine's speed.
//
// A scene that fails to load, or a simulation that becomes invalid, leaves the previous state on
// screen and reports through take_message().
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/command_queue.hpp"
#include "app/particle_colors.hpp"
#include "app/probe_history.hpp"
#include "app/triple_buffer.hpp"
#include "core/scene.hpp"
#include "core/simulation.hpp"

namespace flume {

// One published state: the fluid, the step's statistics, and what it belongs to. Everything the
// renderer needs per particle is here, so that the render thread only uploads it.
struct Frame {
    std::uint64_t scene_generation = 0;  // bumped whenever a scene is (re)loaded
    std::shared_ptr<const Scene> scene;  // geometry for drawing, parameters for the UI
    // What the simulation made of each obstacle (triangles, boundary samples), in scene order.
    std::shared_ptr<const std::vector<ObstacleSummary>> obstacles;
    // Where each obstacle is at this frame's step (the identity for still ones), in scene order.
    std::vector<glm::mat4> obstacle_poses;
    // The rigid bodies at this frame's step, in scene order: how each moves and what the fluid
    // does to it, and where it is (the map from the scene's description of it to the world).
    std::vector<BodyStatus> bodies;
    std::vector<glm::mat4> body_poses;
    DerivedConstants constants;
    ParticleSnapshot particles;
    QuantityRanges ranges;  // of the particles' speed, density and pressure (the colour bars)
    StepStats stats;
    std::vector<EmitterStatus> emitters;        // in scene order
    std::vector<std::uint64_t> outlet_removed;  // per outlet, in scene order
    // The scene's probes since it was loaded (the newest kProbeRows rows; empty without probes).
    ProbeHistory probes;
    int threads = 1;
};

// What became of a save_state or restore_state command (SimulationRunner::take_state_result).
struct StateResult {
    enum class Kind {
        Saved,     // `bytes` is the state file
        Restored,  // the simulation runs on from the state
        Refused,   // `error` says why (a StateError's message); the simulation is as it was
    };
    Kind kind = Kind::Saved;
    std::string name;       // restore_state's name for the state (empty for a save)
    std::string bytes;      // Saved: the state file's bytes
    std::string error;      // Refused: why
    std::string file_name;  // Saved: SCENE-STEP.flume-state (scene_display.hpp)
    // The simulation's step and time, and its hashes (Simulation::state_hash, deep_hash) after
    // the command (a refused one: the running simulation's).
    std::uint64_t step = 0;
    double time = 0.0;
    std::uint64_t state_hash = 0;
    std::uint64_t deep_hash = 0;
};

class SimulationRunner {
  public:
    enum class Mode {
        Thread,  // the simulation runs on its own thread
        Inline,  // no thread: frame_tick() steps on the caller (builds without threads)
    };

    // Seconds on a monotonic clock. The runner reads it once when it is constructed, once at the
    // start of an inline frame_tick() and once after each step (that reading serves both the
    // inline budget and the steps/s figure); it is called only where the steps run.
    using Clock = std::function<double()>;
    static double steady_seconds();

    explicit SimulationRunner(int threads, Mode mode = Mode::Thread,
                              Clock clock = &SimulationRunner::steady_seconds);
    ~SimulationRunner();
    SimulationRunner(const SimulationRunner&) = delete;
    SimulationRunner& operator=(const SimulationRunner&) = delete;

    // Commands: return at once, carried out by the simulation thread in order.
    void load(const Scene& scene);  // replaces the running scene once it is built
    void reset();                   // rebuilds the current scene from its description
    void set_threads(int threads);  // applied with a reset
    void set_paused(bool paused);
    void step_once();  // one step while paused (each call one step)
    // Pauses when the simulation reaches step `step` (0: never), once per scene loaded or reset,
    // so that a capture shows one given state; resuming runs on from there. With `unpaced`, the
    // steps on the way there are not paced by the frames: they run as fast as the simulation can
    // take them (a capture run that skips frames on the way, App::skip_frame), and frame_tick
    // only drives the inline mode's share of them.
    void pause_at(std::uint64_t step, bool unpaced = false) {
        pause_at_unpaced_.store(unpaced, std::memory_order_relaxed);
        pause_at_.store(step, std::memory_order_relaxed);
    }
    void set_steps_per_frame(int steps);
    void frame_tick();  // the render thread drew a frame: grant more steps
    void set_brush(const std::optional<Brush>& brush);
    // The body held by the mouse (or --drag) for the next steps (std::nullopt: none); kept over
    // resets while the scene has that body. A body the scene does not have comes back as a
    // message.
    void set_body_drag(const std::optional<BodyDrag>& drag);
    // Changes a live parameter of the running simulation (errors come back as a message).
    void set_parameter(const std::string& key, const nlohmann::json& value);
    // Switches emitter `k` (scene order) on or off, or sets its velocity in m/s, while the
    // simulation runs (the Parameters panel's emitter controls): set_parameter on
    // "emitters/K/enabled" or "emitters/K/velocity".
    void set_emitter_enabled(std::size_t k, bool enabled);
    void set_emitter_velocity(std::size_t k, double velocity);
    // Body `k` (scene order) while the simulation runs (the Parameters panel's body controls):
    // set_parameter on "bodies/K/density", "bodies/K/fixed", or "bodies/K/velocity" (a push: the
    // body's velocity from now, `dimension` components).
    void set_body_density(std::size_t k, double density);
    void set_body_fixed(std::size_t k, bool fixed);
    void push_body(std::size_t k, const glm::dvec3& velocity, int dimension);
    // Saves the simulation's whole state between two steps (Simulation::save_state): the bytes
    // come back through take_state_result().
    void save_state();
    // Puts back a state that save_state wrote from a simulation of the running scene, between two
    // steps (Simulation::restore_state; `name` names it in messages); the simulation runs on from
    // there, paused or not as it was, the probes' history starting again. A state it cannot put
    // back (not a state, truncated, corrupted, another scene) comes back Refused with the
    // reason, and the simulation runs on untouched.
    void restore_state(std::string bytes, std::string name);
    // The oldest result of save_state / restore_state not taken yet (render side, lock-free).
    std::optional<StateResult> take_state_result();

    Mode mode() const { return mode_; }
    bool paused() const { return paused_.load(std::memory_order_relaxed); }
    int steps_per_frame() const { return steps_per_frame_.load(std::memory_order_relaxed); }
    // Every command and single step asked for so far has been carried out and its result
    // published: the next acquire_frame() shows it (tests and capture runs wait for this).
    bool settled() const {
        return handled_.load(std::memory_order_acquire) ==
               requests_.load(std::memory_order_relaxed);
    }

    // Render side: takes the newest state, if one arrived since the last call.
    bool acquire_frame() { return frames_.acquire(); }
    const Frame& frame() const { return frames_.front(); }

    // A message for the user (scene errors, an invalid simulation), once. Only the newest one
    // is kept.
    std::optional<std::string> take_message();

    // Steps taken per second of wall time, measured where the steps run.
    double steps_per_second() const { return steps_per_second_.load(std::memory_order_relaxed); }

    // Inline mode: wall time that frame_tick() may spend on steps (at least one step runs).
    static constexpr double kInlineStepSeconds = 0.025;

    // The probes are read at load and after the first step at or after each multiple of
    // kProbeSeconds of simulated time (flume-cli run --probes --probe-every's rule); the history
    // keeps the newest kProbeRows readings (20 s), fewer where the scene has so many probes that
    // the history's copies (the runner's and the three frames') would pass kProbeHistoryBytes.
    static constexpr double kProbeSeconds = 0.01;
    static constexpr std::size_t kProbeRows = 2048;
    static constexpr std::size_t kProbeHistoryBytes = std::size_t{64} << 20;
    static std::size_t probe_rows(std::size_t columns);

  private:
    void run();
    bool take_step();  // claims one step of the budget (or the single step)
    double step();     // returns the clock's reading after the step
    void build(const Scene& scene);
    void publish();
    void start_probes();
    void record_probes();  // a reading, if one is due
    void post(std::function<void()> command);
    void wake();
    void report(std::string message);
    void deliver(StateResult result);

    const Mode mode_;
    const Clock clock_;
    CommandQueue commands_;
    std::atomic<int> budget_{0};
    std::atomic<int> single_steps_{0};
    // Commands and single steps asked for (render side) and carried out (simulation side).
    std::atomic<std::uint64_t> requests_{0};
    std::atomic<std::uint64_t> handled_{0};
    std::atomic<bool> stop_{false};
    std::atomic<std::uint32_t> wake_{0};  // bumped for every change the simulation thread needs
    std::atomic<std::string*> message_{nullptr};

    std::atomic<bool> paused_{false};
    std::atomic<std::uint64_t> pause_at_{0};
    std::atomic<bool> pause_at_unpaced_{false};
    std::atomic<int> steps_per_frame_{4};
    std::atomic<double> steps_per_second_{0.0};

    // Owned by the simulation thread (in inline mode, by the caller of frame_tick()).
    int threads_;
    std::unique_ptr<WorkerPool> pool_;
    std::shared_ptr<const Scene> scene_;
    std::shared_ptr<const std::vector<ObstacleSummary>> obstacles_;
    std::unique_ptr<Simulation> simulation_;
    std::uint64_t generation_ = 0;
    std::uint64_t paused_at_generation_ = 0;  // the scene that pause_at last paused
    bool single_step_taken_ = false;          // the step running is a single step
    std::optional<Brush> brush_;
    std::optional<BodyDrag> body_drag_;
    ProbeHistory probes_;
    std::vector<double> probe_reading_;
    double next_probe_time_ = 0.0;
    double rate_window_start_ = 0.0;
    int rate_window_steps_ = 0;

    // State results, simulation side to render side: closures that move a result into
    // state_results_, run by take_state_result() on the render side.
    CommandQueue state_outbox_;
    std::deque<StateResult> state_results_;  // render side

    TripleBuffer<Frame> frames_;
    std::thread thread_;
};

}  // namespace flume
