// What every solver works on: the particles, the two neighbour grids, the pool, the constants,
// the settings, and the stats of the step being taken. Solvers are small classes that run named
// stages on it.
#pragma once

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/decomposition/decomposition.hpp"
#include "core/neighbours/grid.hpp"
#include "core/neighbours/lists.hpp"
#include "core/neighbours/scan.hpp"
#include "core/simulation.hpp"
#include "core/sph/kernels.hpp"
#include "core/sph/particles.hpp"
#include "core/sph/settings.hpp"
#include "core/sph/solvers/solver_table.hpp"

namespace flume {

// Particles per chunk of every per-particle parallel loop. A constant: the chunking, and so every
// reduction, is the same for any thread count.
inline constexpr std::size_t kParticleGrain = 256;

// Entries per chunk of a running sum (WorkerPool::inclusive_scan), whose chunks' last entries are
// summed one after another: long chunks keep that serial part short.
inline constexpr std::size_t kScanGrain = 16384;

// The rigid bodies' side of the coupling (core/bodies/, sph/body_reactions.hpp): the boundary
// samples that belong to bodies, in the boundary's order, and the force the fluid puts on each
// over the step (summed over the solves that push the fluid with the walls' pressure).
template <int D>
struct BodyCoupling {
    std::vector<std::uint32_t> samples;
    std::vector<Vec<D>> force;  // N (N per metre of depth in 2D), per entry of `samples`
    // Split between ranks: the rank that computes each sample's force, the owner of its cell
    // (Decomposition::owner_at), which holds all its fluid neighbours; empty in one process.
    std::vector<std::int32_t> owner;
    int rank = 0;  // this process's
    bool computes(std::size_t k) const { return owner.empty() || owner[k] == rank; }
};

template <int D>
struct SphContext {
    FluidParticles<D>& fluid;
    const BoundaryParticles<D>& boundary;
    const NeighbourGrid<D>& fluid_grid;
    const NeighbourGrid<D>& boundary_grid;
    WorkerPool& pool;
    const DerivedConstants& constants;
    const StepSettings& settings;
    Vec<D> gravity;
    StepStats& stats;
    std::optional<Brush> brush;
    // This step's neighbour lists, when the scene keeps them (neighbour_lists): the loops below
    // read them instead of scanning the grid whenever they describe the positions asked for.
    const NeighbourLists<D>* lists = nullptr;
    // Iterative solvers: the most passes of a solve in this try at the step, settings'
    // max_solver_iterations doubled on each retry (Simulation::step).
    int max_passes = 0;
    // The bodies' samples, when the scene has bodies: each solver adds the reaction of the
    // walls' pressure force on them (add_body_reactions) once its pressure is final; PBF adds
    // that of its wall corrections in every pass (pbf.cpp).
    BodyCoupling<D>* bodies = nullptr;
    // Under mpirun, where the ranks split the fluid (core/decomposition/): the loops run over
    // the particles this rank owns, the slots [fluid_begin(), fluid_end()); the others are the
    // halo, copies of other ranks' particles whose fields a loop that writes them shares
    // (share) for the loops that read them at neighbours; reductions go through reduce.
    Decomposition<D>* decomposition = nullptr;

    std::size_t fluid_begin() const { return decomposition ? decomposition->owned_begin() : 0; }
    std::size_t fluid_end() const {
        return decomposition ? decomposition->owned_end() : fluid.size();
    }
    // The fluid particles of every rank together.
    std::size_t fluid_count() const {
        return decomposition ? decomposition->global_count() : fluid.size();
    }

    // After a loop that writes `field` (one value per fluid slot) and before one that reads it
    // at neighbours: the halo's values from their owners. Nothing in one process.
    template <class T>
    void share(T* field) {
        if (decomposition) decomposition->share(field);
    }

    // pool.parallel_reduce over the fluid particles in chunks of kParticleGrain, combined in
    // chunk order; decomposed, over every rank's in the global order, with the same bits.
    // chunk_fn must fold its particles' terms from `identity` with `combine`.
    template <class T, class ChunkFn, class Combine>
    T reduce(T identity, ChunkFn&& chunk_fn, Combine&& combine) {
        if (decomposition) {
            return decomposition->reduce(pool, fluid_begin(), fluid_end(), identity, chunk_fn,
                                         combine);
        }
        return pool.parallel_reduce(0, fluid.size(), kParticleGrain, identity, chunk_fn, combine);
    }

