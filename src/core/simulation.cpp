// SphSimulation<D>: the pipeline of a step over the simulation's rooms (the fluid, the walls, the
// emitters and outlets of core/flows/, the time step's memory, the step's start). One step is
//
//   inflow           the emitters' new layers (scenes with emitters)
//   grid             moving walls carried to their pose; the fluid sorted by cell, its arrays
//                    permuted into cell order
//   neighbour lists  each particle's neighbours (neighbour_lists = true)
//   <solver>         its own stages: density, pressure, forces, integrate (see its file)
//   bookkeeping      inflow zones carried, walls kept, validity check, particles that left the
//                    domain or entered an outlet removed, statistics
//
// A step that an iterative solve could not finish, or (on_invalid = retry) that left the fluid
// invalid, is taken again from its start at half the time step. save_state/restore_state write
// and read every room's state (docs/state-file.md).
#include "core/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "core/bodies/rigid_bodies.hpp"
#include "core/errors.hpp"
#include "core/flows/emitters.hpp"
#include "core/flows/geometry.hpp"
#include "core/flows/outlets.hpp"
#include "core/neighbours/grid.hpp"
#include "core/sph/boundary_sampling.hpp"
#include "core/sph/context.hpp"
#include "core/sph/kernels.hpp"
#include "core/sph/particles.hpp"
#include "core/sph/probes.hpp"
#include "core/sph/step_start.hpp"
#include "core/sph/time_step.hpp"
#include "core/state/state_file.hpp"
#include "core/walls/moving_walls.hpp"
#include "core/walls/solids.hpp"

namespace flume {

double StepStats::step_milliseconds() const {
    double sum = 0.0;
    for (std::size_t s = 0; s < stage_count; ++s)
        sum += stages[s].milliseconds;
    return sum;
}

ParticleView ParticleSnapshot::view() const {
    return ParticleView{dimension,      id.size(),       position.data(), velocity.data(),
                        density.data(), pressure.data(), id.data()};
}

void ParticleSnapshot::assign(const ParticleView& v, std::uint64_t step_number, double sim_time) {
    dimension = v.dimension;
    step = step_number;
    time = sim_time;
    const std::size_t n = v.count, nd = v.count * static_cast<std::size_t>(v.dimension);
    position.assign(v.position, v.position + nd);
    velocity.assign(v.velocity, v.velocity + nd);
    density.assign(v.density, v.density + n);
    pressure.assign(v.pressure, v.pressure + n);
    id.assign(v.id, v.id + n);
}

std::uint64_t state_hash(const ParticleView& view) {
    std::vector<std::uint32_t> by_id(view.count);
    std::iota(by_id.begin(), by_id.end(), 0u);
    std::sort(by_id.begin(), by_id.end(),
              [&](std::uint32_t a, std::uint32_t b) { return view.id[a] < view.id[b]; });
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
    auto mix = [&](float f) {
        const std::uint32_t bits = float_bits(f);
        for (int byte = 0; byte < 4; ++byte) {
            hash ^= (bits >> (8 * byte)) & 0xFFu;
            hash *= 1099511628211ull;
        }
    };
    const std::size_t d = static_cast<std::size_t>(view.dimension);
    for (std::uint32_t i : by_id) {
        for (std::size_t k = 0; k < d; ++k)
            mix(view.position[i * d + k]);
        for (std::size_t k = 0; k < d; ++k)
            mix(view.velocity[i * d + k]);
    }
    return hash;
}

namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

template <int D>
class SphSimulation final : public Simulation {
  public:
    SphSimulation(const Scene& scene, WorkerPool& pool, LogCallback log, Communicator* ranks)
        : scene_(scene),
          pool_(pool),
          log_(std::move(log)),
          settings_(step_settings(scene_.params)) {
        const ParameterSet& params = scene_.params;
        const double r = params.number("particle_radius");
        const double spacing = 2.0 * r;
        constants_.particle_radius = static_cast<float>(r);
        constants_.support = static_cast<float>(4.0 * r);
        constants_.rest_density = static_cast<float>(params.number("rest_density"));
        // The mass that gives a particle in the rest lattice exactly the rest density:
        // m = rho0 / sum_j W(x_i - x_j) over the lattice of spacing 2r (rather than rho0 (2r)^D,
        // whose density is off by the kernel's discretisation error, about 0.1%: more than an
        // incompressible solver's tolerance). Boundary volumes use the same normalisation.
        const double lattice_sum = with_kernel<D>(
            settings_.kernel, constants_.support,
            [&](const auto& kernel) { return lattice_sums(kernel, spacing).kernel; });
        constants_.particle_mass = static_cast<float>(params.number("rest_density") / lattice_sum);
        gravity_ = gravity_of(settings_);

        domain_lower_ = to_vec<D>(scene_.domain_min);
        domain_upper_ = to_vec<D>(scene_.domain_max);
        // One cell of margin around the domain for the wall samples and escaping particles.
        const Vec<D> margin(constants_.support);
        try {
            fluid_grid_.configure(domain_lower_ - margin, domain_upper_ + margin,
                                  constants_.support);
            boundary_grid_.configure(domain_lower_ - margin, domain_upper_ + margin,
                                     constants_.support);
        } catch (const std::invalid_argument& e) {
            throw SceneError(scene_.source + ": /particle_radius: " + std::to_string(r) +
                             " m is too small for the domain: " + e.what());
        }

        solids_.set_up(params.boolean("domain_walls"), domain_lower_, domain_upper_,
                       constants_.particle_radius, &moving_walls_);
        for (std::size_t i = 0; i < scene_.obstacles.size(); ++i) {
            const ShapeDesc& shape = scene_.obstacles[i];
            if (shape.motion.moves())
                note_short_period(shape.motion, "obstacle " + std::to_string(i));
        }
        moving_walls_.set_up(scene_.obstacles, scene_.bodies.size());
        bodies_.set_up(scene_.bodies, domain_lower_, domain_upper_, params.boolean("domain_walls"),
                       spacing, scene_.obstacles.size());
        const int layers = shell_layers(spacing);
        const auto fields_start = Clock::now();
        for (const ShapeDesc& shape : scene_.obstacles) {
            Obstacle o;
            std::unique_ptr<DistanceField> field;
            o.sphere = shape.shape == Shape::Sphere;
            o.lower = to_vec<D>(shape.min);
            o.upper = to_vec<D>(shape.max);
            o.centre = to_vec<D>(shape.center);
            o.radius = static_cast<float>(shape.radius);
            if (shape.shape == Shape::Mesh) {
                const MeshShape joined =
                    joined_to_walls(*shape.mesh, shape.motion.moves(), layers * spacing);
                field = build_field(joined, spacing, layers);
                o.field = field.get();
                o.invert = shape.mesh->invert;
            }
            o.moves = shape.motion.moves();
            o.index = static_cast<std::uint32_t>(solids_.obstacles().size());
            solids_.add(o, std::move(field));
        }
        for (std::size_t k = 0; k < bodies_.size(); ++k) {
            const ShapeDesc& shape = bodies_.shape(k);
            Obstacle o;
            o.sphere = shape.shape == Shape::Sphere;
            o.lower = to_vec<D>(shape.min);
            o.upper = to_vec<D>(shape.max);
            o.centre = to_vec<D>(shape.center);
            o.radius = static_cast<float>(shape.radius);
            o.moves = true;
            o.index = moving_walls_.first_body() + static_cast<std::uint32_t>(k);
            o.body = static_cast<std::int32_t>(k);
            o.bound_centre = to_vec<D>(0.5 * (shape.lower() + shape.upper()));
            o.bound_radius = static_cast<float>(0.5 * glm::length(shape.upper() - shape.lower())) +
                             constants_.particle_radius;
            std::unique_ptr<DistanceField> field;
            if (shape.shape == Shape::Mesh) {  // a polygon (2D)
                field = build_field(*shape.mesh, spacing, layers);
                o.field = field.get();
            }
            solids_.add(o, std::move(field));
        }
        load_times_.distance_fields_ms = milliseconds_since(fields_start);
        const auto boundary_start = Clock::now();
        sample_boundary(spacing);
        load_times_.boundary_ms = milliseconds_since(boundary_start);
        const auto fluid_start = Clock::now();
        fluid_.tracks_inflow = !scene_.emitters.empty();
        emitters_.set_up(scene_.emitters, spacing);
        emitters_.update_status(scene_.emitters, stats_);
        sample_fluid(spacing);
        load_times_.fluid_ms = milliseconds_since(fluid_start);
        outlets_.set_up(
            scene_.outlets,
            [&](const MeshShape& mesh) {
                return build_field(mesh, spacing, shell_layers(spacing));
            },
            fluid_, scene_.source);
        reserve_capacity(spacing);
        removed_by_outlet_.reserve(scene_.outlets.size() + 1);
        probes_ = ProbeReader<D>(scene_, constants_.particle_radius, boundary_.size());
        derive_speeds();
        solver_ = make_solver<D>(settings_, constants_);
        if (keeps_start()) step_start_.reserve(fluid_, emitters_);

        stats_.fluid_particles = fluid_.size();
        stats_.boundary_particles = boundary_.size();
        stats_.capacity = fluid_.capacity;
        float v2max = 0.0f;
        for (std::size_t i = 0; i < fluid_.size(); ++i) {
            const float v2 = length_squared<D>(fluid_.velocity[i]);
            v2max = std::max(v2max, v2);
            stats_.kinetic_energy += 0.5 * static_cast<double>(constants_.particle_mass) * v2;
            stats_.potential_energy += potential_energy(fluid_.position[i]);
        }
        stats_.max_speed = std::sqrt(v2max);
        time_step_ = TimeStepController(stats_.max_speed);
        if (ranks != nullptr && ranks->size() > 1) split_between(*ranks);
    }

