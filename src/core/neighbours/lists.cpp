#include "core/neighbours/lists.hpp"

#include "core/neighbours/scan.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

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
    // Sized once, at the first build, for half as much again as a full neighbourhood (fluid and
    // boundary: ~32 in 3D, ~16 in 2D) for every particle, and two windows per worker (the
    // windows' unused ends depend on the thread timing). The sum of the lists moves slowly (+15%
    // from the rest lattice to the flowing fluid in the 3D dam break; each particle's count is
    // bounded by the density, under twice the rest density or the step fails), so a step never
    // resizes it: only a build that outgrows it is redone in a larger array.
    const std::size_t slack = 2 * kWindow * windows_.size();
    if (unit_capacity_ == 0) allocate_units(std::max(n, reserved_) * (D == 3 ? 48 : 24) + slack);
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

// One worker's writer of lists for a chunk of particles: the worker's window of the shared array
// (a copy while the chunk runs, written back when the writer goes, so that two workers never
// write to one cache line per particle), the first unit of the particle being written, and the
// worker's caches. A particle's lists, in a build that is not yet full or stopped:
//
//   out.begin_particle();
//   const auto fluid = out.append_fluid(x_i, i, cell);
//   const std::size_t boundary_count = out.append_boundary(x_i, cell);
//   if (out.ok() && fluid.count <= kCountMask) out.finish_particle(i, fluid, boundary_count);
//
// Every particle's lists start on an even unit, and its boundary list on the next even unit
// after its fluid list: wide lists are aligned to 32 bits, also after reserve() moved them
// (windows start on even units). The window's limit is even, so an odd next is short of it.
template <int D>
class NeighbourLists<D>::ListWriter {
  public:
    // What a build searches: the fluid positions in their grid, the boundary samples in theirs,
    // the squared radius, and whether the two grids share their cells (as the simulation's do).
    struct Search {
        const NeighbourGrid<D>& fluid_grid;
        const Vec<D>* x;
        std::size_t n;
        const NeighbourGrid<D>& boundary_grid;
        const Vec<D>* xb;
        std::size_t nb;
        float radius2;
        bool same_cells;
    };

    // The neighbours one scan appended: their number, and whether they are slots (two units
    // each) rather than 16-bit offsets from the particle.
    struct Hits {
        std::size_t count;
        bool wide;
    };

    ListWriter(NeighbourLists& lists, int worker, const Search& search)
        : lists_(lists),
          window_(lists.windows_[static_cast<std::size_t>(worker)]),
          w_(window_),
          caches_(*lists.caches_[static_cast<std::size_t>(worker)]),
          search_(search) {
        caches_.fluid.clear();  // the positions changed since the last build
        caches_.boundary.clear();
    }
    ~ListWriter() { window_ = w_; }
    ListWriter(const ListWriter&) = delete;
    ListWriter& operator=(const ListWriter&) = delete;

    // False when the particle's lists did not fit: the array is used up, and the build must be
    // redone in a larger one.
    bool ok() const { return ok_; }

    // Starts a particle's lists, at the next even unit.
    void begin_particle() {
        ok_ = true;
        w_.next += w_.next & 1;
        start_ = w_.next;
    }

    // The fluid neighbours of particle i at xi, in the fluid cell `cell`.
    FLUME_ALWAYS_INLINE Hits append_fluid(const Vec<D>& xi, std::size_t i, std::uint32_t cell) {
        return append_hits(search_.fluid_grid, search_.x, search_.n, caches_.fluid, cell, xi, i,
                           true);
    }

    // The boundary neighbours of the particle at xi, in the fluid cell `cell`: from the next even
    // unit, their count in two units, then their slots. Returns their number.
    FLUME_ALWAYS_INLINE std::size_t append_boundary(const Vec<D>& xi, std::uint32_t cell) {
        const bool room = ok_ && align_to_slot() && reserve(2);
        count_at_ = w_.next - start_;
        w_.next += 2;
        if (!room) return 0;
        const std::uint32_t key = search_.same_cells ? cell : search_.boundary_grid.cell_of(xi);
        return append_hits(search_.boundary_grid, search_.xb, search_.nb, caches_.boundary, key, xi,
                           0, false)
            .count;
    }

