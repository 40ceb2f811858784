// A run spread over several processes (ranks, issue 32; docs/mpi.md): each rank owns a
// contiguous range of the fluid grid's linear cell index, steps the particles in it, and holds
// copies of the particles in a halo around it, two cell layers wide, whose fields it receives
// from their owners. The results have the same bits as one process for any number of ranks:
//
// - Order. Between steps a rank holds exactly the particles it owns, in the global slot order
//   (rank r's slots follow rank r - 1's). At the grid stage each rank sends every particle to
//   its owner and to the ranks whose halo holds it, in slot order; what a rank receives, taken
//   in rank order, is in global slot order, and the grid's stable counting sort then puts it in
//   (cell, previous slot) order: the one-process order, restricted to the cells the rank holds.
//   Every neighbour loop visits the same neighbours in the same order, so every per-particle sum
//   has the same bits.
// - Halo. A loop over the owned particles reads fluid neighbours up to one cell away, and the
//   wall terms of boundary samples up to one cell away, which read fluid one cell further: the
//   halo spans two cell layers (in linear index, 2 (1 + nx [+ nx ny])). A field that a later loop
//   reads at neighbours is shared (share) after the loop that writes it: the owners send the
//   values of their particles in each other rank's halo, a contiguous range of slots on both
//   sides.
// - Reductions (reduce) fold the same 256-particle chunks of the global slot order as one
//   process, in chunk order: each rank computes the partials of the chunks it holds whole and
//   the single terms of the chunks a rank boundary splits, and every rank folds them all.
// - Cut. The first cut splits the particle count evenly at cell boundaries; a rank that carries
//   more than 1.1 times the mean makes every rank re-cut at the particles of the evenly spaced
//   global slots. Where the cuts fall changes the messages, never a result.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/communicator.hpp"
#include "core/neighbours/grid.hpp"
#include "core/sph/particles.hpp"
#include "core/worker_pool.hpp"

namespace flume {

// What the decomposition did in the last step and since the start, per rank.
struct DecompositionStats {
    std::size_t owned = 0;  // particles this rank owned in the last step
    std::size_t halo = 0;   // halo copies it held
    std::uint64_t recuts = 0;
};

template <int D>
class Decomposition {
  public:
    // Particles per chunk of a reduction: the pool's grain of the per-particle loops.
    static constexpr std::size_t kChunk = 256;

    explicit Decomposition(Communicator& comm) : comm_(comm) {
        rank_ = comm.rank();
        size_ = comm.size();
        send_.resize(static_cast<std::size_t>(size_));
        send_ranges_.resize(static_cast<std::size_t>(size_));
        receive_ranges_.resize(static_cast<std::size_t>(size_));
        counts_.resize(static_cast<std::size_t>(size_));
        receive_bytes_.resize(static_cast<std::size_t>(size_));
    }

    Communicator& communicator() { return comm_; }
    int rank() const { return rank_; }
    int ranks() const { return size_; }

    // Every rank holds every particle (after loading or restoring a state): the next step's
    // migrate keeps what this rank needs of them.
    void hold_everything() { replicated_ = true; }
    bool holds_everything() const { return replicated_; }
    void set_holds_everything(bool v) { replicated_ = v; }

    // Owned particles: local slots [owned_begin, owned_end) during a step, [0, size) between
    // steps; global slots from global_offset; the count over every rank.
    std::size_t owned_begin() const { return owned_begin_; }
    std::size_t owned_end() const { return owned_end_; }
    std::size_t global_offset() const { return offset_; }
    std::size_t global_count() const { return total_; }
    const DecompositionStats& stats() const { return stats_; }
    // Owned particles per rank, in rank order, as of the last migrate.
    const std::vector<std::size_t>& counts() const { return counts_; }