    // Under mpirun: the ranks split the fluid between them (core/decomposition/).
    void split_between(Communicator& ranks) {
        decomposition_ = std::make_unique<Decomposition<D>>(ranks);
    }

    // The particles of every rank between steps (the one-process count).
    std::size_t whole_fluid_count() const {
        if (!decomposition_ || decomposition_->holds_everything() || decomposition_->rank() != 0)
            return fluid_.size();
        return gathered_.size();  // state_payload gathered them
    }

    // Decomposed: how many particles every rank holds together.
    std::size_t global_fluid_count() const {
        return decomposition_ ? decomposition_->global_count() : fluid_.size();
    }

    // A step of a solver that iterates starts from a saved state: when one of its solves stops
    // at its pass cap short of its tolerance, the step is taken again from that state at half
    // the time step with twice the passes, up to kMaxRetries times (each counted in
    // stats().step_retries, the first logged); past that the state is put back as the step found
    // it and a SimulationError says which solve failed. Half the step for a step too large to
    // solve; twice the passes for the error that no step makes smaller: a deep column's smooth
    // compression takes passes in proportion to its depth, and taken out in half the time it
    // leaves the fluid four times the kinetic energy (docs/solvers.md).
    static constexpr int kMaxRetries = 6;

    void step() override {
        float dt = next_time_step();
        stats_.stage_count = 0;
        if (keeps_start()) step_start_.save(fluid_, stats_, emitters_, pool_);
        const bool held_everything = decomposition_ && decomposition_->holds_everything();
        bodies_.begin_step();
        for (int retries = 0;; ++retries) {
            const SolveResult result = attempt_step(dt, settings_.max_solver_iterations << retries);
            const bool last = retries == kMaxRetries || 0.5 * dt < settings_.min_time_step;
            if (result.converged) {
                try {
                    bookkeeping(dt);
                    return;
                } catch (const SimulationError& e) {
                    // on_invalid = retry: the step again from its start, at half the step.
                    if (!settings_.retry_invalid || last) throw;
                    back_to_start();
                    if (decomposition_) decomposition_->set_holds_everything(held_everything);
                    stats_.step_retries += static_cast<std::uint64_t>(retries) + 1;
                    if (log_) {
                        log_(std::string(e.what()) + "; on_invalid = retry: the step is taken " +
                             "again at half the time step (" + format_number(0.5 * dt) + " s)");
                    }
                    dt *= 0.5f;
                    continue;
                }
            }
            back_to_start();
            if (decomposition_) decomposition_->set_holds_everything(held_everything);
            if (last) throw unconverged_error(result, dt, retries);
            stats_.step_retries += static_cast<std::uint64_t>(retries) + 1;
            if (step_start_.first_retry() && log_) log_(retry_note(result, dt));
            dt *= 0.5f;
        }
    }

    // A step's start is kept where a step may be taken again: an iterative solver's solve that
    // stops at its cap, or on_invalid = retry.
    bool keeps_start() const { return solver_->iterates() || settings_.retry_invalid; }

    // The state as the step found it, with the time its stages have taken so far.
    void back_to_start() {
        const auto stages = stats_.stages;
        const std::size_t stage_count = stats_.stage_count;
        step_start_.restore(fluid_, stats_, emitters_, pool_);
        bodies_.back_to_start();
        stats_.stages = stages;
        stats_.stage_count = stage_count;
    }

    // One try at the step of length dt with at most max_passes passes a solve, up to the
    // bookkeeping: the solver's result.
    SolveResult attempt_step(float dt, int max_passes) {
        stats_.pressure_iterations = 0;
        stats_.divergence_iterations = 0;
        SphContext<D> ctx{fluid_,     boundary_, fluid_grid_, boundary_grid_, pool_,
                          constants_, settings_, gravity_,    stats_,         brush_};
        ctx.max_passes = max_passes;
        if (!emitters_.empty())
            ctx.stage("inflow", [&] {
                if (!decomposition_) {
                    emitters_.emit(flow(), stats_.time, dt);
                    return;
                }
                // Split between ranks: every rank places the new layers (their ids), and the
                // last keeps them, at the end of the global order as one process does (unless
                // every rank holds every particle, in the first step).
                typename Emitters<D>::Flow f = flow();
                const std::size_t before = fluid_.size();
                const bool whole = decomposition_->holds_everything();
                f.elsewhere = whole ? 0 : stats_.fluid_particles - before;
                emitters_.emit(f, stats_.time, dt);
                if (!whole && decomposition_->rank() + 1 < decomposition_->ranks())
                    fluid_.truncate(before);
            });
        ctx.stage("grid", [&] {
            if (moving_walls_.any()) {
                moving_walls_.move(scene_.obstacles, bodies_.motions(dt), boundary_, boundary_part_,
                                   boundary_grid_, pool_, stats_.time, dt);
                if (!bodies_.empty())
                    bodies_.collect(moving_walls_.owners(), moving_walls_.first_body());
            }
            if (decomposition_) decomposition_->migrate(fluid_, fluid_grid_);
            // The sort's per-particle arrays borrow the neighbour lists' array, idle from the
            // end of the last step's solver to this step's build.
            fluid_grid_.sort(fluid_.position, pool_, lists_.idle_storage());
            fluid_.permute(fluid_grid_.order(), fluid_grid_.scratch(), pool_);
            if (decomposition_) {
                decomposition_->found_owned(fluid_grid_, fluid_.size());
                if (!bodies_.empty()) find_sample_owners();
            }
            if (!emitters_.empty()) {
                if (decomposition_) {
                    emitters_.note_carried(fluid_, decomposition_->owned_begin(),
                                           decomposition_->owned_end());
                } else {
                    emitters_.note_carried(fluid_, 0, fluid_.size());
                }
            }
        });
        if (settings_.neighbour_lists) {
            ctx.stage("neighbour lists", [&] {
                lists_.build(fluid_grid_, fluid_.position, boundary_grid_, boundary_.position,
                             constants_.support, kParticleGrain, pool_);
            });
            ctx.lists = &lists_;
        }
        if (!bodies_.empty()) ctx.bodies = &bodies_.coupling();
        ctx.decomposition = decomposition_.get();
        const SolveResult result = solver_->step(ctx, dt);
        lists_.invalidate();  // the particles have moved
        if (decomposition_) decomposition_->keep_owned(fluid_);
        if (result.converged && !bodies_.empty()) {
            ctx.stage("bodies", [&] {
                if (decomposition_) {
                    BodyCoupling<D>& c = bodies_.coupling();
                    decomposition_->settle(std::span(c.force), std::span(std::as_const(c.owner)));
                }
                bodies_.advance(boundary_, dt, gravity_, moving_walls_, solids_);
            });
        }
        return result;
    }

    // Split between ranks: the owner of each body sample's cell computes its force (it holds
    // the sample's fluid neighbours); the bodies' motion is the same on every rank, so every
    // rank finds the same owners.
    void find_sample_owners() {
        BodyCoupling<D>& c = bodies_.coupling();
        c.rank = decomposition_->rank();
        c.owner.resize(c.samples.size());
        for (std::size_t k = 0; k < c.samples.size(); ++k)
            c.owner[k] = decomposition_->owner_at(fluid_grid_, boundary_.position[c.samples[k]]);
    }

    void bookkeeping(float dt) {
        SphContext<D> ctx{fluid_,     boundary_, fluid_grid_, boundary_grid_, pool_,
                          constants_, settings_, gravity_,    stats_,         brush_};
        ctx.stage("bookkeeping", [&] { finish_step(dt); });
    }

    std::string retry_note(const SolveResult& r, float dt) const {
        std::ostringstream msg;
        msg << "step " << stats_.step + 1 << " (t = " << stats_.time << " s): the "
            << settings_.solver->name << " " << r.name << " stopped at its cap of " << r.passes
            << " passes with a residual of " << r.residual << ", over its tolerance; the step is "
            << "taken again at half the time step (" << 0.5 * dt << " s) with twice the passes. "
            << "Further retries are counted in the statistics (step_retries), not logged.";
        return msg.str();
    }

