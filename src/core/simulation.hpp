// The simulation API that every front end uses: build from a scene, step, read particles.
//
//   flume::WorkerPool pool(4);
//   auto sim = flume::Simulation::create(flume::load_scene("dam-break-2d"), pool);
//   while (sim->stats().time < 1.0) sim->step();          // throws SimulationError if invalid
//   flume::ParticleView water = sim->fluid();
//
// The dimension is a property of the scene; front ends see D-agnostic views (flat float arrays
// with `dimension` floats per vector). Simulations share nothing but the pool they are given: two
// may run side by side in one process.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <glm/glm.hpp>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/communicator.hpp"
#include "core/scene.hpp"
#include "core/worker_pool.hpp"

namespace flume {

// Wall time of one solver stage in the last step.
struct StageTime {
    std::string_view name;
    double milliseconds = 0.0;
};

struct StepStats {
    std::uint64_t step = 0;  // steps taken
    double time = 0.0;       // simulated time, s
    double dt = 0.0;         // last time step, s
    std::size_t fluid_particles = 0;
    std::size_t boundary_particles = 0;
    double average_density_error = 0.0;  // mean of max(rho - rho0, 0) / rho0 (compression only)
    double max_density_error = 0.0;      // max of the same
    double max_speed = 0.0;              // m/s
    double kinetic_energy = 0.0;         // J (per metre in 2D)
    double potential_energy = 0.0;  // J (per metre in 2D), m g h with h above the domain's floor
    std::uint64_t removed_particles = 0;  // fluid particles that left the domain, since the start
    std::uint64_t emitted_particles = 0;  // made by the emitters, since the start
    std::uint64_t outlet_particles = 0;   // removed by the outlets, since the start
    std::size_t capacity = 0;          // the most fluid particles the arrays hold (max_particles)
    bool capacity_reached = false;     // the emitters stopped: the capacity is full
    std::size_t wall_corrections = 0;  // particles put back on a wall surface in the last step
    int pressure_iterations = 0;       // iterative solvers: passes of the pressure solve
    int divergence_iterations = 0;     // dfsph: passes of the divergence solve
    // Steps taken again at half the time step since the start, after a solve stopped at
    // max_solver_iterations short of its tolerance (each halving counts once).
    std::uint64_t step_retries = 0;
    static constexpr std::size_t kMaxStages = 12;
    std::array<StageTime, kMaxStages> stages{};
    std::size_t stage_count = 0;

    double step_milliseconds() const;
};

// Read-only particle arrays of one kind. Vectors are `dimension` floats each.
struct ParticleView {
    int dimension = 3;
    std::size_t count = 0;
    const float* position = nullptr;
    const float* velocity = nullptr;  // fluid only
    const float* density = nullptr;   // fluid only
    const float* pressure = nullptr;  // fluid only
    const std::uint32_t* id = nullptr;
};

// An owned copy of the fluid particles at one step (for a last valid state, or a render thread).
struct ParticleSnapshot {
    int dimension = 3;
    std::uint64_t step = 0;
    double time = 0.0;
    std::vector<float> position, velocity, density, pressure;
    std::vector<std::uint32_t> id;