    // The grid stage, before the sort: sends every owned particle (or, holding everything, every
    // particle) to the ranks that need it and puts what this rank receives into `fluid`, in
    // global slot order. The caller then sorts by cell and calls found_owned.
    void migrate(FluidParticles<D>& fluid, const NeighbourGrid<D>& grid) {
        configure(grid);
        const std::size_t n = fluid.size();
        cells_.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            cells_[i] = grid.cell_of(fluid.position[i]);
        if (replicated_) {
            total_ = n;
            offset_ = 0;
            cut_evenly(grid);
        } else {
            gather_counts(n);
            if (needs_recut()) recut(grid);
        }
        const std::uint8_t warm_flags = warm_in_use(fluid);
        for (std::string& s : send_) {
            s.clear();
            s.push_back(static_cast<char>(warm_flags));
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t c = cells_[i];
            const int owner = owner_of(c);
            for (int r = first_holder(c, owner); r <= last_holder(c, owner); ++r) {
                if (cut_[r] == cut_[r + 1]) continue;  // a rank that owns no cells holds none
                if (replicated_ && r != rank_) continue;
                pack(send_[static_cast<std::size_t>(r)], fluid, i, warm_flags);
            }
        }
        comm_.exchange(send_, receive_);
        unpack(fluid);
        replicated_ = false;
    }

    // After the sort: the owned slots, and the slot ranges that share sends and receives.
    void found_owned(const NeighbourGrid<D>& grid, std::size_t local_count) {
        const std::uint32_t lo = cut_[rank_], hi = cut_[rank_ + 1];
        owned_begin_ = grid.cell_begin(lo);
        owned_end_ = hi == grid.cell_count() ? local_count : grid.cell_begin(hi);
        auto slot_of_cell = [&](std::uint64_t c) -> std::size_t {
            return c >= grid.cell_count() ? local_count
                                          : grid.cell_begin(static_cast<std::uint32_t>(c));
        };
        for (int q = 0; q < size_; ++q) {
            auto& out = send_ranges_[static_cast<std::size_t>(q)];
            auto& in = receive_ranges_[static_cast<std::size_t>(q)];
            out = in = {0, 0};
            if (q == rank_ || cut_[q] == cut_[q + 1]) continue;
            // q's window of cells, intersected with what this rank owns: what it sends q.
            const std::uint64_t w_lo = cut_[q] >= halo_ ? cut_[q] - halo_ : 0;
            const std::uint64_t w_hi = std::uint64_t{cut_[q + 1]} + halo_;
            const std::uint64_t a = std::max<std::uint64_t>(w_lo, lo);
            const std::uint64_t b = std::min<std::uint64_t>(w_hi, hi);
            if (a < b) out = {slot_of_cell(a), slot_of_cell(b)};
            // q's cells in this rank's window: where what q sends lands.
            const std::uint64_t my_lo = lo >= halo_ ? lo - halo_ : 0;
            const std::uint64_t my_hi = std::uint64_t{hi} + halo_;
            const std::uint64_t c = std::max<std::uint64_t>(my_lo, cut_[q]);
            const std::uint64_t d = std::min<std::uint64_t>(my_hi, cut_[q + 1]);
            if (c < d) in = {slot_of_cell(c), slot_of_cell(d)};
        }
        stats_.owned = owned_end_ - owned_begin_;
        stats_.halo = local_count - stats_.owned;
        gather_counts(stats_.owned);  // the global slots of this step's owners
    }

    // Sends the owned values of `field` that other ranks hold as halo, and receives theirs.
    // `field` holds a value per local slot.
    template <class T>
    void share(T* field) {
        static_assert(std::is_trivially_copyable_v<T>);
        for (int q = 0; q < size_; ++q) {
            std::string& s = send_[static_cast<std::size_t>(q)];
            const auto [a, b] = send_ranges_[static_cast<std::size_t>(q)];
            s.assign(reinterpret_cast<const char*>(field + a), (b - a) * sizeof(T));
            const auto [c, d] = receive_ranges_[static_cast<std::size_t>(q)];
            receive_bytes_[static_cast<std::size_t>(q)] = (d - c) * sizeof(T);
        }
        comm_.exchange_known(send_, receive_, receive_bytes_);
        for (int q = 0; q < size_; ++q) {
            const std::string& s = receive_[static_cast<std::size_t>(q)];
            const auto [a, b] = receive_ranges_[static_cast<std::size_t>(q)];
            if (s.size() != (b - a) * sizeof(T)) {
                throw std::logic_error("Decomposition::share: rank " + std::to_string(q) +
                                       " sent " + std::to_string(s.size() / sizeof(T)) +
                                       " halo values where " + std::to_string(b - a) +
                                       " were expected");
            }
            if (b > a) std::memcpy(field + a, s.data(), s.size());
        }
    }