    SimulationError unconverged_error(const SolveResult& r, float dt, int retries) const {
        std::ostringstream msg;
        msg << "simulation stopped at step " << stats_.step + 1 << " (t = " << stats_.time
            << " s): the " << settings_.solver->name << " " << r.name
            << " did not reach its tolerance in " << r.passes << " passes (residual " << r.residual
            << ") at dt = " << dt << " s, after " << retries
            << " retries at half the time step and twice the passes"
            << (0.5 * dt < settings_.min_time_step ? " (the next would be under min_time_step)"
                                                   : "")
            << "; try a larger max_solver_iterations or tolerance, or a smaller cfl_factor";
        return SimulationError(msg.str(), stats_.step + 1);
    }

    const StepStats& stats() const override { return stats_; }
    const std::vector<ObstacleSummary>& obstacles() const override { return summaries_; }
    const LoadTimes& load_times() const override { return load_times_; }
    const std::vector<EmitterStatus>& emitters() const override { return emitters_.status(); }
    const std::vector<OutletStatus>& outlets() const override { return outlets_.status(); }
    const std::vector<BodyStatus>& bodies() const override { return bodies_.status(); }

    glm::mat4 body_transform(std::size_t i) const override {
        if (i >= bodies_.size()) throw std::out_of_range("body_transform: no such body");
        return matrix_of(bodies_.pose(i));
    }

    glm::mat4 obstacle_transform(std::size_t i) const override {
        return matrix_of(scene_.obstacles.at(i).motion.at(stats_.time));
    }

    static glm::mat4 matrix_of(const Pose& p) {
        glm::mat4 m(glm::mat3(p.rotation));
        m[3] = glm::vec4(glm::vec3(p.center + p.offset - p.rotation * p.center), 1.0f);
        return m;
    }
    const Scene& scene() const override { return scene_; }
    const DerivedConstants& constants() const override { return constants_; }
    int dimension() const override { return D; }

    ParticleView fluid() const override { return view_of(fluid_); }

    ParticleView boundary() const override {
        ParticleView v;
        v.dimension = D;
        v.count = boundary_.size();
        v.position = reinterpret_cast<const float*>(boundary_.position.data());
        return v;
    }

    ParticleView whole_fluid() const override { return view_of(whole()); }

    std::optional<RankShare> rank_share() const override {
        if (!decomposition_) return std::nullopt;
        const DecompositionStats& d = decomposition_->stats();
        RankShare share;
        share.rank = decomposition_->rank();
        share.ranks = decomposition_->ranks();
        share.owned = d.owned;
        share.halo = d.halo;
        share.recuts = d.recuts;
        share.owned_by_rank = decomposition_->counts();
        return share;
    }

    std::uint64_t state_hash() const override { return flume::state_hash(whole_fluid()); }

    static ParticleView view_of(const FluidParticles<D>& f) {
        return ParticleView{D,
                            f.size(),
                            reinterpret_cast<const float*>(f.position.data()),
                            reinterpret_cast<const float*>(f.velocity.data()),
                            f.density.data(),
                            f.pressure.data(),
                            f.id.data()};
    }

    // Every rank's particles in the global slot order: this process's own, unless the ranks
    // split the fluid; then gathered from every rank (a collective) into a copy on rank 0, which
    // writes the outputs. The other ranks send their share and get it back: they hold no copy.
    const FluidParticles<D>& whole() const {
        if (!decomposition_ || decomposition_->holds_everything()) return fluid_;
        StateWriter w;
        fluid_.save(w);
        std::vector<std::string> parts;
        decomposition_->communicator().gather(w.take(), parts, 0);
        if (decomposition_->rank() != 0) return fluid_;
        FluidParticles<D>& all = gathered_;
        all = FluidParticles<D>{};
        all.tracks_inflow = fluid_.tracks_inflow;
        for (std::size_t r = 0; r < parts.size(); ++r) {
            FluidParticles<D> part;
            part.tracks_inflow = fluid_.tracks_inflow;
            part.capacity = fluid_.capacity;
            StateReader reader(parts[r], "rank " + std::to_string(r) + "'s particles");
            part.restore(reader);
            auto append = [](auto& to, const auto& from) {
                to.insert(to.end(), from.begin(), from.end());
            };
            append(all.position, part.position);
            append(all.velocity, part.velocity);
            append(all.density, part.density);
            append(all.pressure, part.pressure);
            append(all.id, part.id);
            const auto to_warm = all.warm.all();
            const auto from_warm = part.warm.all();
            for (std::size_t k = 0; k < to_warm.size(); ++k) {
                // A rank with no particles has no warm starts; the others' are all sized.
                if (!from_warm[k]->empty()) append(*to_warm[k], *from_warm[k]);
            }
            if (all.tracks_inflow) append(all.inflow, part.inflow);
            all.next_id = part.next_id;
        }
        for (std::vector<float>* warm : all.warm.all()) {
            if (!warm->empty() && warm->size() != all.size())
                throw std::logic_error("whole(): ranks disagree on which warm starts they keep");
        }
        all.capacity = fluid_.capacity;
        return all;
    }

    std::string save_state() const override {
        StateHeader header;
        header.dimension = D;
        const std::string payload = state_payload();
        header.fluid_particles = whole_fluid_count();
        header.build = state_build();
        return write_state_file(header, payload);
    }

    std::uint64_t deep_hash() const override { return fnv1a(state_payload()); }

    void restore_state(std::string_view bytes, const std::string& name) override {
        const StateFile file = read_state_file(bytes, name);
        if (file.header.dimension != D) {
            throw StateError(name + ": a " + std::to_string(file.header.dimension) +
                             "D state; this scene is " + std::to_string(D) + "D");
        }
        // The scene's fingerprint is taken before the attempt: a refused state may leave the
        // arrays it is taken from at its own sizes until the state before is put back.
        StateWriter fingerprint;
        put_fingerprint(fingerprint);
        const std::string before = state_payload();
        try {
            restore_payload(file.payload, name, fingerprint.bytes());
        } catch (const StateError&) {
            restore_payload(before, "the state before", fingerprint.bytes());
            throw;
        }
    }

    const std::vector<ProbeColumn>& probe_columns() const override { return probes_.columns(); }

    void read_probes(std::span<double> out) const override {
        if (out.size() != probes_.columns().size()) {
            throw std::invalid_argument("read_probes: expected room for " +
                                        std::to_string(probes_.columns().size()) + " values");
        }
        const typename ProbeReader<D>::State state{
            scene_,         stats_.time,      whole(),        boundary_,
            boundary_grid_, boundary_part_,   constants_,     settings_.kernel,
            gravity_,       bodies_.status(), stats_.step > 0};
        probes_.read(state, out);
    }

    void set_brush(const std::optional<Brush>& brush) override { brush_ = brush; }
    void set_body_drag(const std::optional<BodyDrag>& drag) override { bodies_.set_drag(drag); }

    std::size_t memory_bytes() const override {
        return fluid_.memory_bytes() + boundary_.memory_bytes() + fluid_grid_.memory_bytes() +
               boundary_grid_.memory_bytes() + lists_.memory_bytes() + solver_->memory_bytes() +
               remove_flags_.capacity() + solids_.memory_bytes() + probes_.memory_bytes() +
               capacity_bytes(boundary_part_) + step_start_.memory_bytes() +
               outlets_.memory_bytes() + moving_walls_.memory_bytes() + bodies_.memory_bytes();
    }

    void set_parameter(std::string_view key, const nlohmann::json& value) override {
        if (key.substr(0, 7) == "bodies/") {
            Scene changed = scene_;
            changed.apply_override(std::string(key) + "=" + value.dump());
            for (std::size_t k = 0; k < bodies_.size(); ++k) {
                const bool push = key == "bodies/" + std::to_string(k) + "/velocity";
                bodies_.change(k, changed.bodies[k], push);
            }
            scene_ = std::move(changed);
            return;
        }
        if (key.substr(0, 9) == "emitters/") {
            Scene changed = scene_;
            changed.apply_override(std::string(key) + "=" + value.dump());
            // The distance travelled so far stays, at the old velocity; the new one runs from now.
            emitters_.rebase(scene_.emitters, stats_.time);
            scene_ = std::move(changed);
            emitters_.update_status(scene_.emitters, stats_);
            return;
        }
        const ParamDecl* decl = find_parameter(key);
        if (!decl) throw SceneError("unknown parameter \"" + std::string(key) + "\"");
        if (!decl->live) {
            throw SceneError(std::string(key) +
                             " cannot change while the simulation runs: it applies on reset");
        }
        Scene changed = scene_;
        changed.params.set(key, value, std::string(key));
        changed.validate();
        const StepSettings settings = step_settings(changed.params);
        const bool new_solver = settings.solver != settings_.solver;
        scene_ = std::move(changed);
        settings_ = settings;
        if (new_solver) {
            // The new solver takes over the running state; what the old one kept per particle
            // for its warm start means nothing to it.
            solver_ = make_solver<D>(settings_, constants_);
            for (std::vector<float>* state : fluid_.warm.all())
                state->clear();
        }
        if (keeps_start()) step_start_.reserve(fluid_, emitters_);  // a new solver, or retry
        gravity_ = gravity_of(settings_);
    }