    // Records particle i's lists: where they start, and their counts. Most particles have no
    // wall near, and keep no boundary count.
    void finish_particle(std::size_t i, Hits fluid, std::size_t boundary_count) {
        if (boundary_count == 0) {
            w_.next = start_ + count_at_;
        } else {
            const auto count = static_cast<std::uint32_t>(boundary_count);
            std::memcpy(lists_.units() + start_ + count_at_, &count, sizeof count);
        }
        lists_.begin_[i] = static_cast<std::uint32_t>(start_);
        lists_.fluid_count_[i] = static_cast<std::uint16_t>(
            fluid.count | (fluid.wide ? kWide : 0u) | (boundary_count > 0 ? kHasBoundary : 0u));
        w_.used += w_.next - start_;
    }

  private:
    // The neighbours of xi among `positions` (`count` of them, in `grid`), from the cache of the
    // candidates of `cell` when they fit, else straight from the grid's ranges; narrow when
    // `may_narrow` and the candidates allow it.
    FLUME_ALWAYS_INLINE Hits append_hits(const NeighbourGrid<D>& grid, const Vec<D>* positions,
                                         std::size_t count, CandidateCache<D>& cache,
                                         std::uint32_t cell, const Vec<D>& xi, std::size_t i,
                                         bool may_narrow) {
        const bool cached = cache.load(grid, cell, xi, positions);
        if (cached && cache.candidates() == 0) return {0, false};  // no wall near
        const float radius2 = search_.radius2;
        if (cached && may_narrow && cache.narrow()) {
            const std::size_t offset = w_.next - start_;
            append_cached<std::uint16_t>(cache, [&](std::uint16_t* out, std::size_t at) {
                return cache.append_narrow(xi, static_cast<std::uint32_t>(i), radius2, out, at);
            });
            return {w_.next - start_ - offset, false};
        }
        if (!align_to_slot()) return {0, true};
        const std::size_t offset = w_.next - start_;
        if (cached) {
            append_cached<std::uint32_t>(cache, [&](std::uint32_t* out, std::size_t at) {
                return cache.append(xi, radius2, out, at);
            });
        } else {
            auto* wide = reinterpret_cast<std::uint32_t*>(lists_.units());
            grid.for_each_candidate_range(xi, [&](std::uint32_t begin, std::uint32_t end) {
                if (ok_ && reserve(2 * (end - begin + 4)))
                    w_.next = 2 * append_neighbours<D>(xi, positions, count, begin, end, radius2,
                                                       wide, w_.next / 2);
            });
        }
        return {(w_.next - start_ - offset) / 2, true};
    }

    // The hits of a cache scan, append(out, at) writing them as `Entry`s (one or two units) from
    // out[at] on and returning the new end: straight into the window when it has room for every
    // candidate (the scan may write that far), else into the worker's hits and then only the
    // hits into the window, so that no window's end is left unused for want of room for the
    // candidates (a 3D cell has ~240).
    template <class Entry, class Append>
    void append_cached(const CandidateCache<D>& cache, Append&& append) {
        constexpr std::size_t kUnits = sizeof(Entry) / sizeof(std::uint16_t);
        auto* out = reinterpret_cast<Entry*>(lists_.units());
        if (w_.limit - w_.next >= kUnits * cache.candidates()) {
            w_.next = kUnits * append(out, w_.next / kUnits);
            return;
        }
        auto* hits = reinterpret_cast<Entry*>(caches_.hits);
        const std::size_t found = append(hits, 0);
        if (!reserve(kUnits * found)) return;
        std::copy(hits, hits + found, out + w_.next / kUnits);
        w_.next += kUnits * found;
    }