    // After the solver: the owned particles move to the front and the halo copies go.
    void keep_owned(FluidParticles<D>& fluid) {
        const std::size_t a = owned_begin_, b = owned_end_;
        auto keep = [&](auto& v) {
            if (v.size() < b) return;
            if (a > 0)
                std::copy(v.begin() + static_cast<std::ptrdiff_t>(a),
                          v.begin() + static_cast<std::ptrdiff_t>(b), v.begin());
            v.resize(b - a);
        };
        keep(fluid.position);
        keep(fluid.velocity);
        keep(fluid.acceleration);
        keep(fluid.density);
        keep(fluid.pressure);
        keep(fluid.id);
        for (std::vector<float>* w : fluid.warm.all())
            keep(*w);
        if (fluid.tracks_inflow) keep(fluid.inflow);
        owned_begin_ = 0;
        owned_end_ = b - a;
    }

    // The rank that owns the cell of x in this step: every rank answers the same. A boundary
    // sample's fluid neighbours are all held by the owner of its cell (they lie one cell away).
    int owner_at(const NeighbourGrid<D>& grid, const Vec<D>& x) const {
        return owner_of(grid.cell_of(x));
    }

    // values[k] is computed by rank owner[k] (owner_at): every rank ends with every value, with
    // the bits its owner computed.
    template <class T>
    void settle(std::span<T> values, std::span<const std::int32_t> owner) {
        static_assert(std::is_trivially_copyable_v<T>);
        partials_.clear();
        for (std::size_t k = 0; k < values.size(); ++k) {
            if (owner[k] == rank_) put(partials_, values[k]);
        }
        comm_.all_gather(partials_, gathered_);
        read_at_.assign(static_cast<std::size_t>(size_), nullptr);
        for (int q = 0; q < size_; ++q)
            read_at_[static_cast<std::size_t>(q)] = gathered_[static_cast<std::size_t>(q)].data();
        for (std::size_t k = 0; k < values.size(); ++k) {
            const std::size_t q = static_cast<std::size_t>(owner[k]);
            const std::string& from = gathered_[q];
            if (static_cast<std::size_t>(read_at_[q] - from.data()) + sizeof(T) > from.size())
                throw std::logic_error("Decomposition::settle: rank " + std::to_string(q) +
                                       " sent fewer values than it owns");
            values[k] = take<T>(read_at_[q]);
        }
    }

    // Every rank's `bytes`, in rank order.
    const std::vector<std::string>& all_gather(std::string_view bytes) {
        comm_.all_gather(bytes, gathered_);
        return gathered_;
    }

