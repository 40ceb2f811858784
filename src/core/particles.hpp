// Particle storage, structure of arrays, one template for 2D and 3D.
//
// Fluid particles keep a stable id across the reordering the neighbour grid does every step.
// Boundary particles (Akinci et al. 2012) are static samples of the walls and obstacles, each
// with the volume it represents.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "math.hpp"
#include "worker_pool.hpp"

namespace flume {

template <int D>
struct FluidParticles {
    std::vector<Vec<D>> position;
    std::vector<Vec<D>> velocity;
    std::vector<Vec<D>> acceleration;  // scratch of the current step
    std::vector<float> density;
    std::vector<float> pressure;
    std::vector<std::uint32_t> id;
    // Per-particle values a solver keeps from one step to the next (DFSPH's stiffness for its
    // warm start): they follow the particles through the reordering.
    std::array<std::vector<float>, 2> solver_state;

    std::size_t size() const { return position.size(); }

    std::size_t memory_bytes() const {
        std::size_t state = 0;
        for (const auto& s : solver_state)
            state += s.capacity();
        return (position.capacity() + velocity.capacity() + acceleration.capacity()) *
                   sizeof(Vec<D>) +
               (density.capacity() + pressure.capacity() + state + scratch_float_.capacity()) *
                   sizeof(float) +
               (id.capacity() + scratch_id_.capacity()) * sizeof(std::uint32_t);
    }

    // Gives back the room that the sampling's push_backs left over.
    void shrink_to_fit() {
        position.shrink_to_fit();
        velocity.shrink_to_fit();
        acceleration.shrink_to_fit();
        density.shrink_to_fit();
        pressure.shrink_to_fit();
        id.shrink_to_fit();
        for (auto& state : solver_state)
            state.shrink_to_fit();
    }

    void push_back(const Vec<D>& x, const Vec<D>& v) {
        id.push_back(static_cast<std::uint32_t>(position.size()));
        position.push_back(x);
        velocity.push_back(v);
        acceleration.emplace_back(0.0f);
        density.push_back(0.0f);
        pressure.push_back(0.0f);
        for (auto& state : solver_state) {
            if (!state.empty()) state.push_back(0.0f);
        }
    }

    // Reorders the persistent arrays (position, velocity, id, solver state) so that slot k holds
    // the particle that was at order[k]. Per-step arrays (density, pressure, acceleration) are
    // recomputed after the reorder and are not moved: acceleration, which every solver writes
    // before it reads it, serves as the scratch of the vector gathers and holds garbage after.
    void permute(std::span<const std::uint32_t> order, WorkerPool& pool) {
        const std::size_t n = size();
        scratch_id_.resize(n);
        gather(position, order, pool);
        gather(velocity, order, pool);
        pool.parallel_for(0, n, 4096, [&](const WorkerPool::Range& r, int) {
            for (std::size_t k = r.begin; k < r.end; ++k)
                scratch_id_[k] = id[order[k]];
        });
        id.swap(scratch_id_);
        for (auto& state : solver_state) {
            if (state.size() != n) continue;
            scratch_float_.resize(n);
            pool.parallel_for(0, n, 4096, [&](const WorkerPool::Range& r, int) {
                for (std::size_t k = r.begin; k < r.end; ++k)
                    scratch_float_[k] = state[order[k]];
            });
            state.swap(scratch_float_);
        }
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
            for (auto& state : solver_state) {
                if (state.size() > i) state[out] = state[i];
            }
            ++out;
        }
        for (auto& state : solver_state) {
            if (!state.empty()) state.resize(out);
        }
        position.resize(out);
        velocity.resize(out);
        acceleration.resize(out);
        density.resize(out);
        pressure.resize(out);
        id.resize(out);
    }

  private:
    void gather(std::vector<Vec<D>>& values, std::span<const std::uint32_t> order,
                WorkerPool& pool) {
        acceleration.resize(values.size());
        pool.parallel_for(0, values.size(), 4096, [&](const WorkerPool::Range& r, int) {
            for (std::size_t k = r.begin; k < r.end; ++k)
                acceleration[k] = values[order[k]];
        });
        values.swap(acceleration);
    }

    std::vector<std::uint32_t> scratch_id_;
    std::vector<float> scratch_float_;
};

template <int D>
struct BoundaryParticles {
    std::vector<Vec<D>> position;
    std::vector<float> volume;  // Akinci et al. 2012, eq. 4: V_b = 1 / sum_k W_bk

    std::size_t size() const { return position.size(); }
    std::size_t memory_bytes() const {
        return position.capacity() * sizeof(Vec<D>) + volume.capacity() * sizeof(float);
    }
};

}  // namespace flume
