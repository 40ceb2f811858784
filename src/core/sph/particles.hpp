// Particle storage, structure of arrays, one template for 2D and 3D.
//
// Fluid particles keep a stable id across the reordering the neighbour grid does every step.
// Boundary particles (Akinci et al. 2012) are static samples of the walls and obstacles, each
// with the volume it represents.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/math/vec.hpp"
#include "core/state/state_file.hpp"
#include "core/worker_pool.hpp"

namespace flume {

// values[k] = values[order[k]], through `scratch`, whose array `values` takes (same size: no
// allocation once both are sized).
template <class T>
void gather(std::vector<T>& values, std::span<const std::uint32_t> order, std::vector<T>& scratch,
            WorkerPool& pool) {
    scratch.resize(values.size());
    pool.parallel_for(0, values.size(), 4096, [&](const WorkerPool::Range& r, int) {
        for (std::size_t k = r.begin; k < r.end; ++k)
            scratch[k] = values[order[k]];
    });
    values.swap(scratch);
}

// to = from, in parallel chunks (`to` holds room for them: no allocation).
template <class T>
void copy(const std::vector<T>& from, std::vector<T>& to, WorkerPool& pool) {
    to.resize(from.size());
    pool.parallel_for(0, from.size(), 16384, [&](const WorkerPool::Range& r, int) {
        std::copy(from.begin() + static_cast<std::ptrdiff_t>(r.begin),
                  from.begin() + static_cast<std::ptrdiff_t>(r.end),
                  to.begin() + static_cast<std::ptrdiff_t>(r.begin));
    });
}

template <int D>
struct FluidParticles {
    std::vector<Vec<D>> position;
    std::vector<Vec<D>> velocity;
    std::vector<Vec<D>> acceleration;  // scratch of the current step
    std::vector<float> density;
    std::vector<float> pressure;
    std::vector<std::uint32_t> id;
    // What the solvers carry from one step to the next, per particle (empty while no solver
    // keeps it): their warm starts, which follow the particles through the reordering and the
    // removals, and which a step taken again starts from (sph/step_start.hpp).
    struct WarmStarts {
        // Last step's pressure: PCISPH's, DFSPH's density solve's, PBF's multipliers as one.
        std::vector<float> pressure;
        // DFSPH: last step's pressure of the divergence solve.
        std::vector<float> divergence_pressure;

        std::array<std::vector<float>*, 2> all() { return {&pressure, &divergence_pressure}; }
        std::array<const std::vector<float>*, 2> all() const {
            return {&pressure, &divergence_pressure};
        }
    };
    WarmStarts warm;
    // Scenes with emitters (tracks_inflow): per particle, 0 for free fluid or k + 1 while
    // emitter k's inflow zone carries it (core/flows/emitters.hpp); follows the reordering.
    bool tracks_inflow = false;
    std::vector<std::uint8_t> inflow;
    std::vector<std::uint8_t> inflow_scratch;
    // The most particles the arrays hold room for (max_particles): reserved once at load, so that
    // a count that grows with emitters never reallocates inside a step.
    std::size_t capacity = 0;
    std::uint32_t next_id = 0;  // the id the next particle gets

    std::size_t size() const { return position.size(); }

    // Room for `count` particles in every array, solver state included.
    void reserve(std::size_t count) {
        capacity = count;
        position.reserve(count);
        velocity.reserve(count);
        acceleration.reserve(count);
        density.reserve(count);
        pressure.reserve(count);
        id.reserve(count);
        for (std::vector<float>* state : warm.all())
            state->reserve(count);
        if (tracks_inflow) {
            inflow.reserve(count);
            inflow_scratch.reserve(count);
        }
    }

    // Sizes a per-particle array (a solver's scratch) to the particle count, with room for the
    // capacity reserved the first time.
    template <class T>
    void fit(std::vector<T>& values, const T& fill = T{}) const {
        if (values.capacity() < capacity) values.reserve(capacity);
        values.resize(size(), fill);
    }

    std::size_t memory_bytes() const {
        std::size_t state = 0;
        for (const std::vector<float>* s : warm.all())
            state += s->capacity();
        return (position.capacity() + velocity.capacity() + acceleration.capacity()) *
                   sizeof(Vec<D>) +
               (density.capacity() + pressure.capacity() + state) * sizeof(float) +
               id.capacity() * sizeof(std::uint32_t) + inflow.capacity() +
               inflow_scratch.capacity();
    }

    // The particles in slot order (which fixes every sum's order), their warm starts and inflow
    // flags and the next id: what a saved state holds of them.
    void save(StateWriter& w) const {
        w.put(position);
        w.put(velocity);
        w.put(density);
        w.put(pressure);
        w.put(id);
        for (const std::vector<float>* state : warm.all())
            w.put(*state);
        w.put(tracks_inflow);
        if (tracks_inflow) w.put(inflow);
        w.put(next_id);
    }