    // parallel_reduce over the owned slots [begin, end) (global slots from global_offset) with
    // the one-process chunks: chunk_fn(range, worker) must be the left fold with `combine` of
    // the single-particle partials from `identity`, as every reduction of the solvers is.
    template <class T, class ChunkFn, class Combine>
    T reduce(WorkerPool& pool, std::size_t begin, std::size_t end, T identity, ChunkFn&& chunk_fn,
             Combine&& combine) {
        static_assert(std::is_trivially_copyable_v<T>);
        const std::size_t g0 = offset_, g1 = offset_ + (end - begin);
        const Layout mine = layout(g0, g1);
        partials_.resize(mine.items() * sizeof(T));
        T* out = reinterpret_cast<T*>(partials_.data());
        auto single = [&](std::size_t g) {
            const std::size_t i = begin + (g - g0);
            return chunk_fn(WorkerPool::Range{i, i + 1, 0}, 0);
        };
        std::size_t k = 0;
        for (std::size_t g = g0; g < mine.head_end; ++g)
            out[k++] = single(g);
        pool.parallel_for(0, mine.full, 1, [&](const WorkerPool::Range& r, int worker) {
            for (std::size_t c = r.begin; c < r.end; ++c) {
                const std::size_t first = begin + (mine.head_end + c * kChunk - g0);
                out[k + c] = chunk_fn(WorkerPool::Range{first, first + kChunk, c}, worker);
            }
        });
        k += mine.full;
        for (std::size_t g = mine.tail_begin; g < g1; ++g)
            out[k++] = single(g);
        comm_.all_gather(partials_, gathered_);
        // Every rank folds every rank's items in global order; a chunk that a rank boundary
        // splits is folded from its single terms, as one process folds it within its loop.
        T result = identity;
        T open = identity;
        std::size_t open_chunk = ~std::size_t{0};
        auto flush = [&] {
            if (open_chunk != ~std::size_t{0}) result = combine(result, open);
            open_chunk = ~std::size_t{0};
        };
        std::size_t start = 0;
        for (int q = 0; q < size_; ++q) {
            const std::size_t count = counts_[static_cast<std::size_t>(q)];
            const Layout l = layout(start, start + count);
            const std::string& bytes = gathered_[static_cast<std::size_t>(q)];
            if (bytes.size() != l.items() * sizeof(T))
                throw std::logic_error("Decomposition::reduce: rank " + std::to_string(q) +
                                       " sent partials of another layout");
            auto item = [&](std::size_t j) {
                T v;
                std::memcpy(&v, bytes.data() + j * sizeof(T), sizeof(T));
                return v;
            };
            std::size_t j = 0;
            auto add_single = [&](std::size_t g) {
                if (open_chunk != g / kChunk) {
                    flush();
                    open_chunk = g / kChunk;
                    open = identity;
                }
                open = combine(open, item(j++));
            };
            for (std::size_t g = start; g < l.head_end; ++g)
                add_single(g);
            if (l.full > 0) flush();
            for (std::size_t c = 0; c < l.full; ++c)
                result = combine(result, item(j++));
            for (std::size_t g = l.tail_begin; g < start + count; ++g)
                add_single(g);
            start += count;
        }
        flush();
        return result;
    }

  private:
    // A rank's global slots [g0, g1): single terms in [g0, head_end), whole chunks from head_end
    // (`full` of them), single terms in [tail_begin, g1).
    struct Layout {
        std::size_t head_end = 0, full = 0, tail_begin = 0, g1 = 0, g0 = 0;
        std::size_t items() const { return (head_end - g0) + full + (g1 - tail_begin); }
    };
    static Layout layout(std::size_t g0, std::size_t g1) {
        Layout l;
        l.g0 = g0;
        l.g1 = g1;
        const std::size_t a = (g0 + kChunk - 1) / kChunk * kChunk;
        const std::size_t b = g1 / kChunk * kChunk;
        if (a >= b) {
            l.head_end = g1;
            l.full = 0;
            l.tail_begin = g1;
        } else {
            l.head_end = a;
            l.full = (b - a) / kChunk;
            l.tail_begin = b;
        }
        return l;
    }

    void configure(const NeighbourGrid<D>& grid) {
        cell_count_ = static_cast<std::uint32_t>(grid.cell_count());
        // The largest linear distance between a cell and a neighbouring one, twice.
        std::uint64_t reach = 1, stride = 1;
        for (int k = 0; k + 1 < D; ++k) {
            stride *= static_cast<std::uint64_t>(grid.dims()[k]);
            reach += stride;
        }
        halo_ = static_cast<std::uint32_t>(std::min<std::uint64_t>(2 * reach, cell_count_));
        if (cut_.size() != static_cast<std::size_t>(size_) + 1) {
            cut_.assign(static_cast<std::size_t>(size_) + 1, 0);
            cut_.back() = cell_count_;
        }
    }

