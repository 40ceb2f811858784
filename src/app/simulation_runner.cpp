#include "simulation_runner.hpp"

#include <chrono>

#include "core/errors.hpp"

namespace flume {

SimulationRunner::SimulationRunner(int threads) : threads_(threads) {
    thread_ = std::thread([this] { run(); });
}

SimulationRunner::~SimulationRunner() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void SimulationRunner::post(std::function<void()> command) {
    {
        std::lock_guard lock(mutex_);
        commands_.push_back(std::move(command));
    }
    wake_.notify_all();
}

void SimulationRunner::report(std::string message) {
    std::lock_guard lock(mutex_);
    message_ = std::move(message);
}

std::optional<std::string> SimulationRunner::take_message() {
    std::lock_guard lock(mutex_);
    std::optional<std::string> m = std::move(message_);
    message_.reset();
    return m;
}

void SimulationRunner::load(const Scene& scene) {
    post([this, scene] { build(scene); });
}

void SimulationRunner::reset() {
    post([this] {
        if (scene_) build(*scene_);
    });
}

void SimulationRunner::set_threads(int threads) {
    post([this, threads] {
        threads_ = threads;
        pool_.reset();
        if (scene_) build(*scene_);
    });
}

void SimulationRunner::set_paused(bool paused) {
    paused_.store(paused, std::memory_order_relaxed);
    wake_.notify_all();
}

void SimulationRunner::step_once() {
    {
        std::lock_guard lock(mutex_);
        single_step_ = true;
    }
    wake_.notify_all();
}

void SimulationRunner::set_steps_per_frame(int steps) {
    steps_per_frame_.store(steps < 1 ? 1 : steps, std::memory_order_relaxed);
}

void SimulationRunner::frame_tick() {
    {
        std::lock_guard lock(mutex_);
        // At most two frames of steps in hand: a slow simulation never piles up work, a fast one
        // runs steps_per_frame steps per drawn frame.
        const int n = steps_per_frame_.load(std::memory_order_relaxed);
        budget_ = std::min(budget_ + n, 2 * n);
    }
    wake_.notify_all();
}

void SimulationRunner::set_brush(const std::optional<Brush>& brush) {
    post([this, brush] {
        brush_ = brush;
        if (simulation_) simulation_->set_brush(brush_);
    });
}

void SimulationRunner::set_parameter(const std::string& key, const nlohmann::json& value) {
    post([this, key, value] {
        if (!simulation_) return;
        try {
            simulation_->set_parameter(key, value);
            scene_ = std::make_shared<const Scene>(simulation_->scene());
            publish();  // the UI sees the new value at once, also while paused
        } catch (const std::exception& e) {
            report(e.what());
        }
    });
}

void SimulationRunner::build(const Scene& scene) {
    try {
        if (!pool_) pool_ = std::make_unique<WorkerPool>(threads_);
        auto simulation = Simulation::create(scene, *pool_);
        simulation_ = std::move(simulation);
        simulation_->set_brush(brush_);
        scene_ = std::make_shared<const Scene>(scene);
        ++generation_;
        publish();
    } catch (const std::exception& e) {
        report(std::string(e.what()) + (simulation_ ? " (the previous scene keeps running)" : ""));
    }
}

void SimulationRunner::publish() {
    Frame& f = frames_.back();
    f.scene_generation = generation_;
    f.scene = scene_;
    f.constants = simulation_->constants();
    f.stats = simulation_->stats();
    f.threads = threads_;
    f.particles.assign(simulation_->fluid(), f.stats.step, f.stats.time);
    frames_.publish();
}

void SimulationRunner::run() {
    using Clock = std::chrono::steady_clock;
    auto window_start = Clock::now();
    int window_steps = 0;
    for (;;) {
        std::deque<std::function<void()>> commands;
        bool step = false;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] {
                const bool can_step =
                    simulation_ && (single_step_ || (!paused_.load() && budget_ > 0));
                return stop_ || !commands_.empty() || can_step;
            });
            if (stop_) return;
            commands.swap(commands_);
            if (commands.empty() && simulation_) {
                if (single_step_) {
                    single_step_ = false;
                    step = true;
                } else if (!paused_.load() && budget_ > 0) {
                    --budget_;
                    step = true;
                }
            }
        }
        for (auto& command : commands)
            command();
        if (!step) continue;
        try {
            simulation_->step();
        } catch (const SimulationError& e) {
            paused_.store(true);
            report(std::string(e.what()) + " -- paused; press R to reset");
            continue;
        }
        publish();
        ++window_steps;
        const double seconds = std::chrono::duration<double>(Clock::now() - window_start).count();
        if (seconds >= 0.5) {
            steps_per_second_.store(window_steps / seconds, std::memory_order_relaxed);
            window_start = Clock::now();
            window_steps = 0;
        }
    }
}

}  // namespace flume
