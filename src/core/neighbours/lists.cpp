#include "core/neighbours/lists.hpp"

#include "core/neighbours/scan.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace flume {

namespace {

// Units per window a worker claims in the shared array (even: see try_build).
constexpr std::size_t kWindow = 1024;

}  // namespace

template <int D>
struct NeighbourLists<D>::WorkerCaches {
    CandidateCache<D> fluid;
    CandidateCache<D> boundary;
    // The hits of one cache scan near the end of a window, before they are copied in (16- or
    // 32-bit entries; the scan's last store may reach four entries past its count).
    alignas(16) std::uint32_t hits[4 * CandidateCache<D>::kMaxGroups + 4];
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
    fluid_count_.resize(n);
    windows_.resize(static_cast<std::size_t>(pool.thread_count()));
    while (caches_.size() < windows_.size())
        caches_.push_back(std::make_unique<WorkerCaches>());
    // An eighth of headroom over the units of the last build, and two windows per worker (the
    // windows' unused ends depend on the thread timing); resized when the headroom falls under
    // a sixteenth or grows over three sixteenths (the first build's estimate, or a redone
    // build's doubling, may overshoot). The sum of the lists moves slowly (+15% from the rest
    // lattice to the flowing fluid in the 3D dam break), so steps do not resize once the flow is
    // on.
    const std::size_t slack = 2 * kWindow * windows_.size();
    if (used_ > 0 && (unit_capacity_ < used_ + used_ / 16 + slack ||
                      unit_capacity_ > used_ + 3 * used_ / 16 + slack)) {
        allocate_units(used_ + used_ / 8 + slack);
    } else if (used_ == 0 && unit_capacity_ == 0) {
        // First build: a full neighbourhood, fluid and boundary, is ~30 in 3D and ~12 in 2D.
        allocate_units(n * (D == 3 ? 32 : 16) + slack);
    }
    bool outgrown = false;
    while (!try_build(fluid_grid, fluid_positions, boundary_grid, boundary_positions,
                      radius * radius, grain, pool, outgrown)) {
        if (!outgrown) return;  // a count beyond 16 bits: the loops scan the grid this step
        // Outgrown: redo the build in a larger array.
        const std::size_t claimed = claimed_.load(std::memory_order_relaxed);
        allocate_units(std::max(2 * unit_capacity_, claimed + claimed / 8 + slack));
    }
    used_ = 0;
    for (const Window& w : windows_)
        used_ += w.used;
    valid_ = true;
}

