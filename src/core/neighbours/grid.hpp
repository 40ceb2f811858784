// Uniform neighbour grid with cell edge = kernel support, rebuilt by a counting sort.
//
//   grid.configure(domain_lower, domain_upper, support);
//   grid.sort(positions, pool);          // order(): sorted slot -> index in `positions`
//   ...permute the particle arrays by order()...
//   grid.for_each_neighbour(x_i, positions, support, [&](std::uint32_t j, Vec xij, float r) {...});
//
// Cells are numbered x fastest, so the three cells of a row are contiguous in sorted order and a
// query visits 3^(D-1) index ranges. A position anywhere, also far outside the grid, NaN or
// infinite, is clamped into the border cells: the grid never indexes out of bounds, and since
// clamping never moves two cells further apart, neighbour sets stay exact (only slower when many
// particles pile up in a border cell).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/math/vec.hpp"
#include "core/worker_pool.hpp"

namespace flume {

template <int D>
class NeighbourGrid {
  public:
    // Largest number of cells accepted by configure(): guards against absurd parameters.
    static constexpr std::size_t kMaxCells = std::size_t{1} << 27;

    // Covers the box [lower, upper] with cells of edge `cell_size`. Throws std::invalid_argument
    // if the cell size is not positive or the grid would exceed kMaxCells.
    void configure(const Vec<D>& lower, const Vec<D>& upper, float cell_size);

    // Inline: every neighbour query starts here.
    IVec<D> cell_coords(const Vec<D>& x) const {
        IVec<D> c;
        for (int k = 0; k < D; ++k) {
            const float f = (x[k] - lower_[k]) * inv_cell_size_;
            // Written so that NaN lands in cell 0 and huge values never reach the int conversion.
            const float top = static_cast<float>(dims_[k] - 1);
            c[k] = f >= 0.0f ? (f < top ? static_cast<std::int32_t>(f) : dims_[k] - 1) : 0;
        }
        return c;
    }
    std::uint32_t cell_index(const IVec<D>& c) const {
        std::uint32_t index = static_cast<std::uint32_t>(c[D - 1]);
        for (int k = D - 2; k >= 0; --k)
            index = index * static_cast<std::uint32_t>(dims_[k]) + static_cast<std::uint32_t>(c[k]);
        return index;
    }
    std::uint32_t cell_of(const Vec<D>& x) const { return cell_index(cell_coords(x)); }

    // Counting sort of `positions` by cell (stable: equal cells keep their index order). Its two
    // per-particle arrays (each particle's cell, then order()) live in `work` when it holds 2n
    // entries (the simulation lends the neighbour lists' array, idle at that point of a step),
    // else in the grid's own array. They stay valid until the next sort or until `work` is
    // reused.
    void sort(std::span<const Vec<D>> positions, WorkerPool& pool,
              std::span<std::uint32_t> work = {});

    // Room in the grid's own sort array for `particles` (a count that grows with emitters).
    void reserve(std::size_t particles) { own_.reserve(2 * particles); }

    // Frees the per-particle sort buffers, keeping the cell ranges: for a grid over particles
    // that never move (boundary particles), once they are stored in cell order.
    void release_sort_buffers() {
        std::vector<std::uint32_t>().swap(own_);
        cells_ = {};
        order_ = {};
    }

    // The per-particle cell numbers of the last sort, which nothing reads after it: n entries of
    // scratch for the caller until the next sort.
    std::span<std::uint32_t> scratch() { return cells_; }

    // order()[k] = index in the sorted positions of the particle that goes to slot k.
    std::span<const std::uint32_t> order() const { return order_; }
    std::size_t cell_count() const { return cell_count_; }
    // The sorted slots of cell c are [cell_begin(c), cell_end(c)).
    std::uint32_t cell_begin(std::uint32_t c) const { return cell_start_[c]; }
    std::uint32_t cell_end(std::uint32_t c) const { return cell_start_[c + 1]; }
    const IVec<D>& dims() const { return dims_; }
    float cell_size() const { return cell_size_; }
    std::size_t memory_bytes() const {
        return (own_.capacity() + cell_start_.capacity()) * sizeof(std::uint32_t);
    }
    const Vec<D>& lower() const { return lower_; }

    // Calls f(begin, end) for each range of sorted slots that may hold neighbours of x. Always
    // inlined: clang left it out of line in wasm, a call per cell of the neighbour lists' build.
    template <class F>
    [[gnu::always_inline]] void for_each_candidate_range(const Vec<D>& x, F&& f) const {
        const IVec<D> c = cell_coords(x);
        const std::int32_t x_lo = c[0] > 0 ? c[0] - 1 : 0;
        const std::int32_t x_hi = c[0] + 1 < dims_[0] ? c[0] + 1 : dims_[0] - 1;
        if constexpr (D == 2) {
            const std::int32_t y_lo = c[1] > 0 ? c[1] - 1 : 0;
            const std::int32_t y_hi = c[1] + 1 < dims_[1] ? c[1] + 1 : dims_[1] - 1;
            for (std::int32_t y = y_lo; y <= y_hi; ++y) {
                const std::uint32_t row = static_cast<std::uint32_t>(y * dims_[0]);
                f(cell_start_[row + x_lo], cell_start_[row + x_hi + 1]);
            }
        } else {
            const std::int32_t y_lo = c[1] > 0 ? c[1] - 1 : 0;
            const std::int32_t y_hi = c[1] + 1 < dims_[1] ? c[1] + 1 : dims_[1] - 1;
            const std::int32_t z_lo = c[2] > 0 ? c[2] - 1 : 0;
            const std::int32_t z_hi = c[2] + 1 < dims_[2] ? c[2] + 1 : dims_[2] - 1;
            for (std::int32_t z = z_lo; z <= z_hi; ++z) {
                for (std::int32_t y = y_lo; y <= y_hi; ++y) {
                    const std::uint32_t row =
                        static_cast<std::uint32_t>((z * dims_[1] + y) * dims_[0]);
                    f(cell_start_[row + x_lo], cell_start_[row + x_hi + 1]);
                }
            }
        }
    }

    // Calls f(j, x_i - x_j, |x_i - x_j|) for every sorted slot j with |x_i - x_j| < radius,
    // x_i itself included when it is one of `positions`. `positions` must be in sorted order.
    template <class F>
    void for_each_neighbour(const Vec<D>& xi, const Vec<D>* positions, float radius, F&& f) const {
        const float radius2 = radius * radius;
        for_each_candidate_range(xi, [&](std::uint32_t begin, std::uint32_t end) {
            for (std::uint32_t j = begin; j < end; ++j) {
                const Vec<D> xij = xi - positions[j];
                const float r2 = length_squared<D>(xij);
                if (r2 < radius2) f(j, xij, std::sqrt(r2));
            }
        });
    }

  private:
    Vec<D> lower_{0.0f};
    float cell_size_ = 1.0f;
    float inv_cell_size_ = 1.0f;
    IVec<D> dims_{1};
    std::size_t cell_count_ = 1;

    std::vector<std::uint32_t> cell_start_;  // cell_count_ + 1 prefix sums
    std::vector<std::uint32_t> own_;         // cells_ and order_ when no work array is lent
    std::span<std::uint32_t> cells_;         // cell of each unsorted particle
    std::span<std::uint32_t> order_;
};

extern template class NeighbourGrid<2>;
extern template class NeighbourGrid<3>;

}  // namespace flume