  private:
    static_assert(sizeof(Vec<D>) == D * sizeof(float), "views rely on tightly packed vectors");

    static Vec<D> gravity_of(const StepSettings& settings) {
        Vec<D> g;
        for (int k = 0; k < D; ++k)
            g[k] = settings.gravity[k];
        return g;
    }

    // Enough layers to fill the kernel support on the solid side.
    int shell_layers(double spacing) const {
        return static_cast<int>(std::ceil(constants_.support / spacing - 1.0e-6));
    }

    // A mesh's distance field on its shell lattice, exact over the shell. A
    // polygon's (2D) has two layers of nodes, at z = -+ spacing / 2 across the plane z = 0: its
    // prism's side walls are the same distance from both, and from the plane between them.
    std::unique_ptr<DistanceField> build_field(const MeshShape& mesh, double spacing, int layers) {
        DistanceGrid grid = DistanceGrid::around(mesh.lower, mesh.upper, spacing, layers);
        if (D == 2) {
            grid.origin.z = 0.0;
            grid.step.z = spacing;
            grid.first.z = -1;
            grid.count.z = 2;
        }
        // Exact as deep as the shell (a little more: the nodes hold floats): what classifies its
        // nodes. Beyond, +-band keeps them out of it, and the interpolation near the surface (the
        // fill's r, the guard's candidates) reads nodes at most a diagonal further, where the
        // clamp changes little.
        const double band =
            layers * std::max({spacing, grid.step.x, grid.step.y, grid.step.z}) * (1.0 + 1.0e-3);
        return std::make_unique<DistanceField>(mesh.mesh, grid, band, pool_);
    }

    void sample_boundary(double spacing) {
        const int layers = shell_layers(spacing);
        BoundarySamples<D> samples;
        std::vector<std::uint32_t> owner;  // per sample: the moving obstacle, or kStill
        std::vector<std::uint32_t> part;   // per sample: its obstacle, or kWallPart (probes)
        if (scene_.params.boolean("domain_walls")) {
            sample_domain_walls<D>(scene_.domain_min, scene_.domain_max, spacing, layers, samples);
        }
        owner.resize(samples.position.size(), kStill);
        part.resize(samples.position.size(), kWallPart);
        for (std::size_t i = 0; i < scene_.obstacles.size(); ++i) {
            const ShapeDesc& obstacle = scene_.obstacles[i];
            const std::size_t first = samples.real.size();
            ObstacleSummary summary;
            if (obstacle.shape == Shape::Mesh) {
                sample_mesh_shell<D>(*solids_.obstacles()[i].field, solids_.obstacles()[i].invert,
                                     layers * spacing, samples);
                const MeshShape& m = *obstacle.mesh;
                summary.name = m.outline.empty()
                                   ? "mesh " + m.file
                                   : "polygon of " + std::to_string(m.outline.size()) + " corners";
                if (m.invert) summary.name += " (container)";
                summary.triangles = m.outline.empty() ? m.mesh.triangles.size() : 0;
            } else {
                sample_obstacle<D>(joined_to_walls(obstacle, layers * spacing), spacing, layers,
                                   samples);
                summary.name = obstacle.shape == Shape::Box ? "box" : "sphere";
            }
            summary.boundary_samples = static_cast<std::size_t>(
                std::count(samples.real.begin() + static_cast<std::ptrdiff_t>(first),
                           samples.real.end(), std::uint8_t{1}));
            summaries_.push_back(summary);
            owner.resize(samples.position.size(),
                         obstacle.motion.moves() ? static_cast<std::uint32_t>(i) : kStill);
            part.resize(samples.position.size(), static_cast<std::uint32_t>(i));
        }
        for (std::size_t k = 0; k < bodies_.size(); ++k) {
            const Obstacle& solid = solids_.obstacles()[scene_.obstacles.size() + k];
            if (solid.field) {
                sample_mesh_shell<D>(*solid.field, false, layers * spacing, samples);
            } else {
                sample_obstacle<D>(bodies_.shape(k), spacing, layers, samples);
            }
            const auto mover = moving_walls_.first_body() + static_cast<std::uint32_t>(k);
            owner.resize(samples.position.size(), mover);
            part.resize(samples.position.size(), mover);
        }
        drop_far_samples(samples, owner, part);
        for (std::size_t i = 0; i < summaries_.size(); ++i) {
            summaries_[i].boundary_samples = 0;
            for (std::size_t s = 0; s < samples.position.size(); ++s)
                summaries_[i].boundary_samples += samples.real[s] && part[s] == i;
        }
        std::vector<std::uint32_t> sorted_owner;
        with_kernel<D>(settings_.kernel, constants_.support, [&](const auto& kernel) {
            compute_boundary_volumes(samples, owner, part, sorted_owner, kernel);
        });
        if (moving_walls_.any()) {
            const auto dt = static_cast<float>(settings_.max_time_step);
            moving_walls_.start(std::move(sorted_owner), scene_.obstacles, bodies_.motions(dt),
                                boundary_, boundary_part_, boundary_grid_, pool_, dt);
            bodies_.collect(moving_walls_.owners(), moving_walls_.first_body());
        }
    }

    // Samples of still obstacles more than two kernel supports outside the domain can be no
    // fluid particle's neighbour, nor a neighbour's in the volumes: an obstacle reaching far
    // outside the domain keeps only what the domain sees (left in, they crowded the neighbour
    // grid's border cells, and its load time grew with their square).
    void drop_far_samples(BoundarySamples<D>& samples, std::vector<std::uint32_t>& owner,
                          std::vector<std::uint32_t>& part) const {
        const Vec<D> reach(2.0f * constants_.support);
        const Vec<D> lower = domain_lower_ - reach, upper = domain_upper_ + reach;
        std::size_t kept = 0;
        for (std::size_t i = 0; i < samples.position.size(); ++i) {
            const Vec<D>& x = samples.position[i];
            bool near = owner[i] != kStill;  // a moving obstacle's samples may come in
            if (!near) {
                near = true;
                for (int k = 0; k < D; ++k)
                    near = near && x[k] >= lower[k] && x[k] <= upper[k];
            }
            if (!near) continue;
            samples.position[kept] = x;
            samples.real[kept] = samples.real[i];
            owner[kept] = owner[i];
            part[kept] = part[i];
            ++kept;
        }
        samples.position.resize(kept);
        samples.real.resize(kept);
        owner.resize(kept);
        part.resize(kept);
    }

    // Where the first invalid particle is, and the advice that fits there: an emitter's inflow
    // zone or an obstacle's side point at the scene's input before the time step.
    std::string where_it_failed(const Vec<D>& x, std::size_t slot) const {
        std::ostringstream msg;
        msg << ", at (";
        for (int k = 0; k < D; ++k)
            msg << (k ? ", " : "") << x[k];
        msg << ")";
        if (std::isfinite(length_squared<D>(x))) {
            if (fluid_.tracks_inflow && fluid_.inflow[slot] != 0) {
                msg << " in the inflow zone of emitter " << fluid_.inflow[slot] - 1
                    << "; check its placement and velocity (emitters/" << fluid_.inflow[slot] - 1
                    << "), then the time step or cfl_factor";
                return msg.str();
            }
            for (std::size_t o = 0; o < solids_.obstacles().size(); ++o) {
                const Obstacle& solid = solids_.obstacles()[o];
                if (solids_.distance(solid, solids_.rest_frame(solid, x), nullptr) <
                    static_cast<double>(constants_.support)) {
                    if (o >= summaries_.size()) {
                        const std::size_t k = o - summaries_.size();
                        msg << " next to body " << k << "; check its mass (bodies/" << k
                            << "), then the time step or cfl_factor";
                        return msg.str();
                    }
                    msg << " next to obstacle " << o << " (" << summaries_[o].name
                        << "); check its shape and motion (obstacles/" << o
                        << "), then the time step or cfl_factor";
                    return msg.str();
                }
            }
        }
        msg << "; try a smaller time step or cfl_factor";
        return msg.str();
    }

    // An oscillation of fewer than ten of the largest steps a period is followed too coarsely
    // to show (at one step a period the wall never seems to move): worth a note.
    void note_short_period(const Motion& m, const std::string& what) const {
        if (!log_ || m.type != MotionType::Oscillate) return;
        const double step = settings_.time_step_mode == TimeStepMode::Fixed
                                ? settings_.time_step
                                : settings_.max_time_step;
        if (m.period >= 10.0 * step) return;
        std::ostringstream msg;
        msg << what << " oscillates with a period of " << m.period << " s, under ten time steps of "
            << step << " s: the steps sample its path too coarsely to follow it (a smaller "
            << (settings_.time_step_mode == TimeStepMode::Fixed ? "time_step" : "max_time_step")
            << " would)";
        log_(msg.str());
    }