    // f(j, x_i - x_j, |x_i - x_j|) for the fluid particles j within `radius` of x[i] (i itself
    // included), `x` in the fluid grid's order: from the lists when they hold these positions at
    // this radius, else by a grid scan. The same calls in the same order either way.
    template <class F>
    void for_each_fluid_neighbour(std::size_t i, const Vec<D>* x, float radius, F&& f) const {
        if (lists && lists->covers(x, radius)) {
            lists->for_each_fluid_neighbour(i, x, f);
        } else {
            fluid_grid.for_each_neighbour(x[i], x, radius, f);
        }
    }

    // The same neighbours as runs of slot indices, f(slots) with slots.size() and slots[k] (a
    // generic lambda), in the same order: one run from the lists, read where they lie, or
    // std::span batches of a grid scan. Every run but the last holds a multiple of four, so
    // neighbour k is lane k % 4 of a four-wide loop either way.
    template <class F>
    void for_each_fluid_neighbour_span(std::size_t i, const Vec<D>* x, float radius, F&& f) const {
        if (lists && lists->covers(x, radius)) {
            lists->with_fluid_neighbour_slots(i, f);
            return;
        }
        // The grid scan, with the candidate test of the lists, into a batch that is handed on
        // whenever a range might not fit, in a multiple of four (the rest moves to the front).
        constexpr std::uint32_t kMaxRange = 256;
        constexpr std::size_t kBatch = 2 * kMaxRange;
        std::uint32_t batch[kBatch];
        std::size_t count = 0;
        const float radius2 = radius * radius;
        fluid_grid.for_each_candidate_range(x[i], [&](std::uint32_t begin, std::uint32_t end) {
            while (begin < end) {
                const std::uint32_t stop = end - begin > kMaxRange ? begin + kMaxRange : end;
                if (count + (stop - begin) + 4 > kBatch) {
                    const std::size_t whole = count & ~std::size_t{3};
                    f(std::span<const std::uint32_t>(batch, whole));
                    for (std::size_t k = whole; k < count; ++k)
                        batch[k - whole] = batch[k];
                    count -= whole;
                }
                count =
                    append_neighbours<D>(x[i], x, fluid.size(), begin, stop, radius2, batch, count);
                begin = stop;
            }
        });
        if (count > 0) f(std::span<const std::uint32_t>(batch, count));
    }

    // f(b, x_i - x_b, |x_i - x_b|) for the boundary samples b within `radius` of x[i].
    template <class F>
    void for_each_boundary_neighbour(std::size_t i, const Vec<D>* x, float radius, F&& f) const {
        const Vec<D>* xb = boundary.position.data();
        if (lists && lists->covers(x, radius)) {
            lists->for_each_boundary_neighbour(i, x, xb, f);
        } else {
            boundary_grid.for_each_neighbour(x[i], xb, radius, f);
        }
    }

    // The boundary samples b within `radius` of search[i], as for_each_boundary_neighbour(i,
    // search, radius, f), but f(b, x_i - x_b, |x_i - x_b|) at the positions `x`: a loop at
    // positions that moved since the step's neighbour search (predicted ones) over the neighbours
    // it found. The distances may exceed `radius`.
    template <class F>
    void for_each_boundary_neighbour_at(std::size_t i, const Vec<D>* search, const Vec<D>* x,
                                        float radius, F&& f) const {
        const Vec<D>* xb = boundary.position.data();
        if (lists && lists->covers(search, radius)) {
            lists->for_each_boundary_neighbour(i, x, xb, f);
        } else {
            const Vec<D> xi = x[i];
            boundary_grid.for_each_neighbour(search[i], xb, radius,
                                             [&](std::uint32_t b, const Vec<D>&, float) {
                                                 const Vec<D> xib = xi - xb[b];
                                                 f(b, xib, std::sqrt(length_squared<D>(xib)));
                                             });
        }
    }

    // Body forces on particle i: gravity and the force brush.
    Vec<D> external_acceleration(const Vec<D>& x) const {
        if (!brush) return gravity;
        Vec<D> d;
        for (int k = 0; k < D; ++k)
            d[k] = x[k] - brush->center[k];
        const float r2 = length_squared<D>(d);
        if (r2 >= brush->radius * brush->radius || r2 == 0.0f) return gravity;
        const float r = std::sqrt(r2);
        return gravity + d * (brush->strength * (1.0f - r / brush->radius) / r);
    }