template <int D>
bool NeighbourLists<D>::try_build(const NeighbourGrid<D>& fluid_grid,
                                  std::span<const Vec<D>> fluid_positions,
                                  const NeighbourGrid<D>& boundary_grid,
                                  std::span<const Vec<D>> boundary_positions, float radius2,
                                  std::size_t grain, WorkerPool& pool, bool& outgrown) {
    const Vec<D>* x = fluid_positions.data();
    const Vec<D>* xb = boundary_positions.data();
    const std::size_t n = fluid_positions.size();
    const std::size_t nb = boundary_positions.size();
    constexpr std::uint64_t kMaxUnits = 0xFFFFFFFFu;  // begin_ is 32-bit
    if (static_cast<std::uint64_t>(unit_capacity_) > kMaxUnits) {
        throw std::length_error("neighbour lists: more than 2^32 units");
    }
    claimed_.store(0, std::memory_order_relaxed);
    std::fill(windows_.begin(), windows_.end(), Window{});
    std::atomic<bool> stop{false}, full{false};

    // Room for `more` units after the `next - start` of the current particle's lists in the
    // window `w`: when the window is short, a new one is claimed and the partial lists moved to
    // its front. Windows are claimed in even sizes, so that the move keeps wide lists aligned.
    // False when the array is used up.
    auto room = [&](Window& w, std::size_t& start, std::size_t more) {
        if (w.limit - w.next >= more) return true;
        const std::size_t partial = w.next - start;
        const std::size_t size = std::max(kWindow, (partial + more + 1) & ~std::size_t{1});
        const std::size_t base = claimed_.fetch_add(size, std::memory_order_relaxed);
        if (base + size > unit_capacity_) return false;
        std::uint16_t* unit = units();
        std::copy(unit + start, unit + w.next, unit + base);
        start = base;
        w.next = base + partial;
        w.limit = base + size;
        return true;
    };

    const bool same_cells = boundary_grid.dims() == fluid_grid.dims() &&
                            boundary_grid.lower() == fluid_grid.lower() &&
                            boundary_grid.cell_size() == fluid_grid.cell_size();
    pool.parallel_for(0, n, grain, [&](const WorkerPool::Range& rg, int worker) {
        // The worker's window in a local while the chunk runs, written back once, so that two
        // workers never write to one cache line per particle.
        Window& window = windows_[static_cast<std::size_t>(worker)];
        Window w = window;
        WorkerCaches& caches = *caches_[static_cast<std::size_t>(worker)];
        caches.fluid.clear();  // the positions changed since the last build
        caches.boundary.clear();
        // The fluid cell of particle i, found once per run of particles in one cell (the
        // particles are in cell order): the key of the fluid cache, and of the boundary cache
        // when the grids share their cells (as the simulation's do).
        std::uint32_t cell = 0;
        std::size_t cell_end = 0;
        for (std::size_t i = rg.begin; i < rg.end; ++i) {
            if (stop.load(std::memory_order_relaxed)) break;
            const Vec<D> xi = x[i];
            if (i >= cell_end) {
                cell = fluid_grid.cell_of(xi);
                cell_end = fluid_grid.cell_end(cell);
            }
            bool ok = true;
            // Every particle's lists start on an even unit, and its boundary list on the next
            // even unit after its fluid list: wide lists are aligned to 32 bits, also after
            // room() moved them (windows start on even units). The window's limit is even, so
            // an odd next is short of it.
            w.next += w.next & 1;
            std::size_t start = w.next;
            // The candidates of i's cell, from the worker's cache when they fit, else straight
            // from the grid's ranges: the number of neighbours found, and whether the list is
            // wide. Offsets from `start`, which room() may move.
            auto scan = [&](const NeighbourGrid<D>& grid, const Vec<D>* positions,
                            std::size_t count, CandidateCache<D>& cache, bool may_narrow)
                            FLUME_ALWAYS_INLINE -> std::pair<std::size_t, bool> {
                const std::uint32_t key =
                    &grid == &fluid_grid || same_cells ? cell : grid.cell_of(xi);
                const bool cached = cache.load(grid, key, xi, positions);
                if (cached && cache.candidates() == 0) return {0, false};  // no wall near
                // A cache scan writes straight into the window when the window has room for
                // every candidate (the scan may write that far), else into the worker's hits
                // and then only the hits into the window, so that no window's end is left
                // unused for want of room for the candidates (a 3D cell has ~240).
                auto scan_cached = [&](auto* out, std::size_t units_per_entry, auto&& append) {
                    using Entry = std::remove_pointer_t<decltype(out)>;
                    const std::size_t room_needed = units_per_entry * cache.candidates();
                    if (w.limit - w.next >= room_needed) {
                        w.next = units_per_entry * append(out, w.next / units_per_entry);
                        return;
                    }
                    auto* hits = reinterpret_cast<Entry*>(caches.hits);
                    const std::size_t found = append(hits, 0);
                    ok = room(w, start, units_per_entry * found);
                    if (!ok) return;
                    std::copy(hits, hits + found, out + w.next / units_per_entry);
                    w.next += units_per_entry * found;
                };
                if (cached && may_narrow && cache.narrow()) {
                    const std::size_t offset = w.next - start;
                    scan_cached(units(), 1, [&](std::uint16_t* out, std::size_t at) {
                        return cache.append_narrow(xi, static_cast<std::uint32_t>(i), radius2, out,
                                                   at);
                    });
                    return {w.next - start - offset, false};
                }
                if (w.next & 1) {
                    ok = room(w, start, 1);
                    if (!ok) return {0, true};
                    ++w.next;
                }
                const std::size_t offset = w.next - start;
                auto* wide = reinterpret_cast<std::uint32_t*>(units());
                if (cached) {
                    scan_cached(wide, 2, [&](std::uint32_t* out, std::size_t at) {
                        return cache.append(xi, radius2, out, at);
                    });
                } else {
                    grid.for_each_candidate_range(xi, [&](std::uint32_t begin, std::uint32_t end) {
                        ok = ok && room(w, start, 2 * (end - begin + 4));
                        if (ok)
                            w.next = 2 * append_neighbours<D>(xi, positions, count, begin, end,
                                                              radius2, wide, w.next / 2);
                    });
                }
                return {(w.next - start - offset) / 2, true};
            };
            const auto [fluid_count, fluid_wide] = scan(fluid_grid, x, n, caches.fluid, true);
            // The boundary list, if any: from the next even unit, its count in two units, then
            // its slots. Most particles have no wall near, and keep no count.
            if (ok && (w.next & 1)) {
                ok = room(w, start, 1);
                w.next += ok ? 1 : 0;
            }
            ok = ok && room(w, start, 2);
            const std::size_t count_offset = w.next - start;
            w.next += 2;
            const std::size_t boundary_count =
                ok ? scan(boundary_grid, xb, nb, caches.boundary, false).first : 0;
            if (!ok) {
                full.store(true, std::memory_order_relaxed);
                stop.store(true, std::memory_order_relaxed);
                break;
            }
            if (fluid_count > kCountMask) {
                stop.store(true, std::memory_order_relaxed);
                break;
            }
            if (boundary_count == 0) {
                w.next = start + count_offset;
            } else {
                const auto count = static_cast<std::uint32_t>(boundary_count);
                std::memcpy(units() + start + count_offset, &count, sizeof count);
            }
            begin_[i] = static_cast<std::uint32_t>(start);
            fluid_count_[i] = static_cast<std::uint16_t>(fluid_count | (fluid_wide ? kWide : 0u) |
                                                         (boundary_count > 0 ? kHasBoundary : 0u));
            w.used += w.next - start;
        }
        window = w;
    });
    outgrown = full.load(std::memory_order_relaxed);
    return !stop.load(std::memory_order_relaxed);
}