    // A box with a face on a domain wall (a box standing on the floor) is sampled as if it went
    // on through that wall by the shell's thickness: the fluid beside its foot then sees its
    // samples below the floor's surface as well as above, as it would beside a box sunk into
    // the floor, and the force on the box has no upward part from the seam (the floor's samples
    // there are the wall's). Akinci's volumes weigh the doubled samples in the wall.
    ShapeDesc joined_to_walls(const ShapeDesc& shape, double thickness) const {
        ShapeDesc joined = shape;
        if (shape.shape != Shape::Box || !solids_.walls()) return joined;
        const double touch = 0.01 * constants_.particle_radius;
        for (int k = 0; k < D; ++k) {
            if (shape.min[k] <= scene_.domain_min[k] + touch) {
                joined.min[k] = std::min(shape.min[k], scene_.domain_min[k] - thickness);
            }
            if (shape.max[k] >= scene_.domain_max[k] - touch) {
                joined.max[k] = std::max(shape.max[k], scene_.domain_max[k] + thickness);
            }
        }
        return joined;
    }

    // A still mesh or polygon with faces on a domain wall, continued through the wall by the
    // shell's thickness (continued_through_plane), as joined_to_walls does a box: no seam under
    // a mesh standing on the floor or a polygon's edge on it.
    MeshShape joined_to_walls(const MeshShape& shape, bool moves, double thickness) const {
        MeshShape joined = shape;
        if (!solids_.walls() || moves || shape.invert) return joined;
        const double touch = 0.01 * constants_.particle_radius;
        for (int k = 0; k < D; ++k) {
            joined.mesh = continued_through_plane(joined.mesh, k, scene_.domain_min[k], -1.0, touch,
                                                  thickness);
            joined.mesh = continued_through_plane(joined.mesh, k, scene_.domain_max[k], 1.0, touch,
                                                  thickness);
        }
        joined.lower = joined.mesh.lower();
        joined.upper = joined.mesh.upper();
        if (D == 2) joined.lower.z = joined.upper.z = 0.0;
        return joined;
    }

    // Akinci et al. 2012, eq. 4: V_b = 1 / sum_k W_bk over the boundary samples (virtual ones
    // included), so that denser or irregular samplings do not over-count. Keeps the real samples,
    // sorted into cell order (once, unless obstacles move), their owners, and their parts when a
    // probe measures a force.
    template <class K>
    void compute_boundary_volumes(const BoundarySamples<D>& samples,
                                  const std::vector<std::uint32_t>& owner,
                                  const std::vector<std::uint32_t>& part,
                                  std::vector<std::uint32_t>& sorted_owner, const K& kernel) {
        const bool keep_parts = measures_forces(scene_);
        boundary_grid_.sort(samples.position, pool_);
        const auto& order = boundary_grid_.order();
        const std::size_t n = samples.position.size();
        std::vector<Vec<D>> sorted(n);
        for (std::size_t k = 0; k < n; ++k)
            sorted[k] = samples.position[order[k]];
        std::vector<float> volume(n);
        pool_.parallel_for(0, n, kParticleGrain, [&](const WorkerPool::Range& rg, int) {
            for (std::size_t b = rg.begin; b < rg.end; ++b) {
                if (!samples.real[order[b]]) continue;
                float sum = 0.0f;
                boundary_grid_.for_each_neighbour(
                    sorted[b], sorted.data(), kernel.support(),
                    [&](std::uint32_t, const Vec<D>&, float r) { sum += kernel.W(r); });
                volume[b] = 1.0f / sum;
            }
        });
        for (std::size_t b = 0; b < n; ++b) {
            if (!samples.real[order[b]]) continue;
            boundary_.position.push_back(sorted[b]);
            boundary_.volume.push_back(volume[b]);
            if (moving_walls_.any()) sorted_owner.push_back(owner[order[b]]);
            if (keep_parts) boundary_part_.push_back(part[order[b]]);
        }
        // Still in cell order: this sort is the identity and sets up the cell ranges.
        boundary_grid_.sort(boundary_.position, pool_);
        boundary_grid_.release_sort_buffers();
        boundary_.position.shrink_to_fit();
        boundary_.volume.shrink_to_fit();
    }

    // The lattice points of a fluid block: a box or sphere's, or a mesh's inside.
    std::vector<Vec<D>> fluid_lattice(const ShapeDesc& region, double spacing) {
        if (region.shape == Shape::Mesh) {
            const auto field = build_field(*region.mesh, spacing, shell_layers(spacing));
            return sample_mesh_volume<D>(*field, region.lower(), region.upper(), spacing);
        }
        return sample_volume<D>(region, spacing);
    }

    // The fluid blocks' lattice points that lie at least a particle radius (within
    // kFluidLayerTolerance of it) from every obstacle's solid and outside the inflow zones.
    void sample_fluid(double spacing) {
        const double r = 0.5 * spacing * (1.0 - kFluidLayerTolerance);
        std::vector<std::uint32_t> block_of;  // per particle sampled, its block
        for (std::size_t i = 0; i < scene_.fluid.size(); ++i) {
            const FluidBlock& block = scene_.fluid[i];
            const Vec<D> v = to_vec<D>(block.velocity);
            block_of.resize(fluid_.size(), static_cast<std::uint32_t>(i ? i - 1 : 0));
            for (const Vec<D>& x : fluid_lattice(block.region, spacing)) {
                bool blocked = emitters_.in_inflow_zone(scene_.emitters, x);
                for (std::size_t o = 0; o < scene_.obstacles.size(); ++o) {
                    const Obstacle& solid = solids_.obstacles()[o];
                    if (solid.field) {
                        const double d =
                            distance_near(*solid.field, to_dvec3(x), solid.invert ? -r : r);
                        blocked = blocked || (solid.invert ? -d : d) < r;
                    } else {
                        blocked = blocked || inside_grown<D>(scene_.obstacles[o], x, r);
                    }
                }
                for (std::size_t k = 0; k < bodies_.size() && !blocked; ++k) {
                    const glm::dvec3 rest = bodies_.pose(k).unapply(to_dvec3(x));
                    const Obstacle& solid = solids_.obstacles()[scene_.obstacles.size() + k];
                    blocked = solid.field ? distance_near(*solid.field, rest, r) < r
                                          : inside_grown<D>(bodies_.shape(k), to_vec<D>(rest), r);
                }
                if (!blocked) fluid_.push_back(x, v);
            }
        }
        if (fluid_.size() == 0 && scene_.emitters.empty()) {
            throw SceneError(scene_.source +
                             ": /fluid: the fluid blocks hold no particle (each is "
                             "smaller than a particle or filled by obstacles)");
        }
        if (fluid_.size() > 0xFFFFFFF0u) throw SceneError(scene_.source + ": too many particles");
        block_of.resize(fluid_.size(), static_cast<std::uint32_t>(scene_.fluid.size() - 1));
        refuse_overlapping_meshes(block_of, 0.5 * spacing);
        fluid_.shrink_to_fit();
    }

    // Fluid blocks that overlap put particles on top of each other. The scene refuses boxes and
    // spheres that do before sampling; a mesh's overlap shows only in its particles: two from
    // different blocks, one of them a mesh, closer than a particle radius.
    void refuse_overlapping_meshes(const std::vector<std::uint32_t>& block_of, double r) const {
        auto is_mesh = [&](std::uint32_t b) { return scene_.fluid[b].region.shape == Shape::Mesh; };
        bool any_mesh = false;
        for (std::size_t b = 0; b < scene_.fluid.size(); ++b)
            any_mesh = any_mesh || is_mesh(static_cast<std::uint32_t>(b));
        if (!any_mesh || scene_.fluid.size() < 2) return;
        std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> cells;
        auto cell_of = [&](const Vec<D>& x, const IVec<D>& shift) {
            std::uint64_t key = 0;
            for (int k = 0; k < D; ++k) {
                const auto c =
                    static_cast<std::int64_t>(std::floor(static_cast<double>(x[k]) / r)) + shift[k];
                key = key * 1000003u + static_cast<std::uint64_t>(c & 0x1FFFFF);
            }
            return key;
        };
        for (std::size_t i = 0; i < fluid_.size(); ++i)
            cells[cell_of(fluid_.position[i], IVec<D>(0))].push_back(static_cast<std::uint32_t>(i));
        for (std::size_t i = 0; i < fluid_.size(); ++i) {
            const Vec<D>& x = fluid_.position[i];
            for (int n = 0; n < (D == 2 ? 9 : 27); ++n) {
                IVec<D> shift;
                int rest = n;
                for (int k = 0; k < D; ++k, rest /= 3)
                    shift[k] = rest % 3 - 1;
                const auto found = cells.find(cell_of(x, shift));
                if (found == cells.end()) continue;
                for (const std::uint32_t j : found->second) {
                    const std::uint32_t a = block_of[i], b = block_of[j];
                    if (a == b || !(is_mesh(a) || is_mesh(b))) continue;
                    if (length_squared<D>(fluid_.position[j] - x) >= static_cast<float>(r * r))
                        continue;
                    throw SceneError(scene_.source + ": /fluid/" + std::to_string(std::max(a, b)) +
                                     ": the fluid block overlaps /fluid/" +
                                     std::to_string(std::min(a, b)) +
                                     ": particles would sit on top of each other; make the "
                                     "blocks touch at most");
                }
            }
        }
    }