    // Moves the end of the particle's lists to the next even unit, where a 32-bit value may
    // start. False when the array is used up.
    bool align_to_slot() {
        if (!(w_.next & 1)) return true;
        if (!reserve(1)) return false;
        ++w_.next;
        return true;
    }

    // Room for `more` units after the particle's lists so far: when the window is short, a new
    // one is claimed and the partial lists moved to its front. Windows are claimed in even
    // sizes, so that the move keeps wide lists aligned. False, and ok() false, when the array is
    // used up.
    bool reserve(std::size_t more) {
        if (w_.limit - w_.next >= more) return true;
        const std::size_t partial = w_.next - start_;
        const std::size_t size = std::max(kWindow, (partial + more + 1) & ~std::size_t{1});
        const std::size_t base = lists_.claimed_.fetch_add(size, std::memory_order_relaxed);
        if (base + size > lists_.unit_capacity_) {
            ok_ = false;
            return false;
        }
        std::uint16_t* unit = lists_.units();
        std::copy(unit + start_, unit + w_.next, unit + base);
        start_ = base;
        w_.next = base + partial;
        w_.limit = base + size;
        return true;
    }

    // The lists' array is read through lists_ where it is written, not kept in a member: held in
    // a register across the particle, its address was reloaded from the stack in the scan loop.
    NeighbourLists& lists_;
    Window& window_;
    Window w_;
    WorkerCaches& caches_;
    const Search& search_;
    std::size_t start_ = 0;     // the particle's first unit
    std::size_t count_at_ = 0;  // where its boundary count lies, from start_
    bool ok_ = true;
};

template <int D>
bool NeighbourLists<D>::try_build(const NeighbourGrid<D>& fluid_grid,
                                  std::span<const Vec<D>> fluid_positions,
                                  const NeighbourGrid<D>& boundary_grid,
                                  std::span<const Vec<D>> boundary_positions, float radius2,
                                  std::size_t grain, WorkerPool& pool, bool& outgrown) {
    constexpr std::uint64_t kMaxUnits = 0xFFFFFFFFu;  // begin_ is 32-bit
    if (static_cast<std::uint64_t>(unit_capacity_) > kMaxUnits) {
        throw std::length_error("neighbour lists: more than 2^32 units");
    }
    claimed_.store(0, std::memory_order_relaxed);
    std::fill(windows_.begin(), windows_.end(), Window{});
    const typename ListWriter::Search search{
        fluid_grid,
        fluid_positions.data(),
        fluid_positions.size(),
        boundary_grid,
        boundary_positions.data(),
        boundary_positions.size(),
        radius2,
        boundary_grid.dims() == fluid_grid.dims() && boundary_grid.lower() == fluid_grid.lower() &&
            boundary_grid.cell_size() == fluid_grid.cell_size()};
    std::atomic<bool> stop{false}, full{false};
    pool.parallel_for(0, search.n, grain, [&](const WorkerPool::Range& rg, int worker) {
        ListWriter out(*this, worker, search);
        // The fluid cell of particle i, found once per run of particles in one cell (the
        // particles are in cell order): the key of the fluid cache, and of the boundary cache
        // when the grids share their cells (as the simulation's do).
        std::uint32_t cell = 0;
        std::size_t cell_end = 0;
        for (std::size_t i = rg.begin; i < rg.end; ++i) {
            if (stop.load(std::memory_order_relaxed)) break;
            const Vec<D> xi = search.x[i];
            if (i >= cell_end) {
                cell = fluid_grid.cell_of(xi);
                cell_end = fluid_grid.cell_end(cell);
            }
            out.begin_particle();
            const auto fluid = out.append_fluid(xi, i, cell);
            const std::size_t boundary_count = out.append_boundary(xi, cell);
            if (!out.ok() || fluid.count > kCountMask) {
                // Out of room (the build is redone in a larger array), or a count beyond 16 bits
                // (the loops scan the grid this step).
                if (!out.ok()) full.store(true, std::memory_order_relaxed);
                stop.store(true, std::memory_order_relaxed);
                break;
            }
            out.finish_particle(i, fluid, boundary_count);
        }
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