    ParticleView view() const;
    void assign(const ParticleView& v, std::uint64_t step_number, double sim_time);
};

// Physical constants derived from the scene at construction.
struct DerivedConstants {
    float particle_radius = 0.0f;
    float support = 0.0f;        // kernel support H = 4 r
    float particle_mass = 0.0f;  // rho0 (2r)^D
    float rest_density = 0.0f;
    float expected_speed = 0.0f;  // sqrt(2 g h_fall) + largest initial speed
    float speed_of_sound = 0.0f;  // WCSPH c
    float speed_limit = 0.0f;     // faster than this means the simulation exploded
};

// A force brush: an acceleration on the fluid within `radius` of `center` (z ignored in 2D),
// strength * (1 - d / radius), pointing away from the centre (push, strength > 0) or towards it
// (pull, strength < 0). The interactive apps drive it with the mouse.
struct Brush {
    glm::vec3 center{0.0f};
    float radius = 0.1f;
    float strength = 0.0f;  // m/s^2
};

// What the simulation made of one of the scene's obstacles.
struct ObstacleSummary {
    std::string name;                  // "box", "sphere", "mesh meshes/tank.obj (container)"
    std::size_t triangles = 0;         // meshes
    std::size_t boundary_samples = 0;  // boundary particles on its surface
};

// One of the scene's emitters as it runs.
struct EmitterStatus {
    std::size_t per_layer = 0;  // particles in each layer
    std::uint64_t emitted = 0;  // particles made since the start
    double velocity = 0.0;      // m/s, as set now
    bool enabled = true;        // as set now (the scene, --set or the app)
    bool emitting = false;      // in its time window, enabled and below the capacity
};

// One of the scene's outlets: the particles it removed since the start.
struct OutletStatus {
    std::string name;  // "box", "plane", "mesh meshes/drain.obj"
    std::uint64_t removed = 0;
};

// One of the scene's rigid bodies as it moves (core/bodies/rigid_bodies.hpp), world frame.
struct BodyStatus {
    glm::dvec3 position{0.0};                    // of its centre of mass, m
    glm::dvec4 orientation{1.0, 0.0, 0.0, 0.0};  // unit quaternion (w, x, y, z)
    glm::dvec3 velocity{0.0};                    // m/s
    glm::dvec3 angular_velocity{0.0};            // rad/s
    glm::dvec3 force{0.0};                       // the fluid's, over the last step: N (N/m in 2D)
    glm::dvec3 torque{0.0};                      // the fluid's, about the centre of mass
    double mass = 0.0;                           // kg (kg/m in 2D)
    bool fixed = false;
};

// A body held by the mouse: a soft spring from the body's point `anchor` (in the scene's
// description of it, its rest frame) to `target` (world), of angular frequency 2 pi * 5 Hz per
// unit mass, critically damped, so that the body follows the cursor and turns about the point
// it was grabbed by. The interactive apps drive it.
struct BodyDrag {
    std::size_t body = 0;
    glm::dvec3 anchor{0.0};
    glm::dvec3 target{0.0};
};

// How long the scene took to become a simulation (sampling, distance fields, volumes).
struct LoadTimes {
    double distance_fields_ms = 0.0;
    double boundary_ms = 0.0;  // sampling and volumes, distance fields excluded
    double fluid_ms = 0.0;
};

// Under mpirun, where the ranks split the fluid between them (core/decomposition/): what this
// rank held in the last step, and what every rank owned.
struct RankShare {
    int rank = 0;
    int ranks = 1;
    std::size_t owned = 0;  // fluid particles this rank stepped
    std::size_t halo = 0;   // copies of its neighbours' particles it read
    std::uint64_t recuts = 0;
    std::vector<std::size_t> owned_by_rank;  // in rank order
};

using LogCallback = std::function<void(std::string_view message)>;

class Simulation {
  public:
    virtual ~Simulation() = default;

    // Builds a simulation of `scene` that runs its parallel loops on `pool`. Throws SceneError
    // when the scene cannot be simulated (e.g. absurd sizes). `log` receives notes (optional).
    // With `ranks` of more than one process (flume-cli under mpirun), every rank builds the same
    // simulation and they split its fluid between them from the first step: each steps its
    // share. The stats are the same on every rank; what is gathered for an output (hashes, saved
    // states, whole_fluid, read_probes) has the bits of one process on rank 0, while the other
    // ranks take part and get their own share back. Those calls are collectives: every rank
    // makes them, in the same order.
    static std::unique_ptr<Simulation> create(const Scene& scene, WorkerPool& pool,
                                              LogCallback log = {}, Communicator* ranks = nullptr);

    // Advances by one time step. Throws SimulationError, leaving the particles as they were
    // after the failed step, when a NaN or exploding velocity appears.
    virtual void step() = 0;