    // The largest speed the flow should reach: a free fall from the top of the fluid (or of a
    // body) to the bottom of the domain, plus the largest initial speed, a body's included
    // (Becker & Teschner 2007, sec. 3.2).
    void derive_speeds() {
        const double g = std::sqrt(static_cast<double>(length_squared<D>(gravity_)));
        double fall = 0.0;
        if (g > 0.0) {
            double top = -1.0e300, bottom = 1.0e300;
            for (const Vec<D>& x : fluid_.position) {
                top = std::max(top, -static_cast<double>(dot<D>(x, gravity_)) / g);
            }
            for (const EmitterDesc& e : scene_.emitters) {
                top =
                    std::max(top, -static_cast<double>(dot<D>(to_vec<D>(e.center), gravity_)) / g);
            }
            for (const BodyDesc& b : scene_.bodies) {  // a body may fall from above the fluid
                const Vec<D> centre = to_vec<D>(0.5 * (b.shape.lower() + b.shape.upper()));
                top = std::max(top, -static_cast<double>(dot<D>(centre, gravity_)) / g);
            }
            // The lowest corner of the domain along gravity.
            for (int corner = 0; corner < (1 << D); ++corner) {
                Vec<D> c;
                for (int k = 0; k < D; ++k)
                    c[k] = (corner >> k) & 1 ? domain_upper_[k] : domain_lower_[k];
                bottom = std::min(bottom, -static_cast<double>(dot<D>(c, gravity_)) / g);
            }
            fall = std::max(0.0, top - bottom);
        }
        double initial = std::max(emitters_.speed(scene_.emitters), bodies_.speed());
        for (const Vec<D>& v : fluid_.velocity) {
            initial = std::max(initial, std::sqrt(static_cast<double>(length_squared<D>(v))));
        }
        const double expected =
            std::max(std::sqrt(2.0 * g * fall) + initial + moving_walls_.speed(), 0.1);
        constants_.expected_speed = static_cast<float>(expected);
        const ParameterSet& params = scene_.params;
        const double c =
            params.is_auto("speed_of_sound") ? 10.0 * expected : params.number("speed_of_sound");
        constants_.speed_of_sound = static_cast<float>(c);
        constants_.speed_limit = static_cast<float>(std::max(50.0 * expected, 5.0 * c));
    }

    // The next step's length (sph/time_step.hpp says how it is chosen).
    float next_time_step() const {
        TimeStepController::Flow flow;
        flow.follows_passes = solver_->step_follows_passes();
        flow.signal_speed = solver_->signal_speed(constants_);
        flow.gravity = std::sqrt(static_cast<double>(length_squared<D>(gravity_)));
        flow.other_speed =
            std::max({moving_walls_.speed(), emitters_.speed(scene_.emitters), bodies_.speed()});
        return time_step_.next(settings_, constants_, flow);
    }

    // m g h of a particle at x, h above the domain's floor (the lowest corner, along gravity).
    double potential_energy(const Vec<D>& x) const {
        double e = 0.0;
        for (int k = 0; k < D; ++k) {
            e -= static_cast<double>(gravity_[k]) * static_cast<double>(x[k] - domain_lower_[k]);
        }
        return e * static_cast<double>(constants_.particle_mass);
    }

    struct Tally {
        double density_error_sum = 0.0;
        float density_error_max = 0.0f;
        float speed2_max = 0.0f;
        double kinetic = 0.0;
        double potential = 0.0;
        std::uint32_t outside = 0;
        std::uint32_t corrected = 0;
        std::uint32_t invalid = 0;
        std::uint32_t first_invalid = 0xFFFFFFFFu;  // slot of the first invalid particle
    };

    void finish_step(float dt) {
        static_assert(sizeof(Tally) <= 256, "reserve_capacity reserves 256 bytes per partial");
        if (!emitters_.empty()) emitters_.carry(flow(), dt);
        const float rho0 = constants_.rest_density;
        const float escape = constants_.particle_radius;
        const float limit2 = constants_.speed_limit * constants_.speed_limit;
        // The arrays' pointers taken once (read through this, wasm reloaded them per particle).
        Vec<D>* position = fluid_.position.data();
        Vec<D>* velocity = fluid_.velocity.data();
        const float* rho = fluid_.density.data();
        const double half_mass = 0.5 * constants_.particle_mass;
        const Vec<D> inside_lower = domain_lower_ - Vec<D>(escape);
        const Vec<D> inside_upper = domain_upper_ + Vec<D>(escape);
        typename RigidBodies<D>::Push* pushes = bodies_.empty() ? nullptr : bodies_.pushes();
        if (pushes) solids_.place_bodies();
        // Decomposed: slots are numbered in the global order (the first invalid one is found
        // on whichever rank holds it).
        const std::size_t first_slot = decomposition_ ? decomposition_->global_offset() : 0;
        const Tally tally = reduce_fluid(
            Tally{},
            [&](const WorkerPool::Range& rg, int) {
                Tally t;
                for (std::size_t i = rg.begin; i < rg.end; ++i) {
                    if (pushes) {
                        pushes[i] = {};
                        t.corrected += solids_.keep_out(position[i], velocity[i], dt, &pushes[i]);
                    } else {
                        t.corrected += solids_.keep_out(position[i], velocity[i], dt);
                    }
                    const Vec<D>& x = position[i];
                    const float v2 = length_squared<D>(velocity[i]);
                    bool finite = std::isfinite(v2) && std::isfinite(rho[i]);
                    for (int k = 0; k < D; ++k)
                        finite = finite && std::isfinite(x[k]);
                    // Weakly compressible means about 1%: twice the rest density is a blow-up.
                    if (!finite || v2 > limit2 || rho[i] > 2.0f * rho0) {
                        if (t.invalid++ == 0)
                            t.first_invalid = static_cast<std::uint32_t>(first_slot + i);
                        continue;
                    }
                    const float error = std::max(rho[i] - rho0, 0.0f) / rho0;
                    t.density_error_sum += error;
                    t.density_error_max = std::max(t.density_error_max, error);
                    t.speed2_max = std::max(t.speed2_max, v2);
                    t.kinetic += half_mass * v2;
                    t.potential += potential_energy(x);
                    bool out = false;
                    for (int k = 0; k < D; ++k)
                        out = out || x[k] < inside_lower[k] || x[k] > inside_upper[k];
                    if (out || (!outlets_.empty() && outlets_.of(x) >= 0)) ++t.outside;
                }
                // A copy, not `t` itself: as the return slot (NRVO) t would live in memory, and
                // every particle would store and reload its sums (a third of the loop's time).
                return Tally(t);
            },
            [](Tally a, const Tally& b) {
                a.density_error_sum += b.density_error_sum;
                a.density_error_max = std::max(a.density_error_max, b.density_error_max);
                a.speed2_max = std::max(a.speed2_max, b.speed2_max);
                a.kinetic += b.kinetic;
                a.potential += b.potential;
                a.outside += b.outside;
                a.corrected += b.corrected;
                if (a.invalid == 0 && b.invalid > 0) a.first_invalid = b.first_invalid;
                a.invalid += b.invalid;
                return a;
            });

        stats_.step += 1;
        stats_.time += dt;
        stats_.dt = dt;
        if (tally.invalid > 0) throw invalid_error(tally);
        const std::size_t n = global_fluid_count();
        stats_.average_density_error = n ? tally.density_error_sum / static_cast<double>(n) : 0.0;
        if (n == 0) stats_.max_speed = 0.0;
        stats_.max_density_error = tally.density_error_max;
        stats_.max_speed = std::sqrt(tally.speed2_max);
        stats_.kinetic_energy = tally.kinetic;
        stats_.potential_energy = tally.potential;
        time_step_.record(stats_.dt, stats_.pressure_iterations, stats_.max_speed);
        stats_.wall_corrections = tally.corrected;
        if (pushes) {
            bodies_.take_pushes(position, fluid_.size(), constants_.particle_mass,
                                decomposition_.get());
        }
        if (tally.outside > 0) remove_escaped(escape);
        stats_.fluid_particles = decomposition_ ? n - tally.outside : fluid_.size();
    }