// Uninitialised storage (no zero fill: every unit read was written by the build).
template <int D>
void NeighbourLists<D>::allocate_units(std::size_t capacity) {
    storage_.reset();
    storage_.reset(new std::byte[capacity * sizeof(std::uint16_t)]);
    unit_capacity_ = capacity;
}

template <int D>
void NeighbourLists<D>::mark_boundary_neighbours(std::span<std::uint8_t> flags,
                                                 WorkerPool& pool) const {
    std::fill(flags.begin(), flags.end(), std::uint8_t{0});
    std::uint8_t* flag = flags.data();
    // Several particles may mark one sample, all with the same value: relaxed atomic stores.
    pool.parallel_for(0, begin_.size(), 1024, [&](const WorkerPool::Range& rg, int) {
        for (std::size_t i = rg.begin; i < rg.end; ++i) {
            if (!(fluid_count_[i] & kHasBoundary)) continue;
            const std::uint16_t* unit = units() + boundary_begin(i);
            const std::uint32_t count = read_slot(unit);
            for (std::uint32_t k = 1; k <= count; ++k)
                __atomic_store_n(&flag[read_slot(unit + 2 * k)], std::uint8_t{1}, __ATOMIC_RELAXED);
        }
    });
}

template <int D>
std::size_t NeighbourLists<D>::entry_count() const {
    std::size_t count = 0;
    for (std::size_t i = 0; i < begin_.size(); ++i) {
        count += fluid_count_[i] & kCountMask;
        if (fluid_count_[i] & kHasBoundary) count += read_slot(units() + boundary_begin(i));
    }
    return count;
}

template <int D>
std::size_t NeighbourLists<D>::memory_bytes() const {
    return windows_.capacity() * sizeof(Window) + caches_.size() * sizeof(WorkerCaches) +
           unit_capacity_ * sizeof(std::uint16_t) + begin_.capacity() * sizeof(std::uint32_t) +
           fluid_count_.capacity() * sizeof(std::uint16_t);
}

template class NeighbourLists<2>;
template class NeighbourLists<3>;

}  // namespace flume