    virtual const StepStats& stats() const = 0;
    virtual const Scene& scene() const = 0;
    virtual const DerivedConstants& constants() const = 0;
    virtual int dimension() const = 0;
    // This process's fluid particles: all of them, but under mpirun where the ranks split the
    // fluid, this rank's share (between steps, in the global slot order).
    virtual ParticleView fluid() const = 0;
    // Every rank's fluid particles in the global slot order, on every rank: fluid() in one
    // process; a collective that gathers them where the ranks split the fluid.
    virtual ParticleView whole_fluid() const = 0;
    // Where the ranks split the fluid: this rank's share (std::nullopt otherwise).
    virtual std::optional<RankShare> rank_share() const = 0;
    virtual ParticleView boundary() const = 0;
    // Per obstacle of the scene, in its order.
    virtual const std::vector<ObstacleSummary>& obstacles() const = 0;
    // Where obstacle i is now: the map from the scene's description of it (its rest frame) to
    // the world, the identity unless it has a motion.
    virtual glm::mat4 obstacle_transform(std::size_t i) const = 0;
    virtual const LoadTimes& load_times() const = 0;
    // Per emitter and per outlet of the scene, in its order.
    virtual const std::vector<EmitterStatus>& emitters() const = 0;
    virtual const std::vector<OutletStatus>& outlets() const = 0;
    // Per body of the scene, in its order, as of the last step.
    virtual const std::vector<BodyStatus>& bodies() const = 0;
    // Where body i is now: the map from the scene's description of it to the world.
    virtual glm::mat4 body_transform(std::size_t i) const = 0;

    // The scene's probes (core/probes.hpp): the columns of a reading, and a reading of the
    // current state into `out` (probe_columns().size() values; core/sph/probes.hpp says how).
    // A reading allocates nothing and has the same bits for any thread count; it uses scratch
    // of the simulation, so call it from the thread that steps, between steps. Where the ranks
    // split the fluid it is a collective (it reads the fluid gathered from every rank).
    virtual const std::vector<ProbeColumn>& probe_columns() const = 0;
    virtual void read_probes(std::span<double> out) const = 0;

    // Hash of the bit patterns of every fluid particle's position and velocity, in id order
    // (a collective where the ranks split the fluid, as save_state and deep_hash are).
    virtual std::uint64_t state_hash() const = 0;

    // The whole state at a step boundary, as the bytes of a state file (core/state/state_file.hpp,
    // docs/state-file.md): the particles in slot order with their warm starts, the statistics,
    // the time step's memory, the emitters' progress, the outlets' counts, moving walls' samples
    // and the live parameters. A simulation of the same scene that restores it steps on to the
    // same bits as this one.
    virtual std::string save_state() const = 0;

    // Puts back a state that save_state wrote from a simulation of the same scene (the live
    // parameters it holds are applied). `name` names it in messages. Throws StateError (not a
    // state, truncated, corrupted, a newer format, another scene), leaving this simulation as
    // it was.
    virtual void restore_state(std::string_view bytes, const std::string& name) = 0;

    // FNV-1a 64 over everything save_state writes but its header: equal deep hashes mean equal
    // states, round-trip bugs included (state_hash covers positions and velocities only).
    virtual std::uint64_t deep_hash() const = 0;

    // Bytes held by the simulation's arrays (particles, grids, solver scratch), by capacity.
    virtual std::size_t memory_bytes() const = 0;

    // The force brush for the next steps (std::nullopt: none).
    virtual void set_brush(const std::optional<Brush>& brush) = 0;

    // The body held by the mouse for the next steps (std::nullopt: none). Throws
    // std::out_of_range for a body the scene does not have.
    virtual void set_body_drag(const std::optional<BodyDrag>& drag) = 0;

    // Changes a parameter declared `live` on the running simulation, with the scene file's
    // validation, an emitter's `emitters/N/velocity` or `emitters/N/enabled`, or a body's
    // `bodies/N/density`, `bodies/N/mass`, `bodies/N/fixed` or `bodies/N/velocity` (a push: its
    // velocity from now). Throws SceneError for an invalid value or a parameter that needs a
    // reset.
    virtual void set_parameter(std::string_view key, const nlohmann::json& value) = 0;
};

// FNV-1a 64 over positions and velocities in id order: the state hash of a particle view.
std::uint64_t state_hash(const ParticleView& view);

}  // namespace flume