    // Puts back what save wrote into arrays reserved for `capacity` (allocating nothing when the
    // saved particles fit, which a state of the same scene does). Throws StateError.
    void restore(StateReader& r) {
        auto check = [&](std::size_t n, const char* what) {
            if (n != position.size()) {
                r.fail(std::string("the particles' ") + what + " are " + std::to_string(n) +
                       " where their positions are " + std::to_string(position.size()));
            }
        };
        r.get(position);
        if (position.size() > capacity) {
            r.fail(std::to_string(position.size()) + " fluid particles, more than the " +
                   std::to_string(capacity) + " this scene holds room for (max_particles)");
        }
        r.get(velocity);
        check(velocity.size(), "velocities");
        r.get(density);
        check(density.size(), "densities");
        r.get(pressure);
        check(pressure.size(), "pressures");
        r.get(id);
        check(id.size(), "ids");
        for (std::vector<float>* state : warm.all()) {
            r.get(*state);
            if (!state->empty()) check(state->size(), "warm starts");
        }
        if (r.get<bool>() != tracks_inflow)
            r.fail("the inflow flags do not match the scene's emitters");
        if (tracks_inflow) {
            r.get(inflow);
            check(inflow.size(), "inflow flags");
        }
        next_id = r.get<std::uint32_t>();
        acceleration.assign(position.size(), Vec<D>(0.0f));
    }

    // Gives back the room that the sampling's push_backs left over.
    void shrink_to_fit() {
        position.shrink_to_fit();
        velocity.shrink_to_fit();
        acceleration.shrink_to_fit();
        density.shrink_to_fit();
        pressure.shrink_to_fit();
        id.shrink_to_fit();
        inflow.shrink_to_fit();
        for (std::vector<float>* state : warm.all())
            state->shrink_to_fit();
    }

    // A new particle with the next id; `zone` is its inflow flag (kept when tracks_inflow).
    void push_back(const Vec<D>& x, const Vec<D>& v, std::uint8_t zone = 0) {
        id.push_back(next_id++);
        if (tracks_inflow) inflow.push_back(zone);
        position.push_back(x);
        velocity.push_back(v);
        acceleration.emplace_back(0.0f);
        density.push_back(0.0f);
        pressure.push_back(0.0f);
        for (std::vector<float>* state : warm.all()) {
            if (!state->empty()) state->push_back(0.0f);
        }
    }

    // Reorders the persistent arrays (position, velocity, id, solver state) so that slot k holds
    // the particle that was at order[k]. Per-step arrays (density, pressure, acceleration) are
    // recomputed after the reorder and are not moved: they serve as the scratch of the gathers
    // (acceleration for vectors, density for the solver state; every solver writes them before
    // it reads them) and hold garbage after. The ids go through `id_scratch` (n entries: the
    // grid's cell numbers, free once the grid is sorted) and back.
    void permute(std::span<const std::uint32_t> order, std::span<std::uint32_t> id_scratch,
                 WorkerPool& pool) {
        gather(position, order, acceleration, pool);
        gather(velocity, order, acceleration, pool);
        pool.parallel_for(0, size(), 4096, [&](const WorkerPool::Range& r, int) {
            for (std::size_t k = r.begin; k < r.end; ++k)
                id_scratch[k] = id[order[k]];
        });
        pool.parallel_for(0, size(), 4096, [&](const WorkerPool::Range& r, int) {
            std::copy(id_scratch.begin() + static_cast<std::ptrdiff_t>(r.begin),
                      id_scratch.begin() + static_cast<std::ptrdiff_t>(r.end),
                      id.begin() + static_cast<std::ptrdiff_t>(r.begin));
        });
        for (std::vector<float>* state : warm.all()) {
            if (state->size() == size()) gather(*state, order, density, pool);
        }
        if (tracks_inflow) gather(inflow, order, inflow_scratch, pool);
    }

    // Drops the particles from slot `count` on (the ids they took stay taken).
    void truncate(std::size_t count) {
        for (std::vector<float>* state : warm.all()) {
            if (state->size() > count) state->resize(count);
        }
        if (tracks_inflow) inflow.resize(count);
        position.resize(count);
        velocity.resize(count);
        acceleration.resize(count);
        density.resize(count);
        pressure.resize(count);
        id.resize(count);
    }

    // Removes the particles whose flag is set, keeping the others in order.
    void remove_if(std::span<const std::uint8_t> remove) {
        std::size_t out = 0;
        for (std::size_t i = 0; i < size(); ++i) {
            if (remove[i]) continue;
            position[out] = position[i];
            velocity[out] = velocity[i];
            acceleration[out] = acceleration[i];
            density[out] = density[i];
            pressure[out] = pressure[i];
            id[out] = id[i];
            if (tracks_inflow) inflow[out] = inflow[i];
            for (std::vector<float>* state : warm.all()) {
                if (state->size() > i) (*state)[out] = (*state)[i];
            }
            ++out;
        }
        for (std::vector<float>* state : warm.all()) {
            if (!state->empty()) state->resize(out);
        }
        if (tracks_inflow) inflow.resize(out);
        position.resize(out);
        velocity.resize(out);
        acceleration.resize(out);
        density.resize(out);
        pressure.resize(out);
        id.resize(out);
    }
};

template <int D>
struct BoundaryParticles {
    std::vector<Vec<D>> position;
    std::vector<float> volume;  // Akinci et al. 2012, eq. 4: V_b = 1 / sum_k W_bk
    // Only in a scene with moving obstacles (empty otherwise: every wall is still): each
    // sample's velocity over the step and acceleration at its start, 0 on still walls.
    std::vector<Vec<D>> velocity;
    std::vector<Vec<D>> acceleration;

    std::size_t size() const { return position.size(); }
    bool moving() const { return !velocity.empty(); }
    std::size_t memory_bytes() const {
        return (position.capacity() + velocity.capacity() + acceleration.capacity()) *
                   sizeof(Vec<D>) +
               volume.capacity() * sizeof(float);
    }
};

}  // namespace flume
