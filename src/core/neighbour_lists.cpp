#include "neighbour_lists.hpp"

#include "neighbour_scan.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace flume {

namespace {

// Entries per window a worker claims in the shared array.
constexpr std::size_t kWindow = 1024;

}  // namespace

template <int D>
struct NeighbourLists<D>::WorkerCaches {
    CandidateCache<D> fluid;
    CandidateCache<D> boundary;
};

template <int D>
NeighbourLists<D>::NeighbourLists() = default;
template <int D>
NeighbourLists<D>::~NeighbourLists() = default;

template <int D>
void NeighbourLists<D>::build(const NeighbourGrid<D>& fluid_grid,
                              std::span<const Vec<D>> fluid_positions,
                              const NeighbourGrid<D>& boundary_grid,
                              std::span<const Vec<D>> boundary_positions, float radius,
                              std::size_t grain, WorkerPool& pool) {
    const std::size_t n = fluid_positions.size();
    positions_ = fluid_positions.data();
    radius_ = radius;
    valid_ = false;
    begin_.resize(n);
    split_.resize(n);
    end_.resize(n);
    windows_.resize(static_cast<std::size_t>(pool.thread_count()));
    while (caches_.size() < windows_.size())
        caches_.push_back(std::make_unique<WorkerCaches>());
    // A quarter of headroom over the entries of the last build, and two windows per worker (the
    // windows' unused ends depend on the thread timing). Also resized when far above that: the
    // first build's estimate, or a redone build's doubling, may overshoot.
    const std::size_t slack = 2 * kWindow * windows_.size();
    if (used_ > 0 && (entry_capacity_ < used_ + used_ / 8 + slack ||
                      entry_capacity_ > used_ + used_ / 2 + slack)) {
        allocate_entries(used_ + used_ / 4 + slack);
    } else if (used_ == 0 && entry_capacity_ == 0) {
        // First build: a full neighbourhood, fluid and boundary, is ~30 in 3D and ~12 in 2D.
        allocate_entries(n * (D == 3 ? 32 : 16) + slack);
    }
    while (!try_build(fluid_grid, fluid_positions, boundary_grid, boundary_positions,
                      radius * radius, grain, pool)) {
        // Outgrown: redo the build in a larger array.
        const std::size_t claimed = claimed_.load(std::memory_order_relaxed);
        allocate_entries(std::max(2 * entry_capacity_, claimed + claimed / 4 + slack));
    }
    used_ = entry_count();
    valid_ = true;
}

