// Per-step neighbour lists of the fluid particles: each particle's fluid neighbours and boundary
// neighbours within the kernel support, found once a step by one scan of the grids and then read
// by every neighbour loop of the step that runs at the particles' own positions.
//
//   lists.build(fluid_grid, x, boundary_grid, xb, support, grain, pool);  // after the grid sort
//   lists.for_each_fluid_neighbour(i, x, [&](std::uint32_t j, Vec xij, float r) {...});
//
// A list holds the neighbours in the grid's visiting order, and the loops recompute x_i - x_j and
// |x_i - x_j| from the positions exactly as the grid loop does, so a sum over a list is
// bit-identical to the same sum over the grid: lists change the speed, never the state.
//
// Storage: one array of 16-bit units, in which each worker claims windows of a thousand units
// with an atomic counter and writes its particles' lists one after the other, fluid neighbours
// first, then boundary ones. Where a window lies depends on the thread timing, what a list holds
// does not. A fluid neighbour j of particle i takes one unit, j - i as a 16-bit signed number:
// the slots of i's cell's candidates lie within a few layers of cells of i (4,607 slots at most
// in the 100k-particle 3D dam break, 20,639 in the 1M-particle search). When the candidates of a
// cell span more than 2^15 slots, or are too many to cache, the lists of its particles are wide:
// two units per neighbour, the slot itself. Boundary neighbours are always wide, after their
// count (only the particles near a wall have any: 6% in the 3D dam break).
//
// The array keeps an eighth of headroom over the units of the last build; when a build outgrows
// it, the build is redone in a larger one. Fluid and boundary neighbours share the array because
// their sum per particle barely changes as the fluid moves (boundary samples stand in for
// missing fluid, Akinci et al. 2012), so once the first steps have sized it, a step allocates
// nothing. Per particle the lists take ~2 bytes per neighbour plus 6 (where its lists start,
// and the fluid count): ~70 bytes in 3D, against ~150 with 32-bit entries. Between the end of a
// step's solver and the next build the array is idle, and the grid sort borrows it
// (idle_storage()).
//
// A particle with 2^14 fluid neighbours or more, which only a fluid squeezed far beyond its rest
// density has, leaves the step without lists: covers() is false and every loop scans the grid.
#pragma once

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "core/math/vec.hpp"
#include "core/neighbours/grid.hpp"
#include "core/worker_pool.hpp"

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

    // Sizes the lists for up to `particles` fluid particles (a count that grows with emitters):
    // the first build allocates for that many, not for the particles it finds.
    void reserve(std::size_t particles) {
        reserved_ = particles;
        begin_.reserve(particles);
        fluid_count_.reserve(particles);
    }

    // Forgets the lists (the positions moved): covers() is false until the next build.
    void invalidate() { valid_ = false; }

    // The lists' array as 32-bit scratch until the next build, which overwrites it; forgets the
    // lists. Empty before the first build.
    std::span<std::uint32_t> idle_storage() {
        valid_ = false;
        return {reinterpret_cast<std::uint32_t*>(storage_.get()), unit_capacity_ / 2};
    }

    // True when the lists describe the positions `x` at `radius`, as built.
    bool covers(const Vec<D>* x, float radius) const {
        return valid_ && x == positions_ && radius == radius_;
    }

    // f(j, x_i - x_j, |x_i - x_j|) for the fluid neighbours j of particle i, i itself included,
    // in grid order. `x` must be the positions the lists were built on.
    template <class F>
    void for_each_fluid_neighbour(std::size_t i, const Vec<D>* x, F&& f) const {
        const Vec<D> xi = x[i];
        const std::uint16_t* unit = units() + begin_[i];
        const std::uint32_t count = fluid_count_[i] & kCountMask;
        if (fluid_count_[i] & kWide) {
            visit_wide(unit, count, xi, x, f);
            return;
        }
        for (std::uint32_t k = 0; k < count; ++k) {
            const std::uint32_t j = narrow_slot(i, unit[k]);
            const Vec<D> xij = xi - x[j];
            f(j, xij, std::sqrt(length_squared<D>(xij)));
        }
    }

    // The fluid neighbours of particle i for a loop that takes them four at a time: f(slots),
    // where slots.size() is their number and slots[k] the k-th, in for_each_fluid_neighbour's
    // order. `slots` reads the list where it lies (no copy), as one of two types: f is a generic
    // lambda.
    struct NarrowSlots {
        const std::uint16_t* unit;
        std::size_t i;
        std::size_t count;
        std::size_t size() const { return count; }
        std::uint32_t operator[](std::size_t k) const { return narrow_slot(i, unit[k]); }
    };
    struct WideSlots {
        const std::uint16_t* unit;
        std::size_t count;
        std::size_t size() const { return count; }
        std::uint32_t operator[](std::size_t k) const { return read_slot(unit + 2 * k); }
    };
    template <class F>
    void with_fluid_neighbour_slots(std::size_t i, F&& f) const {
        const std::uint16_t* unit = units() + begin_[i];
        const std::size_t count = fluid_count_[i] & kCountMask;
        if (fluid_count_[i] & kWide) {
            f(WideSlots{unit, count});
        } else {
            f(NarrowSlots{unit, i, count});
        }
    }

    // f(b, x_i - x_b, |x_i - x_b|) for the boundary neighbours b of particle i, in grid order.
    template <class F>
    void for_each_boundary_neighbour(std::size_t i, const Vec<D>* x, const Vec<D>* xb,
                                     F&& f) const {
        if (fluid_count_[i] & kHasBoundary) {
            const std::uint16_t* unit = units() + boundary_begin(i);
            visit_wide(unit + 2, read_slot(unit), x[i], xb, f);
        }
    }

    // The number of boundary neighbours of particle i.
    std::uint32_t boundary_count(std::size_t i) const {
        return fluid_count_[i] & kHasBoundary ? read_slot(units() + boundary_begin(i)) : 0;
    }

    // Sets flags[b] = 1 for every boundary sample b in some particle's list, else 0: the samples
    // with fluid within the radius. `flags` has one entry per boundary sample.
    void mark_boundary_neighbours(std::span<std::uint8_t> flags, WorkerPool& pool) const;

    // Neighbours (fluid + boundary) in the lists, and bytes held, by capacity.
    std::size_t entry_count() const;
    std::size_t memory_bytes() const;

  private:
    // fluid_count_: the number of fluid neighbours, kWide when the list holds slots, and
    // kHasBoundary when a boundary list follows.
    static constexpr std::uint16_t kWide = 0x8000u;
    static constexpr std::uint16_t kHasBoundary = 0x4000u;
    static constexpr std::uint16_t kCountMask = 0x3FFFu;

    // A worker's window of units: [next, limit) is free. `used`: the units of the lists the
    // worker wrote in this build, in all its windows.
    struct Window {
        std::size_t next = 0;
        std::size_t limit = 0;
        std::size_t used = 0;
    };

    // A worker's caches of the candidates of the cell it is in (scan.hpp).
    struct WorkerCaches;

    // One worker's writing of lists for a chunk of particles (lists.cpp).
    class ListWriter;

    bool try_build(const NeighbourGrid<D>& fluid_grid, std::span<const Vec<D>> fluid_positions,
                   const NeighbourGrid<D>& boundary_grid,
                   std::span<const Vec<D>> boundary_positions, float radius2, std::size_t grain,
                   WorkerPool& pool, bool& outgrown);

    std::uint16_t* units() const { return reinterpret_cast<std::uint16_t*>(storage_.get()); }

    static std::uint32_t narrow_slot(std::size_t i, std::uint16_t unit) {
        return static_cast<std::uint32_t>(static_cast<std::int32_t>(i) +
                                          static_cast<std::int16_t>(unit));
    }

    // The units of particle i's fluid list, and where its boundary list starts when it has one
    // (kHasBoundary): at the next even unit, its count (two units), then its slots.
    std::size_t fluid_units(std::size_t i) const {
        const std::size_t count = fluid_count_[i] & kCountMask;
        return fluid_count_[i] & kWide ? 2 * count : count;
    }
    std::size_t boundary_begin(std::size_t i) const {
        return (begin_[i] + fluid_units(i) + 1) & ~std::size_t{1};
    }

    // A 32-bit value in two units (wide lists and boundary counts are 32-bit aligned).
    static std::uint32_t read_slot(const std::uint16_t* unit) {
        std::uint32_t value;
        std::memcpy(&value, unit, sizeof value);
        return value;
    }

    template <class F>
    static void visit_wide(const std::uint16_t* unit, std::uint32_t count, const Vec<D>& xi,
                           const Vec<D>* xj, F& f) {
        for (std::uint32_t k = 0; k < count; ++k) {
            const std::uint32_t j = read_slot(unit + 2 * k);
            const Vec<D> xij = xi - xj[j];
            f(j, xij, std::sqrt(length_squared<D>(xij)));
        }
    }

    void allocate_units(std::size_t capacity);

    std::unique_ptr<std::byte[]> storage_;  // the units of every list, in the workers' windows
    std::size_t unit_capacity_ = 0;
    std::size_t reserved_ = 0;                // particles the first build sizes the array for
    std::vector<std::uint32_t> begin_;        // per particle: its first unit
    std::vector<std::uint16_t> fluid_count_;  // per particle, see kWide
    std::atomic<std::size_t> claimed_{0};     // units handed out in windows by the last build
    std::size_t used_ = 0;                    // units in the lists of the last build
    std::vector<Window> windows_;             // per worker
    std::vector<std::unique_ptr<WorkerCaches>> caches_;  // per worker
    const Vec<D>* positions_ = nullptr;
    float radius_ = 0.0f;
    bool valid_ = false;
};

extern template class NeighbourLists<2>;
extern template class NeighbourLists<3>;

}  // namespace flume