    // The message of a step that left particles invalid, from the rank that holds the first of
    // them (one process: this one), said by every rank.
    SimulationError invalid_error(const Tally& tally) const {
        std::string message;
        const std::size_t first = decomposition_ ? decomposition_->global_offset() : 0;
        if (tally.first_invalid >= first && tally.first_invalid - first < fluid_.size()) {
            const std::size_t i = tally.first_invalid - first;
            const float rho0 = constants_.rest_density;
            const float speed = std::sqrt(length_squared<D>(fluid_.velocity[i]));
            std::ostringstream msg;
            msg << "simulation became invalid at step " << stats_.step << " (t = " << stats_.time
                << " s): " << tally.invalid << " particle(s) with ";
            const float density = fluid_.density[i];
            if (!std::isfinite(speed) || !std::isfinite(density)) {
                msg << "NaN or infinite values, e.g. particle " << fluid_.id[i];
            } else if (speed > constants_.speed_limit) {
                msg << "exploding velocity, e.g. particle " << fluid_.id[i] << " at " << speed
                    << " m/s, over the limit of " << constants_.speed_limit
                    << " m/s (50 x the expected flow speed)";
            } else {
                msg << "runaway compression, e.g. particle " << fluid_.id[i] << " at "
                    << density / rho0 << " x the rest density (the limit is 2)";
            }
            msg << where_it_failed(fluid_.position[i], i);
            message = msg.str();
        }
        if (decomposition_) {
            for (const std::string& m : decomposition_->communicator().all_gather(message)) {
                if (!m.empty()) message = m;
            }
        }
        return SimulationError(message, stats_.step);
    }

    // pool.parallel_reduce over the fluid in its 256-particle chunks, or, decomposed, the same
    // over every rank's particles in the global order (the same bits).
    template <class T, class ChunkFn, class Combine>
    T reduce_fluid(T identity, ChunkFn&& chunk_fn, Combine&& combine) {
        if (decomposition_) {
            return decomposition_->reduce(pool_, 0, fluid_.size(), identity, chunk_fn, combine);
        }
        return pool_.parallel_reduce(0, fluid_.size(), kParticleGrain, identity, chunk_fn, combine);
    }

    // Removes the particles that left the domain (counted in removed_particles) or entered an
    // outlet (counted per outlet, the domain first).
    // Split between ranks, each removes its own and the counts are summed over the ranks.
    void remove_escaped(float escape) {
        fluid_.fit(remove_flags_);
        std::uint64_t left_domain = 0;
        // Per outlet, what this process removed.
        std::vector<std::uint64_t>& by_outlet = removed_by_outlet_;
        by_outlet.assign(outlets_.size(), 0);
        for (std::size_t i = 0; i < fluid_.size(); ++i) {
            const Vec<D>& x = fluid_.position[i];
            bool out = false;
            for (int k = 0; k < D; ++k)
                out = out || x[k] < domain_lower_[k] - escape || x[k] > domain_upper_[k] + escape;
            remove_flags_[i] = out ? 1 : 0;
            if (out) {
                ++left_domain;
            } else if (!outlets_.empty()) {
                const int o = outlets_.of(x);
                if (o >= 0) {
                    remove_flags_[i] = 1;
                    ++by_outlet[static_cast<std::size_t>(o)];
                }
            }
        }
        fluid_.remove_if(remove_flags_);
        if (decomposition_) {
            // Summed over the ranks: left the domain, then per outlet.
            by_outlet.push_back(left_domain);
            const std::size_t bytes = by_outlet.size() * sizeof(std::uint64_t);
            const std::vector<std::string> parts = decomposition_->communicator().all_gather(
                std::string_view(reinterpret_cast<const char*>(by_outlet.data()), bytes));
            std::fill(by_outlet.begin(), by_outlet.end(), 0);
            for (const std::string& part : parts) {
                for (std::size_t k = 0; k < by_outlet.size(); ++k) {
                    std::uint64_t theirs = 0;
                    std::memcpy(&theirs, part.data() + k * sizeof theirs, sizeof theirs);
                    by_outlet[k] += theirs;
                }
            }
            left_domain = by_outlet.back();
            by_outlet.pop_back();
        }
        for (std::size_t o = 0; o < outlets_.size(); ++o) {
            outlets_.count_removed(static_cast<int>(o), by_outlet[o]);
            stats_.outlet_particles += by_outlet[o];
        }
        stats_.removed_particles += left_domain;
        if (log_ && left_domain > 0) {
            log_("step " + std::to_string(stats_.step) + ": removed " +
                 std::to_string(left_domain) + " particle(s) that left the domain (" +
                 std::to_string(stats_.removed_particles) + " in all)");
        }
    }

    // ---- The saved state: each room writes and reads its own section ----------------------

    std::string state_payload() const {
        StateWriter w;
        w.section("SCNE", [&](StateWriter& s) {
            put_fingerprint(s);
            nlohmann::json params = nlohmann::json::object();
            for (const ParamDecl& d : parameter_declarations())
                params[std::string(d.key)] = scene_.params.to_json(d.key);
            s.put(std::string_view(params.dump()));
            s.put<std::uint64_t>(scene_.emitters.size());
            for (const EmitterDesc& e : scene_.emitters) {
                s.put(e.velocity);
                s.put(e.enabled);
            }
        });
        w.section("STAT", [&](StateWriter& s) {
            save_stats(s, stats_);
            time_step_.save(s);
        });
        w.section("FLUI", [&](StateWriter& s) { whole().save(s); });
        w.section("EMIT", [&](StateWriter& s) { emitters_.save(s); });
        w.section("OUTL", [&](StateWriter& s) { outlets_.save(s); });
        w.section("WALL",
                  [&](StateWriter& s) { moving_walls_.save(s, boundary_, boundary_part_); });
        if (!bodies_.empty()) w.section("BODY", [&](StateWriter& s) { bodies_.save(s); });
        return w.take();
    }

    // What a step may read of restored particles: finite values, inside the domain's margin
    // (where a step leaves them), ids below the next one, inflow flags that name an emitter.
    void check_fluid(StateReader& s) const {
        const Vec<D> lower = domain_lower_ - Vec<D>(constants_.support);
        const Vec<D> upper = domain_upper_ + Vec<D>(constants_.support);
        for (std::size_t i = 0; i < fluid_.size(); ++i) {
            const Vec<D>& x = fluid_.position[i];
            const float v2 = length_squared<D>(fluid_.velocity[i]);
            bool fine = std::isfinite(v2) &&
                        v2 <= constants_.speed_limit * constants_.speed_limit &&
                        std::isfinite(fluid_.density[i]) && std::isfinite(fluid_.pressure[i]) &&
                        fluid_.id[i] < fluid_.next_id;
            for (int k = 0; k < D; ++k)
                fine = fine && x[k] >= lower[k] && x[k] <= upper[k];
            for (const std::vector<float>* warm : fluid_.warm.all())
                fine = fine && (warm->empty() || std::isfinite((*warm)[i]));
            if (fluid_.tracks_inflow) fine = fine && fluid_.inflow[i] <= scene_.emitters.size();
            if (!fine) {
                s.fail("fluid particle " + std::to_string(i) +
                       " is not one a step could have left: outside the domain, not finite, "
                       "faster than the speed limit, or with an id or inflow flag out of range");
            }
        }
    }

    // What makes a state fit this simulation: the same sampling of the same scene.
    void put_fingerprint(StateWriter& w) const {
        w.put<std::uint32_t>(D);
        w.put<std::uint64_t>(boundary_.size());
        w.put<std::uint64_t>(fluid_.capacity);
        w.put<std::uint64_t>(scene_.obstacles.size());
        w.put(constants_.particle_mass);
        w.put(constants_.support);
    }