    // Runs `fn` as the named stage and records its wall time in the step's stats.
    template <class Fn>
    void stage(std::string_view name, Fn&& fn) {
        const auto start = std::chrono::steady_clock::now();
        fn();
        const std::chrono::duration<double, std::milli> elapsed =
            std::chrono::steady_clock::now() - start;
        // A stage run again (a retried step) adds to its time.
        for (std::size_t s = 0; s < stats.stage_count; ++s) {
            if (stats.stages[s].name == name) {
                stats.stages[s].milliseconds += elapsed.count();
                return;
            }
        }
        if (stats.stage_count == StepStats::kMaxStages) {
            throw std::logic_error("SphContext::stage: more than StepStats::kMaxStages stages");
        }
        stats.stages[stats.stage_count++] = StageTime{name, elapsed.count()};
    }

    // fn(i) for every fluid particle, in parallel. Each chunk runs a copy of fn, and the end of
    // its range, in locals: read through references, the closure's captures and the end were
    // reloaded for every particle in wasm (a float store might have changed them, for all clang
    // could tell), three dependent loads per particle in a loop as short as x += v dt.
    template <class Fn>
    void for_each_fluid(Fn&& fn) {
        pool.parallel_for(fluid_begin(), fluid_end(), kParticleGrain,
                          [&](const WorkerPool::Range& r, int) {
                              auto body = fn;
                              const std::size_t end = r.end;
                              for (std::size_t i = r.begin; i < end; ++i)
                                  body(i);
                          });
    }
};

// What an iterative solve did: its passes, its last residual, and whether that reached the
// tolerance before max_solver_iterations stopped it.
struct SolveResult {
    std::string_view name;  // "density solve", "divergence solve", ...
    int passes = 0;
    double residual = 0.0;  // mean density residual (or change) over rho0
    bool converged = true;
};

// A pressure solver: one time step of the fluid, neighbour grids (and lists) already built.
template <int D>
class Solver {
  public:
    virtual ~Solver() = default;
    virtual std::string_view name() const = 0;
    // Advances velocities and positions by dt, in the stages that the comment at the top of the
    // solver's file draws: not one order for all (WCSPH: density -> pressure -> forces ->
    // integrate; PCISPH, DFSPH and PBF apply the other forces before their solve, and DFSPH
    // runs a divergence solve before those).
    // Returns a converged result, or the first solve that stopped at max_solver_iterations
    // short of its tolerance: the particles are then in no state to keep, and the simulation
    // takes the step again from its start at half the time step (Simulation::step).
    [[nodiscard]] virtual SolveResult step(SphContext<D>& ctx, float dt) = 0;
    // True when step() can fail (an iterative solve with a pass cap): the simulation then keeps
    // the state at the start of every step for a retry.
    virtual bool iterates() const { return true; }
    // Bytes of the solver's own per-particle arrays, by capacity.
    virtual std::size_t memory_bytes() const = 0;
    // The speed that limits the time step besides the flow speed (CFL: dt = lambda 2r / (c + v)):
    // the speed of sound for a weakly compressible solver, the expected flow speed for PCISPH
    // and PBF; not read for a solver whose step follows its passes (time_step.hpp).
    virtual float signal_speed(const DerivedConstants& c) const = 0;
    // True when the step follows the flow and the solver's passes instead (next_time_step in
    // simulation.cpp): the signal speed is then the speed gravity adds in one step, and the
    // step shrinks after a solve of many passes and grows after one of few.
    virtual bool step_follows_passes() const { return false; }
};

// Bytes held by a vector, by capacity.
template <class T>
std::size_t capacity_bytes(const std::vector<T>& v) {
    return v.capacity() * sizeof(T);
}

// The solver that the settings name, with their kernel (from the table, solver_table.cpp).
template <int D>
std::unique_ptr<Solver<D>> make_solver(const StepSettings& settings, const DerivedConstants& c) {
    const SolverFactories& factories = *settings.solver->factories;
    if constexpr (D == 2) {
        return factories.make_2d(settings, c);
    } else {
        return factories.make_3d(settings, c);
    }
}

// The solver class template S<D, Kernel> instantiated for the settings' kernel.
template <template <int, class> class S, int D>
std::unique_ptr<Solver<D>> make_with_kernel(const StepSettings& settings,
                                            const DerivedConstants& c) {
    return with_kernel<D>(settings.kernel, c.support,
                          [&](const auto& kernel) -> std::unique_ptr<Solver<D>> {
                              using K = std::remove_cvref_t<decltype(kernel)>;
                              return std::make_unique<S<D, K>>(c);
                          });
}

// The factories of the solver class template S, for its entry in the solver table: what each
// solver's file defines at its end.
template <template <int, class> class S>
constexpr SolverFactories factories_for() {
    return SolverFactories{&make_with_kernel<S, 2>, &make_with_kernel<S, 3>};
}

}  // namespace flume
