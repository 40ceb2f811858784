#include "core/neighbours/grid.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace flume {

template <int D>
void NeighbourGrid<D>::configure(const Vec<D>& lower, const Vec<D>& upper, float cell_size) {
    if (!(cell_size > 0.0f) || !std::isfinite(cell_size)) {
        throw std::invalid_argument("neighbour grid: cell size must be a positive number, got " +
                                    std::to_string(cell_size));
    }
    std::size_t cells = 1;
    IVec<D> dims;
    for (int k = 0; k < D; ++k) {
        const double extent = static_cast<double>(upper[k]) - static_cast<double>(lower[k]);
        if (!(extent > 0.0) || !std::isfinite(extent)) {
            throw std::invalid_argument("neighbour grid: the domain must have a positive extent");
        }
        const double n = std::max(1.0, std::ceil(extent / cell_size));
        if (n > static_cast<double>(kMaxCells)) {
            throw std::invalid_argument(
                "neighbour grid: too many cells (domain / support too large)");
        }
        dims[k] = static_cast<std::int32_t>(n);
        cells *= static_cast<std::size_t>(n);
        if (cells > kMaxCells) {
            throw std::invalid_argument("neighbour grid: " + std::to_string(cells) +
                                        "+ cells exceed the limit of " + std::to_string(kMaxCells) +
                                        " (domain too large for the particle size)");
        }
    }
    lower_ = lower;
    cell_size_ = cell_size;
    inv_cell_size_ = 1.0f / cell_size;
    dims_ = dims;
    cell_count_ = cells;
    cell_start_.assign(cell_count_ + 1, 0);
}

template <int D>
void NeighbourGrid<D>::sort(std::span<const Vec<D>> positions, WorkerPool& pool,
                            std::span<std::uint32_t> work) {
    const std::size_t n = positions.size();
    if (work.size() >= 2 * n) {
        std::vector<std::uint32_t>().swap(own_);
    } else {
        own_.resize(2 * n);
        work = own_;
    }
    cells_ = work.first(n);
    order_ = work.subspan(n, n);
    pool.parallel_for(0, n, 4096, [&](const WorkerPool::Range& r, int) {
        for (std::size_t i = r.begin; i < r.end; ++i)
            cells_[i] = cell_of(positions[i]);
    });

    // Counting sort in place in cell_start_: histogram, inclusive prefix sum (the end of each
    // cell), then a scatter from the last particle to the first, which moves each cell's end
    // back to its start and keeps equal cells in index order. The steps over the cells, which
    // outnumber the particles where the fluid fills a small part of the domain (2.6 to 1 in the
    // 3D dam break), run in parallel; those over the particles stay in index order.
    pool.parallel_for(0, cell_start_.size(), 16384, [&](const WorkerPool::Range& r, int) {
        std::fill(cell_start_.begin() + static_cast<std::ptrdiff_t>(r.begin),
                  cell_start_.begin() + static_cast<std::ptrdiff_t>(r.end), 0u);
    });
    for (std::size_t i = 0; i < n; ++i)
        ++cell_start_[cells_[i]];
    pool.inclusive_scan(cell_start_.data(), cell_count_, 16384);
    cell_start_[cell_count_] = static_cast<std::uint32_t>(n);
    for (std::size_t i = n; i-- > 0;)
        order_[--cell_start_[cells_[i]]] = static_cast<std::uint32_t>(i);
}

template class NeighbourGrid<2>;
template class NeighbourGrid<3>;

}  // namespace flume