    void restore_payload(std::string_view payload, const std::string& name,
                         std::string_view fingerprint) {
        StateReader r(payload, name);
        r.section("SCNE", [&](StateReader& s) {
            StateWriter theirs;
            theirs.put(s.get<std::uint32_t>());
            const auto boundary = s.get<std::uint64_t>();
            const auto capacity = s.get<std::uint64_t>();
            theirs.put(boundary);
            theirs.put(capacity);
            theirs.put(s.get<std::uint64_t>());
            theirs.put(s.get<float>());
            theirs.put(s.get<float>());
            if (theirs.bytes() != fingerprint) {
                s.fail("saved from another scene (" + std::to_string(boundary) +
                       " boundary samples, room for " + std::to_string(capacity) +
                       " particles; this one: " + std::to_string(boundary_.size()) + " and " +
                       std::to_string(fluid_.capacity) +
                       "): resume it with the scene it was "
                       "saved from");
            }
            restore_parameters(s);
        });
        r.section("STAT", [&](StateReader& s) {
            restore_stats(s, stats_);
            time_step_.restore(s);
            if (!std::isfinite(stats_.time) || stats_.time < 0.0 || !std::isfinite(stats_.dt) ||
                stats_.dt < 0.0 || !time_step_.valid())
                s.fail("a time or time step that is not one");
        });
        r.section("FLUI", [&](StateReader& s) {
            fluid_.restore(s);
            check_fluid(s);
        });
        r.section("EMIT", [&](StateReader& s) { emitters_.restore(s); });
        r.section("OUTL", [&](StateReader& s) { outlets_.restore(s); });
        r.section("WALL", [&](StateReader& s) {
            moving_walls_.restore(s, boundary_, boundary_part_, scene_.obstacles, kWallPart,
                                  boundary_grid_, pool_);
        });
        if (!bodies_.empty()) {
            r.section("BODY", [&](StateReader& s) { bodies_.restore(s); });
            for (std::size_t k = 0; k < bodies_.size(); ++k) {
                scene_.bodies[k].density = bodies_.desc(k).density;
                scene_.bodies[k].mass = bodies_.desc(k).mass;
                scene_.bodies[k].fixed = bodies_.desc(k).fixed;
            }
        }
        if (!r.at_end()) r.fail("bytes left over after its last section");
        stats_.fluid_particles = fluid_.size();
        lists_.invalidate();
        // Every rank restored every particle; the next step keeps each rank's share.
        if (decomposition_) decomposition_->hold_everything();
    }

    // The parameters as the state was saved: live ones are applied, any other must be the
    // scene's own.
    void restore_parameters(StateReader& s) {
        const std::string text = s.get_string();
        const nlohmann::json saved = nlohmann::json::parse(text, nullptr, false);
        if (!saved.is_object()) s.fail("its parameters are not a JSON object");
        for (auto it = saved.begin(); it != saved.end(); ++it) {
            const ParamDecl* decl = find_parameter(it.key());
            if (!decl) s.fail("a parameter this build does not know: \"" + it.key() + "\"");
            if (scene_.params.to_json(decl->key) == it.value()) continue;
            if (!decl->live) {
                s.fail("saved with " + it.key() + " = " + it.value().dump() + ", this scene has " +
                       scene_.params.to_json(decl->key).dump() +
                       ": resume it with the scene it was saved from");
            }
            try {
                set_parameter(decl->key, it.value());
            } catch (const SceneError& e) {
                s.fail(std::string("its parameters: ") + e.what());
            }
        }
        const auto emitters = s.get<std::uint64_t>();
        if (emitters != scene_.emitters.size()) {
            s.fail("saved with " + std::to_string(emitters) + " emitters, the scene has " +
                   std::to_string(scene_.emitters.size()));
        }
        for (EmitterDesc& e : scene_.emitters) {
            e.velocity = s.get<double>();
            e.enabled = s.get<bool>();
            if (!(e.velocity >= 0.0) || !std::isfinite(e.velocity))
                s.fail("an emitter's velocity that is not a speed");
        }
    }

    static void save_stats(StateWriter& w, const StepStats& st) {
        w.put(st.step);
        w.put(st.time);
        w.put(st.dt);
        w.put<std::uint64_t>(st.boundary_particles);
        w.put(st.average_density_error);
        w.put(st.max_density_error);
        w.put(st.max_speed);
        w.put(st.kinetic_energy);
        w.put(st.potential_energy);
        w.put(st.removed_particles);
        w.put(st.emitted_particles);
        w.put(st.outlet_particles);
        w.put<std::uint64_t>(st.capacity);
        w.put(st.capacity_reached);
        w.put<std::uint64_t>(st.wall_corrections);
        w.put(st.pressure_iterations);
        w.put(st.divergence_iterations);
        w.put(st.step_retries);
    }
    static void restore_stats(StateReader& r, StepStats& st) {
        st.step = r.get<std::uint64_t>();
        st.time = r.get<double>();
        st.dt = r.get<double>();
        st.boundary_particles = r.get_size();
        st.average_density_error = r.get<double>();
        st.max_density_error = r.get<double>();
        st.max_speed = r.get<double>();
        st.kinetic_energy = r.get<double>();
        st.potential_energy = r.get<double>();
        st.removed_particles = r.get<std::uint64_t>();
        st.emitted_particles = r.get<std::uint64_t>();
        st.outlet_particles = r.get<std::uint64_t>();
        st.capacity = r.get_size();
        st.capacity_reached = r.get<bool>();
        st.wall_corrections = r.get_size();
        st.pressure_iterations = r.get<int>();
        st.divergence_iterations = r.get<int>();
        st.step_retries = r.get<std::uint64_t>();
        st.stage_count = 0;
    }

    // What the emitters act on in this step.
    typename Emitters<D>::Flow flow() { return {scene_.emitters, fluid_, stats_, pool_, log_}; }

    // Every per-particle array sized for the capacity, once.
    void reserve_capacity(double spacing) {
        fluid_.reserve(particle_capacity(spacing));
        if (!bodies_.empty()) bodies_.reserve_pushes(fluid_.capacity);
        if (!emitters_.empty()) {
            emitters_.reserve(fluid_.capacity);
            remove_flags_.reserve(fluid_.capacity);
            fluid_grid_.reserve(fluid_.capacity);
            lists_.reserve(fluid_.capacity);
            // The largest partial of the step's reductions (solvers' sums, the tally) is well
            // under 256 bytes.
            pool_.reserve_reduction(fluid_.capacity / kParticleGrain + 1, 256);
        }
    }

    // max_particles, or what the fluid blocks hold plus what the emitters make by their end (a
    // never-ending one: kAutoInflowRoom more, at most what the domain holds).
    std::size_t particle_capacity(double spacing) const {
        const std::size_t initial = fluid_.size();
        const ParameterSet& params = scene_.params;
        if (!params.is_auto("max_particles")) {
            const auto wanted = static_cast<std::size_t>(params.number("max_particles"));
            if (wanted < initial) {
                throw SceneError(scene_.source + ": /max_particles: " + std::to_string(wanted) +
                                 " is fewer than the " + std::to_string(initial) +
                                 " particles of the fluid blocks");
            }
            return wanted;
        }
        double extra = emitters_.output(scene_.emitters);
        double domain = 1.0;
        for (int k = 0; k < D; ++k)
            domain *= std::floor((domain_upper_[k] - domain_lower_[k]) / spacing);
        extra = std::min({extra, kAutoInflowRoom, domain});
        return initial + static_cast<std::size_t>(
                             std::min(extra, kMaxFluidParticles - static_cast<double>(initial)));
    }

    using Obstacle = typename Solids<D>::Obstacle;

    Scene scene_;
    WorkerPool& pool_;
    Solids<D> solids_;  // the walls and obstacles as the put-back sees them (core/walls/)
    std::vector<ObstacleSummary> summaries_;
    LoadTimes load_times_;
    static constexpr std::uint32_t kStill = MovingWalls<D>::kStill;
    MovingWalls<D> moving_walls_;               // a room of its own (core/walls/)
    RigidBodies<D> bodies_;                     // a room of its own (core/bodies/)
    std::vector<std::uint32_t> boundary_part_;  // per sample: its part (probes), when measured
    mutable ProbeReader<D> probes_;             // a reading's scratch: read_probes is const
    LogCallback log_;
    StepSettings settings_;  // scene_.params as the step reads them
    DerivedConstants constants_;
    Vec<D> gravity_{0.0f};
    Vec<D> domain_lower_{0.0f};
    Vec<D> domain_upper_{0.0f};
    FluidParticles<D> fluid_;
    BoundaryParticles<D> boundary_;
    NeighbourGrid<D> fluid_grid_;
    NeighbourGrid<D> boundary_grid_;
    NeighbourLists<D> lists_;
    std::unique_ptr<Solver<D>> solver_;
    StepStats stats_;
    std::vector<std::uint8_t> remove_flags_;
    std::vector<std::uint64_t> removed_by_outlet_;  // remove_escaped's counts, sized at load
    std::optional<Brush> brush_;
    Emitters<D> emitters_;  // open flows: rooms of their own (core/flows/)
    Outlets<D> outlets_;
    StepStart<D, Emitters<D>> step_start_;  // the state this step started from, for a retry
    TimeStepController time_step_;          // the adaptive step and its memory
    // Under mpirun, where the ranks split the fluid: the split (a room of its own), and every
    // rank's particles gathered for an output.
    std::unique_ptr<Decomposition<D>> decomposition_;
    mutable FluidParticles<D> gathered_;
};

}  // namespace

std::unique_ptr<Simulation> Simulation::create(const Scene& scene, WorkerPool& pool,
                                               LogCallback log, Communicator* ranks) {
    scene.validate();
    if (scene.dimension == 2)
        return std::make_unique<SphSimulation<2>>(scene, pool, std::move(log), ranks);
    return std::make_unique<SphSimulation<3>>(scene, pool, std::move(log), ranks);
}

}  // namespace flume
