// Per-step neighbour lists of the fluid particles: each particle's fluid neighbours and boundary
// neighbours within the kernel support, found once a step by one scan of the grids and then read
// by every neighbour loop of the step that runs at the particles' own positions.
//
//   lists.build(fluid_grid, x, boundary_grid, xb, support, grain, pool);  // after the grid sort
//   lists.for_each_fluid(i, x, [&](std::uint32_t j, Vec xij, float r) {...});
//
// A list holds the neighbours in the grid's visiting order, and the loops recompute x_i - x_j and
// |x_i - x_j| from the positions exactly as the grid loop does, so a sum over a list is
// bit-identical to the same sum over the grid: lists change the speed, never the state.
//
// Storage: one array of entries, in which each worker claims windows of a thousand entries with
// an atomic counter and writes its particles' lists one after the other: particle i's fluid
// neighbours are [begin_i, split_i), its boundary neighbours [split_i, end_i). Where a window
// lies depends on the thread timing, what a list holds does not. The array keeps a quarter of
// headroom over the entries of the last build; when a build outgrows it, the build is redone in
// a larger one. Fluid and boundary neighbours share the array because their sum per particle
// barely changes as the fluid moves (boundary samples stand in for missing fluid, Akinci et al.
// 2012), so once the first steps have sized it, a step allocates nothing.
#pragma once

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "math.hpp"
#include "neighbour_grid.hpp"
#include "worker_pool.hpp"

namespace flume {

template <int D>
class NeighbourLists {
  public:
    NeighbourLists();
    ~NeighbourLists();
    NeighbourLists(const NeighbourLists&) = delete;
    NeighbourLists& operator=(const NeighbourLists&) = delete;

    // Finds the neighbours within `radius` of each fluid particle at `fluid_positions` (in the
    // fluid grid's sorted order): fluid ones in `fluid_grid` over those positions, boundary ones
    // in `boundary_grid` over `boundary_positions`, in parallel chunks of `grain` particles.
    void build(const NeighbourGrid<D>& fluid_grid, std::span<const Vec<D>> fluid_positions,
               const NeighbourGrid<D>& boundary_grid, std::span<const Vec<D>> boundary_positions,
               float radius, std::size_t grain, WorkerPool& pool);

    // Forgets the lists (the positions moved): covers() is false until the next build.
    void invalidate() { valid_ = false; }

    // True when the lists describe the positions `x` at `radius`, as built.
    bool covers(const Vec<D>* x, float radius) const {
        return valid_ && x == positions_ && radius == radius_;
    }

    // f(j, x_i - x_j, |x_i - x_j|) for the fluid neighbours j of particle i, i itself included,
    // in grid order. `x` must be the positions the lists were built on.
    template <class F>
    void for_each_fluid(std::size_t i, const Vec<D>* x, F&& f) const {
        visit(begin_[i], split_[i], x[i], x, f);
    }

    // The fluid neighbours of particle i as a span of slot indices: what for_each_fluid visits.
    std::span<const std::uint32_t> fluid_span(std::size_t i) const {
        return {entries_.get() + begin_[i], split_[i] - begin_[i]};
    }

    // f(b, x_i - x_b, |x_i - x_b|) for the boundary neighbours b of particle i, in grid order.
    template <class F>
    void for_each_boundary(std::size_t i, const Vec<D>* x, const Vec<D>* xb, F&& f) const {
        visit(split_[i], end_[i], x[i], xb, f);
    }

    // Sets flags[b] = 1 for every boundary sample b in some particle's list, else 0: the samples
    // with fluid within the radius. `flags` has one entry per boundary sample.
    void mark_boundary_neighbours(std::span<std::uint8_t> flags, WorkerPool& pool) const;

    // Neighbour entries (fluid + boundary) held, and bytes by capacity.
    std::size_t entry_count() const;
    std::size_t memory_bytes() const;

  private:
    // A worker's window of entries: [next, limit) is free.
    struct Window {
        std::size_t next = 0;
        std::size_t limit = 0;
    };

    // A worker's caches of the candidates of the cell it is in (neighbour_scan.hpp).
    struct WorkerCaches;

    bool try_build(const NeighbourGrid<D>& fluid_grid, std::span<const Vec<D>> fluid_positions,
                   const NeighbourGrid<D>& boundary_grid,
                   std::span<const Vec<D>> boundary_positions, float radius2, std::size_t grain,
                   WorkerPool& pool);

    template <class F>
    void visit(std::uint32_t begin, std::uint32_t end, const Vec<D>& xi, const Vec<D>* xj,
               F& f) const {
        const std::uint32_t* entry = entries_.get();
        for (std::uint32_t k = begin; k < end; ++k) {
            const std::uint32_t j = entry[k];
            const Vec<D> xij = xi - xj[j];
            f(j, xij, std::sqrt(length_squared<D>(xij)));
        }
    }

    void allocate_entries(std::size_t capacity);

    std::unique_ptr<std::uint32_t[]> entries_;  // every list, in the workers' windows
    std::size_t entry_capacity_ = 0;
    std::vector<std::uint32_t> begin_;  // per particle, see above
    std::vector<std::uint32_t> split_;
    std::vector<std::uint32_t> end_;
    std::atomic<std::size_t> claimed_{0};  // entries handed out in windows by the last build
    std::size_t used_ = 0;                 // entries in the lists of the last build
    std::vector<Window> windows_;          // per worker
    std::vector<std::unique_ptr<WorkerCaches>> caches_;  // per worker
    const Vec<D>* positions_ = nullptr;
    float radius_ = 0.0f;
    bool valid_ = false;
};

extern template class NeighbourLists<2>;
extern template class NeighbourLists<3>;

}  // namespace flume