template <int D>
bool NeighbourLists<D>::try_build(const NeighbourGrid<D>& fluid_grid,
                                  std::span<const Vec<D>> fluid_positions,
                                  const NeighbourGrid<D>& boundary_grid,
                                  std::span<const Vec<D>> boundary_positions, float radius2,
                                  std::size_t grain, WorkerPool& pool) {
    const Vec<D>* x = fluid_positions.data();
    const Vec<D>* xb = boundary_positions.data();
    const std::size_t n = fluid_positions.size();
    const std::size_t nb = boundary_positions.size();
    constexpr std::uint64_t kMaxEntries = 0xFFFFFFFFu;  // begin, split and end are 32-bit
    if (static_cast<std::uint64_t>(entry_capacity_) > kMaxEntries) {
        throw std::length_error("neighbour lists: more than 2^32 neighbour entries");
    }
    claimed_.store(0, std::memory_order_relaxed);
    std::fill(windows_.begin(), windows_.end(), Window{});
    std::atomic<bool> outgrown{false};

    // Room for `more` entries after the `next - start` of the current particle's list in the
    // window `w`: when the window is short, a new one is claimed and the partial list moved to
    // its front. False when the array is used up.
    auto room = [&](Window& w, std::size_t& start, std::size_t more) {
        if (w.limit - w.next >= more) return true;
        const std::size_t partial = w.next - start;
        const std::size_t size = std::max(kWindow, partial + more);
        const std::size_t base = claimed_.fetch_add(size, std::memory_order_relaxed);
        if (base + size > entry_capacity_) return false;
        std::uint32_t* entry = entries_.get();
        std::copy(entry + start, entry + w.next, entry + base);
        start = base;
        w.next = base + partial;
        w.limit = base + size;
        return true;
    };

    pool.parallel_for(0, n, grain, [&](const WorkerPool::Range& rg, int worker) {
        // The worker's window in a local while the chunk runs, written back once, so that two
        // workers never write to one cache line per particle.
        Window& window = windows_[static_cast<std::size_t>(worker)];
        Window w = window;
        WorkerCaches& caches = *caches_[static_cast<std::size_t>(worker)];
        caches.fluid.clear();  // the positions changed since the last build
        caches.boundary.clear();
        std::uint32_t* entry = entries_.get();
        for (std::size_t i = rg.begin; i < rg.end; ++i) {
            if (outgrown.load(std::memory_order_relaxed)) break;
            const Vec<D> xi = x[i];
            bool ok = true;
            std::size_t start = w.next;
            // The candidates of i's cell, from the worker's cache when they fit, else straight
            // from the grid's ranges.
            auto scan = [&](const NeighbourGrid<D>& grid, const Vec<D>* positions,
                            std::size_t count, CandidateCache<D>& cache) {
                if (cache.load(grid, grid.cell_of(xi), xi, positions)) {
                    for (int r = 0; r < cache.range_count() && ok; ++r) {
                        ok = room(w, start, cache.candidates(r));
                        if (ok) w.next = cache.append_range(r, xi, radius2, entry, w.next);
                    }
                    return;
                }
                grid.for_each_candidate_range(xi, [&](std::uint32_t begin, std::uint32_t end) {
                    ok = ok && room(w, start, end - begin + 4);
                    if (ok)
                        w.next = append_neighbours<D>(xi, positions, count, begin, end, radius2,
                                                      entry, w.next);
                });
            };
            scan(fluid_grid, x, n, caches.fluid);
            const std::size_t fluid_count = w.next - start;
            scan(boundary_grid, xb, nb, caches.boundary);
            if (!ok) {
                outgrown.store(true, std::memory_order_relaxed);
                break;
            }
            begin_[i] = static_cast<std::uint32_t>(start);
            split_[i] = static_cast<std::uint32_t>(start + fluid_count);
            end_[i] = static_cast<std::uint32_t>(w.next);
        }
        window = w;
    });
    return !outgrown.load(std::memory_order_relaxed);
}

// Uninitialised storage (no zero fill: every entry read was written by the build).
template <int D>
void NeighbourLists<D>::allocate_entries(std::size_t capacity) {
    entries_.reset();
    entries_.reset(new std::uint32_t[capacity]);  // default-initialised: no zero fill
    entry_capacity_ = capacity;
}

template <int D>
void NeighbourLists<D>::mark_boundary_neighbours(std::span<std::uint8_t> flags,
                                                 WorkerPool& pool) const {
    std::fill(flags.begin(), flags.end(), std::uint8_t{0});
    std::uint8_t* flag = flags.data();
    const std::uint32_t* entry = entries_.get();
    // Several particles may mark one sample, all with the same value: relaxed atomic stores.
    pool.parallel_for(0, begin_.size(), 1024, [&](const WorkerPool::Range& rg, int) {
        for (std::size_t i = rg.begin; i < rg.end; ++i)
            for (std::uint32_t k = split_[i]; k < end_[i]; ++k)
                __atomic_store_n(&flag[entry[k]], std::uint8_t{1}, __ATOMIC_RELAXED);
    });
}

template <int D>
std::size_t NeighbourLists<D>::entry_count() const {
    std::size_t count = 0;
    for (std::size_t i = 0; i < begin_.size(); ++i)
        count += end_[i] - begin_[i];
    return count;
}

template <int D>
std::size_t NeighbourLists<D>::memory_bytes() const {
    return windows_.capacity() * sizeof(Window) + caches_.size() * sizeof(WorkerCaches) +
           (entry_capacity_ + begin_.capacity() + split_.capacity() + end_.capacity()) *
               sizeof(std::uint32_t);
}

template class NeighbourLists<2>;
template class NeighbourLists<3>;

}  // namespace flume