    // The rank that owns cell c: the last r with cut_[r] <= c among the ranks that own cells.
    int owner_of(std::uint32_t c) const {
        const auto it = std::upper_bound(cut_.begin() + 1, cut_.end() - 1, c);
        return static_cast<int>(it - (cut_.begin() + 1));
    }
    // The ranks whose window [cut_r - halo, cut_{r+1} + halo) holds cell c: contiguous around
    // its owner.
    int first_holder(std::uint32_t c, int owner) const {
        int r = owner;
        while (r > 0 && std::uint64_t{c} < std::uint64_t{cut_[r]} + halo_)
            --r;
        return r;
    }
    int last_holder(std::uint32_t c, int owner) const {
        int r = owner;
        while (r + 1 < size_ && std::uint64_t{cut_[r + 1]} <= std::uint64_t{c} + halo_)
            ++r;
        return r;
    }

    void gather_counts(std::size_t n) {
        const auto mine = static_cast<std::uint64_t>(n);
        comm_.all_gather(std::string_view(reinterpret_cast<const char*>(&mine), sizeof mine),
                         gathered_);
        total_ = 0;
        offset_ = 0;
        for (int q = 0; q < size_; ++q) {
            std::uint64_t c = 0;
            std::memcpy(&c, gathered_[static_cast<std::size_t>(q)].data(), sizeof c);
            counts_[static_cast<std::size_t>(q)] = static_cast<std::size_t>(c);
            if (q < rank_) offset_ += static_cast<std::size_t>(c);
            total_ += static_cast<std::size_t>(c);
        }
    }

    bool needs_recut() const {
        std::size_t most = 0;
        for (std::size_t c : counts_)
            most = std::max(most, c);
        // most > 1.1 mean, in integers: 10 most size > 11 total.
        return 10 * most * static_cast<std::size_t>(size_) > 11 * total_;
    }

    // Every rank holds every particle: the cut from the histogram of all of them.
    void cut_evenly(const NeighbourGrid<D>& grid) {
        histogram_.assign(grid.cell_count(), 0);
        for (std::uint32_t c : cells_)
            ++histogram_[c];
        std::size_t seen = 0;
        int r = 1;
        for (std::uint32_t c = 0; c < cell_count_ && r < size_; ++c) {
            while (r < size_ &&
                   seen >= total_ * static_cast<std::size_t>(r) / static_cast<std::size_t>(size_)) {
                cut_[r++] = c;
            }
            seen += histogram_[c];
        }
        while (r < size_)
            cut_[r++] = cell_count_;
        ++stats_.recuts;
    }

    // The cells of the particles at the evenly spaced global slots k total / size, from the
    // ranks that hold them (the particles are in last step's cell order, near enough sorted).
    void recut(const NeighbourGrid<D>&) {
        std::string proposals;
        for (int k = 1; k < size_; ++k) {
            const std::size_t g =
                total_ * static_cast<std::size_t>(k) / static_cast<std::size_t>(size_);
            if (g < offset_ || g >= offset_ + cells_.size()) continue;
            const std::uint32_t entry[2] = {static_cast<std::uint32_t>(k), cells_[g - offset_]};
            proposals.append(reinterpret_cast<const char*>(entry), sizeof entry);
        }
        comm_.all_gather(proposals, gathered_);
        std::vector<std::uint32_t> next(cut_.size(), cell_count_);
        next[0] = 0;
        for (const std::string& s : gathered_) {
            for (std::size_t p = 0; p + 8 <= s.size(); p += 8) {
                std::uint32_t entry[2];
                std::memcpy(entry, s.data() + p, sizeof entry);
                next[entry[0]] = entry[1];
            }
        }
        for (int k = 1; k < size_; ++k)
            next[k] = std::max(next[k], next[k - 1]);
        cut_.swap(next);
        ++stats_.recuts;
    }

    static std::uint8_t warm_in_use(const FluidParticles<D>& fluid) {
        std::uint8_t flags = 0;
        int bit = 0;
        for (const std::vector<float>* w : fluid.warm.all()) {
            if (!w->empty() && w->size() == fluid.size())
                flags |= static_cast<std::uint8_t>(1 << bit);
            ++bit;
        }
        return flags;
    }

