#include "simulation_runner.hpp"

#include <algorithm>
#include <chrono>
#include <new>
#include <stdexcept>

#include "app/scene_display.hpp"
#include "core/errors.hpp"
#include "core/futex.hpp"

namespace flume {

double SimulationRunner::steady_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

SimulationRunner::SimulationRunner(int threads, Mode mode, Clock clock)
    : mode_(mode), clock_(std::move(clock)), threads_(threads) {
    rate_window_start_ = clock_();
    if (mode_ == Mode::Thread) thread_ = std::thread([this] { run(); });
}

SimulationRunner::~SimulationRunner() {
    stop_.store(true, std::memory_order_release);
    wake();
    if (thread_.joinable()) thread_.join();
    delete message_.exchange(nullptr, std::memory_order_acquire);
}

void SimulationRunner::wake() {
    wake_.fetch_add(1, std::memory_order_release);
    wake_one(wake_);
}

void SimulationRunner::post(std::function<void()> command) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    commands_.push(std::move(command));
    wake();
}

void SimulationRunner::report(std::string message) {
    delete message_.exchange(new std::string(std::move(message)), std::memory_order_acq_rel);
}

std::optional<std::string> SimulationRunner::take_message() {
    const std::unique_ptr<std::string> m(message_.exchange(nullptr, std::memory_order_acquire));
    if (!m) return std::nullopt;
    return std::move(*m);
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
        // The simulation uses the pool: both go before the pool is replaced. Should the new pool
        // fail (a build without threads), the message says so and nothing runs until the thread
        // count is changed again.
        simulation_.reset();
        pool_.reset();
        if (scene_) build(*scene_);
    });
}

void SimulationRunner::set_paused(bool paused) {
    paused_.store(paused, std::memory_order_relaxed);
    wake();
}

void SimulationRunner::step_once() {
    requests_.fetch_add(1, std::memory_order_relaxed);
    single_steps_.fetch_add(1, std::memory_order_relaxed);
    wake();
}

void SimulationRunner::set_steps_per_frame(int steps) {
    steps_per_frame_.store(steps < 1 ? 1 : steps, std::memory_order_relaxed);
}

void SimulationRunner::frame_tick() {
    // At most two frames of steps in hand: a slow simulation never piles up work, a fast one
    // runs steps_per_frame steps per drawn frame.
    const int n = steps_per_frame_.load(std::memory_order_relaxed);
    int budget = budget_.load(std::memory_order_relaxed);
    while (!budget_.compare_exchange_weak(budget, std::min(budget + n, 2 * n),
                                          std::memory_order_relaxed)) {
    }
    if (mode_ == Mode::Thread) {
        wake();
        return;
    }
    // Inline: this frame's share of the work, on the caller.
    handled_.fetch_add(static_cast<std::uint64_t>(commands_.run_all()), std::memory_order_release);
    const double start = clock_();
    while (simulation_ && take_step()) {
        if (step() - start >= kInlineStepSeconds) break;
    }
}

void SimulationRunner::set_brush(const std::optional<Brush>& brush) {
    post([this, brush] {
        brush_ = brush;
        if (simulation_) simulation_->set_brush(brush_);
    });
}

