// Runs a simulation on its own thread and publishes finished states to the render thread.
//
//   SimulationRunner runner(threads);
//   runner.load(scene);                      // built on the simulation thread
//   each frame:  runner.frame_tick();        // grants the next steps_per_frame steps
//                if (runner.acquire_frame()) draw(runner.frame());
//
// The render thread never waits for a step: states go through a triple buffer, commands through
// a short critical section. A scene that fails to load, or a simulation that becomes invalid,
// leaves the previous state on screen and reports through take_message().
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "app/triple_buffer.hpp"
#include "core/scene.hpp"
#include "core/simulation.hpp"

namespace flume {

// One published state: the fluid, the step's statistics, and what it belongs to.
struct Frame {
    std::uint64_t scene_generation = 0;  // bumped whenever a scene is (re)loaded
    std::shared_ptr<const Scene> scene;  // geometry for drawing, parameters for the UI
    DerivedConstants constants;
    ParticleSnapshot particles;
    StepStats stats;
    int threads = 1;
};

class SimulationRunner {
  public:
    explicit SimulationRunner(int threads);
    ~SimulationRunner();
    SimulationRunner(const SimulationRunner&) = delete;
    SimulationRunner& operator=(const SimulationRunner&) = delete;

    // Commands: return at once, carried out by the simulation thread in order.
    void load(const Scene& scene);  // replaces the running scene once it is built
    void reset();                   // rebuilds the current scene from its description
    void set_threads(int threads);  // applied with a reset
    void set_paused(bool paused);
    void step_once();  // one step while paused
    void set_steps_per_frame(int steps);
    void frame_tick();  // the render thread drew a frame: grant more steps
    void set_brush(const std::optional<Brush>& brush);
    // Changes a live parameter of the running simulation (errors come back as a message).
    void set_parameter(const std::string& key, const nlohmann::json& value);

    bool paused() const { return paused_.load(std::memory_order_relaxed); }
    int steps_per_frame() const { return steps_per_frame_.load(std::memory_order_relaxed); }

    // Render side: takes the newest state, if one arrived since the last call.
    bool acquire_frame() { return frames_.acquire(); }
    const Frame& frame() const { return frames_.front(); }

    // A message for the user (scene errors, an invalid simulation), once.
    std::optional<std::string> take_message();

    // Steps taken per second of wall time, measured on the simulation thread.
    double steps_per_second() const { return steps_per_second_.load(std::memory_order_relaxed); }

  private:
    void run();
    void build(const Scene& scene);
    void publish();
    void post(std::function<void()> command);
    void report(std::string message);

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> commands_;  // guarded by mutex_
    int budget_ = 0;                              // guarded by mutex_
    bool single_step_ = false;                    // guarded by mutex_
    bool stop_ = false;                           // guarded by mutex_
    std::optional<std::string> message_;          // guarded by mutex_

    std::atomic<bool> paused_{false};
    std::atomic<int> steps_per_frame_{4};
    std::atomic<double> steps_per_second_{0.0};

    // Owned by the simulation thread.
    int threads_;
    std::unique_ptr<WorkerPool> pool_;
    std::shared_ptr<const Scene> scene_;
    std::unique_ptr<Simulation> simulation_;
    std::uint64_t generation_ = 0;
    std::optional<Brush> brush_;

    TripleBuffer<Frame> frames_;
    std::thread thread_;
};

}  // namespace flume