    template <class T>
    static void put(std::string& s, const T& v) {
        s.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    template <class T>
    static T take(const char*& p) {
        T v;
        std::memcpy(&v, p, sizeof v);
        p += sizeof v;
        return v;
    }

    static constexpr std::size_t kRecordBytes =
        2 * sizeof(Vec<D>) + sizeof(std::uint32_t) + 1;  // + a float per warm start in use

    void pack(std::string& s, const FluidParticles<D>& fluid, std::size_t i, std::uint8_t warm) {
        put(s, fluid.position[i]);
        put(s, fluid.velocity[i]);
        put(s, fluid.id[i]);
        put(s, fluid.tracks_inflow ? fluid.inflow[i] : std::uint8_t{0});
        int bit = 0;
        for (const std::vector<float>* w : fluid.warm.all()) {
            if (warm & (1 << bit)) put(s, (*w)[i]);
            ++bit;
        }
    }

    static std::size_t record_bytes(std::uint8_t warm) {
        std::size_t bytes = kRecordBytes;
        for (int bit = 0; bit < 8; ++bit)
            bytes += (warm >> bit) & 1 ? sizeof(float) : 0;
        return bytes;
    }

    void unpack(FluidParticles<D>& fluid) {
        std::size_t total = 0;
        std::uint8_t any_warm = 0;
        for (int q = 0; q < size_; ++q) {
            const std::string& s = receive_[static_cast<std::size_t>(q)];
            if (s.empty()) throw std::logic_error("Decomposition::migrate: an empty message");
            const auto warm = static_cast<std::uint8_t>(s[0]);
            any_warm |= warm;
            total += (s.size() - 1) / record_bytes(warm);
        }
        fluid.position.resize(total);
        fluid.velocity.resize(total);
        fluid.acceleration.resize(total);
        fluid.density.resize(total);
        fluid.pressure.resize(total);
        fluid.id.resize(total);
        if (fluid.tracks_inflow) fluid.inflow.resize(total);
        int bit = 0;
        for (std::vector<float>* w : fluid.warm.all()) {
            if (any_warm & (1 << bit)) {
                w->resize(total);
            } else {
                w->clear();
            }
            ++bit;
        }
        std::size_t i = 0;
        for (int q = 0; q < size_; ++q) {
            const std::string& s = receive_[static_cast<std::size_t>(q)];
            const auto warm = static_cast<std::uint8_t>(s[0]);
            const char* p = s.data() + 1;
            const char* end = s.data() + s.size();
            while (p < end) {
                fluid.position[i] = take<Vec<D>>(p);
                fluid.velocity[i] = take<Vec<D>>(p);
                fluid.id[i] = take<std::uint32_t>(p);
                const auto inflow = take<std::uint8_t>(p);
                if (fluid.tracks_inflow) fluid.inflow[i] = inflow;
                int b = 0;
                for (std::vector<float>* w : fluid.warm.all()) {
                    if (warm & (1 << b)) {
                        (*w)[i] = take<float>(p);
                    } else if (any_warm & (1 << b)) {
                        (*w)[i] = 0.0f;
                    }
                    ++b;
                }
                ++i;
            }
        }
    }

    Communicator& comm_;
    int rank_ = 0, size_ = 1;
    bool replicated_ = true;
    std::uint32_t cell_count_ = 0;
    std::uint32_t halo_ = 0;              // cells each side of the owned range
    std::vector<std::uint32_t> cut_;      // rank r owns cells [cut_[r], cut_[r + 1])
    std::vector<std::size_t> counts_;     // owned particles per rank
    std::size_t offset_ = 0, total_ = 0;  // this rank's first global slot; the global count
    std::size_t owned_begin_ = 0, owned_end_ = 0;
    std::vector<std::pair<std::size_t, std::size_t>> send_ranges_, receive_ranges_;
    std::vector<std::uint32_t> cells_;  // per particle at migrate
    std::vector<std::uint32_t> histogram_;
    std::vector<std::string> send_, receive_, gathered_;
    std::vector<std::size_t> receive_bytes_;
    std::string partials_;
    std::vector<const char*> read_at_;  // settle's cursor in each rank's values
    DecompositionStats stats_;
};

}  // namespace flume