void SimulationRunner::set_body_drag(const std::optional<BodyDrag>& drag) {
    post([this, drag] {
        body_drag_ = drag;
        if (!simulation_) return;
        try {
            simulation_->set_body_drag(body_drag_);
        } catch (const std::out_of_range&) {
            report("no body " + std::to_string(drag->body) + " to drag: the scene has " +
                   std::to_string(simulation_->bodies().size()) + " bodies");
            body_drag_.reset();
        }
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

void SimulationRunner::set_emitter_enabled(std::size_t k, bool enabled) {
    set_parameter("emitters/" + std::to_string(k) + "/enabled", enabled);
}

void SimulationRunner::set_emitter_velocity(std::size_t k, double velocity) {
    set_parameter("emitters/" + std::to_string(k) + "/velocity", velocity);
}

void SimulationRunner::set_body_density(std::size_t k, double density) {
    set_parameter("bodies/" + std::to_string(k) + "/density", density);
}

void SimulationRunner::set_body_fixed(std::size_t k, bool fixed) {
    set_parameter("bodies/" + std::to_string(k) + "/fixed", fixed);
}

void SimulationRunner::push_body(std::size_t k, const glm::dvec3& velocity, int dimension) {
    nlohmann::json v = nlohmann::json::array();
    for (int i = 0; i < dimension; ++i)
        v.push_back(velocity[i]);
    set_parameter("bodies/" + std::to_string(k) + "/velocity", v);
}

void SimulationRunner::deliver(StateResult result) {
    if (simulation_) {
        result.step = simulation_->stats().step;
        result.time = simulation_->stats().time;
        result.state_hash = simulation_->state_hash();
        result.deep_hash = simulation_->deep_hash();
    }
    auto shared = std::make_shared<StateResult>(std::move(result));
    state_outbox_.push([this, shared] { state_results_.push_back(std::move(*shared)); });
}

std::optional<StateResult> SimulationRunner::take_state_result() {
    state_outbox_.run_all();
    if (state_results_.empty()) return std::nullopt;
    StateResult result = std::move(state_results_.front());
    state_results_.pop_front();
    return result;
}

void SimulationRunner::save_state() {
    post([this] {
        StateResult result;
        try {
            if (!simulation_) throw StateError("no simulation is running to save");
            result.bytes = simulation_->save_state();
            result.file_name = state_file_name(simulation_->scene(), simulation_->stats().step);
        } catch (const std::exception& e) {  // StateError, bad_alloc
            result.kind = StateResult::Kind::Refused;
            result.error = std::string("cannot save the state: ") + e.what();
        }
        deliver(std::move(result));
    });
}

void SimulationRunner::restore_state(std::string bytes, std::string name) {
    post([this, bytes = std::move(bytes), name = std::move(name)] {
        StateResult result;
        result.kind = StateResult::Kind::Restored;
        result.name = name;
        try {
            if (!simulation_) throw StateError(name + ": no simulation is running to load it into");
            simulation_->restore_state(bytes, name);
        } catch (const std::exception& e) {  // StateError (the simulation is as it was)
            result.kind = StateResult::Kind::Refused;
            result.error = e.what();
            deliver(std::move(result));
            return;
        }
        // The state's live parameters now apply, but an invalid step is still retried (the
        // apps' choice, whatever the saving run's was; see build()).
        simulation_->set_parameter("on_invalid", "retry");
        scene_ = std::make_shared<const Scene>(simulation_->scene());
        start_probes();  // the history starts again at the restored time
        publish();
        deliver(std::move(result));
    });
}

void SimulationRunner::build(const Scene& scene) {
    try {
        if (!pool_) pool_ = std::make_unique<WorkerPool>(threads_);
        // The apps take an invalid step again in halves rather than stop (on_invalid =
        // retry): a slider or a brush pushed too far slows the simulation instead of ending it.
        Scene installed = scene;
        installed.params.set("on_invalid", "retry", "the app");
        auto simulation = Simulation::create(installed, *pool_);
        simulation_ = std::move(simulation);
        simulation_->set_brush(brush_);
        // A drag outlives a reset, not a scene without its body.
        if (body_drag_ && body_drag_->body >= simulation_->bodies().size()) body_drag_.reset();
        simulation_->set_body_drag(body_drag_);
        scene_ = std::make_shared<const Scene>(installed);
        obstacles_ = std::make_shared<const std::vector<ObstacleSummary>>(simulation_->obstacles());
        ++generation_;
        start_probes();
        publish();
    } catch (const std::bad_alloc&) {
        report("not enough memory to build " + (scene.name.empty() ? scene.source : scene.name) +
               ", although its estimate was within memory_limit (" +
               scene.params.to_json("memory_limit").dump() +
               "): set memory_limit to what this machine can spare, or raise particle_radius or "
               "lower max_particles" +
               (simulation_ ? " (the previous scene keeps running)" : ""));
    } catch (const std::exception& e) {
        report(std::string(e.what()) + (simulation_ ? " (the previous scene keeps running)" : ""));
    }
}

void SimulationRunner::publish() {
    Frame& f = frames_.back();
    f.scene_generation = generation_;
    f.scene = scene_;
    f.obstacles = obstacles_;
    f.obstacle_poses.resize(scene_->obstacles.size());  // the same size each frame: no allocation
    for (std::size_t i = 0; i < f.obstacle_poses.size(); ++i)
        f.obstacle_poses[i] = simulation_->obstacle_transform(i);
    f.bodies = simulation_->bodies();  // the same size each frame: no allocation
    f.body_poses.resize(f.bodies.size());
    for (std::size_t i = 0; i < f.body_poses.size(); ++i)
        f.body_poses[i] = simulation_->body_transform(i);
    f.constants = simulation_->constants();
    f.stats = simulation_->stats();
    f.emitters = simulation_->emitters();  // the same size each frame: no allocation
    f.outlet_removed.resize(simulation_->outlets().size());
    for (std::size_t i = 0; i < f.outlet_removed.size(); ++i)
        f.outlet_removed[i] = simulation_->outlets()[i].removed;
    f.probes.catch_up(probes_);  // a few rows: the slot was published two steps ago
    f.threads = threads_;
    f.particles.assign(simulation_->fluid(), f.stats.step, f.stats.time);
    f.ranges = quantity_ranges(f.particles.view());
    frames_.publish();
}

std::size_t SimulationRunner::probe_rows(std::size_t columns) {
    if (columns == 0) return 1;
    constexpr std::size_t kCopies = 4, kLeast = 16;
    const std::size_t row_bytes = (columns + 1) * sizeof(double);  // a time and a reading
    return std::clamp(kProbeHistoryBytes / (kCopies * row_bytes), kLeast, kProbeRows);
}

// Sized once per scene: recording allocates nothing.
void SimulationRunner::start_probes() {
    const std::vector<ProbeColumn>& columns = simulation_->probe_columns();
    probes_.reset(columns, probe_rows(columns.size()));
    probe_reading_.assign(columns.size(), 0.0);
    next_probe_time_ = 0.0;
    record_probes();
}

void SimulationRunner::record_probes() {
    const double t = simulation_->stats().time;
    if (probe_reading_.empty() || t + 1.0e-12 < next_probe_time_) return;
    simulation_->read_probes(probe_reading_);
    probes_.push(t, probe_reading_);
    while (next_probe_time_ <= t + 1.0e-12)
        next_probe_time_ += kProbeSeconds;
}

bool SimulationRunner::take_step() {
    int single = single_steps_.load(std::memory_order_relaxed);
    while (single > 0) {
        if (single_steps_.compare_exchange_weak(single, single - 1, std::memory_order_relaxed)) {
            single_step_taken_ = true;
            return true;
        }
    }
    if (paused_.load(std::memory_order_relaxed)) return false;
    const std::uint64_t pause_at = pause_at_.load(std::memory_order_relaxed);
    if (pause_at > 0 && paused_at_generation_ != generation_) {
        if (simulation_->stats().step >= pause_at) {
            paused_at_generation_ = generation_;
            paused_.store(true, std::memory_order_relaxed);
            return false;
        }
        if (pause_at_unpaced_.load(std::memory_order_relaxed)) return true;
    }
    int budget = budget_.load(std::memory_order_relaxed);
    while (budget > 0) {
        if (budget_.compare_exchange_weak(budget, budget - 1, std::memory_order_relaxed))
            return true;
    }
    return false;
}

double SimulationRunner::step() {
    // A single step asked for counts as carried out once its result is published (or failed).
    struct Handled {
        SimulationRunner& r;
        ~Handled() {
            if (r.single_step_taken_) r.handled_.fetch_add(1, std::memory_order_release);
            r.single_step_taken_ = false;
        }
    } handled{*this};
    try {
        simulation_->step();
    } catch (const SimulationError& e) {
        paused_.store(true);
        report(std::string(e.what()) + " -- paused; press R to reset");
        return clock_();
    } catch (const std::bad_alloc&) {  // the first step sizes the neighbour lists
        paused_.store(true);
        report(
            "not enough memory for the first step's neighbour lists -- paused; set "
            "memory_limit to what this machine can spare, or raise particle_radius");
        return clock_();
    }
    record_probes();
    publish();
    ++rate_window_steps_;
    const double now = clock_();
    if (now - rate_window_start_ >= 0.5) {
        steps_per_second_.store(rate_window_steps_ / (now - rate_window_start_),
                                std::memory_order_relaxed);
        rate_window_start_ = now;
        rate_window_steps_ = 0;
    }
    return now;
}

void SimulationRunner::run() {
    for (;;) {
        // Read the wake counter before looking for work: anything posted after this load bumps
        // it, so the wait below returns at once instead of sleeping through the change.
        const std::uint32_t seen = wake_.load(std::memory_order_acquire);
        if (stop_.load(std::memory_order_acquire)) return;
        const int ran = commands_.run_all();
        handled_.fetch_add(static_cast<std::uint64_t>(ran), std::memory_order_release);
        bool worked = ran > 0;
        if (simulation_ && take_step()) {
            step();
            worked = true;
        }
        if (!worked) wait_while(wake_, seen);
    }
}

}  // namespace flume
