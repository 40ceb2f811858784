// The neighbour grid against brute force, on random particles inside and far outside the grid.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include "core/math/simd.hpp"
#include "core/neighbours/grid.hpp"
#include "core/neighbours/lists.hpp"
#include "core/worker_pool.hpp"

namespace flume {
namespace {

template <class T>
class NeighbourGridTest : public ::testing::Test {};

template <int D>
struct Dim {
    static constexpr int value = D;
};
using Dims = ::testing::Types<Dim<2>, Dim<3>>;
TYPED_TEST_SUITE(NeighbourGridTest, Dims);

template <int D>
std::vector<Vec<D>> random_positions(std::size_t n, std::mt19937& rng) {
    std::uniform_real_distribution<float> inside(-0.05f, 1.05f);
    std::uniform_real_distribution<float> far(-1.0e6f, 1.0e6f);
    std::vector<Vec<D>> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (int k = 0; k < D; ++k)
            x[i][k] = inside(rng);
        if (i % 97 == 0) x[i][0] = far(rng);              // far outside
        if (i % 101 == 0) x[i][D - 1] = -3.0f - x[i][0];  // just outside, below
        if (i % 211 == 0) x[i][1] = std::numeric_limits<float>::infinity();
        if (i % 307 == 0) x[i][0] = std::numeric_limits<float>::quiet_NaN();
    }
    // Clusters outside the grid, so that clamped particles really meet each other.
    for (std::size_t i = 0; i + 1 < n; i += 53) {
        for (int k = 0; k < D; ++k)
            x[i][k] = 7.0f + 0.01f * static_cast<float>(k);
        x[i + 1] = x[i] + Vec<D>(0.02f);
    }
    return x;
}

TYPED_TEST(NeighbourGridTest, FindsTheSameNeighboursAsBruteForce) {
    constexpr int D = TypeParam::value;
    std::mt19937 rng(42);
    for (int threads : {1, 3}) {
        WorkerPool pool(threads);
        for (float radius : {0.05f, 0.13f}) {
            const std::size_t n = D == 2 ? 3000 : 4000;
            const std::vector<Vec<D>> x = random_positions<D>(n, rng);

            NeighbourGrid<D> grid;
            grid.configure(Vec<D>(0.0f), Vec<D>(1.0f), radius);
            grid.sort(x, pool);
            const auto& order = grid.order();
            ASSERT_EQ(order.size(), n);
            std::vector<Vec<D>> sorted(n);
            for (std::size_t k = 0; k < n; ++k)
                sorted[k] = x[order[k]];
            // order() is a permutation.
            std::vector<std::uint32_t> check(order.begin(), order.end());
            std::sort(check.begin(), check.end());
            for (std::size_t k = 0; k < n; ++k)
                ASSERT_EQ(check[k], k);

            for (std::size_t k = 0; k < n; ++k) {
                std::vector<std::uint32_t> from_grid;
                grid.for_each_neighbour(
                    sorted[k], sorted.data(), radius,
                    [&](std::uint32_t j, const Vec<D>&, float) { from_grid.push_back(order[j]); });
                std::sort(from_grid.begin(), from_grid.end());
                std::vector<std::uint32_t> brute;
                for (std::size_t j = 0; j < n; ++j) {
                    const Vec<D> d = sorted[k] - x[j];
                    if (length_squared<D>(d) < radius * radius)
                        brute.push_back(static_cast<std::uint32_t>(j));
                }
                ASSERT_EQ(from_grid, brute) << "particle " << order[k] << " radius " << radius;
            }
        }
    }
}

// Sorts `x` into `grid`'s cell order, as the simulation keeps its particles.
template <int D>
std::vector<Vec<D>> sorted_into(NeighbourGrid<D>& grid, const std::vector<Vec<D>>& x,
                                WorkerPool& pool) {
    grid.sort(x, pool);
    std::vector<Vec<D>> sorted(x.size());
    for (std::size_t k = 0; k < x.size(); ++k)
        sorted[k] = x[grid.order()[k]];
    return sorted;
}

// Fluid lists are j - i in 16 bits unless the candidates of a cell span 2^15 slots or more: here
// 40,000 particles lie in the slots between the rows around a small cluster (the row's other
// cells in 2D, the layer of cells in 3D), so the cluster's lists are wide, and the filler's own
// narrow. Both must give the grid's neighbours in its order.
TYPED_TEST(NeighbourGridTest, ListsStayExactWhenNeighbourSlotsAreFarApart) {
    constexpr int D = TypeParam::value;
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    const float radius = 0.01f;
    Vec<D> upper(1.0f);
    if constexpr (D == 2) upper[0] = 100.0f;  // a long row of cells
    Vec<D> centre = 0.5f * upper;
    centre[D - 1] = 0.505f;  // the middle of a row (2D) or layer (3D) of cells
    std::vector<Vec<D>> x;
    for (int k = 0; k < 40000; ++k) {  // the filler, ~4 per cell of that row or layer
        Vec<D> p;
        for (int a = 0; a < D - 1; ++a)
            p[a] = upper[a] * unit(rng);
        p[D - 1] = 0.5f + 0.01f * unit(rng);
        x.push_back(p);
    }
    for (int k = 0; k < 60; ++k) {  // the cluster, over three rows or layers
        Vec<D> p;
        for (int a = 0; a < D; ++a)
            p[a] = centre[a] + 0.03f * (unit(rng) - 0.5f);
        x.push_back(p);
    }
    WorkerPool pool(2);
    NeighbourGrid<D> grid, no_boundary;
    grid.configure(Vec<D>(0.0f), upper, radius);
    no_boundary.configure(Vec<D>(0.0f), upper, radius);
    x = sorted_into(grid, x, pool);
    no_boundary.sort(std::vector<Vec<D>>{}, pool);
    NeighbourLists<D> lists;
    lists.build(grid, x, no_boundary, {}, radius, 64, pool);
    ASSERT_TRUE(lists.covers(x.data(), radius));
    std::size_t entries = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        std::vector<std::uint32_t> from_grid, from_lists, from_spans;
        grid.for_each_neighbour(x[i], x.data(), radius, [&](std::uint32_t j, const Vec<D>&, float) {
            from_grid.push_back(j);
        });
        lists.for_each_fluid_neighbour(
            i, x.data(), [&](std::uint32_t j, const Vec<D>&, float) { from_lists.push_back(j); });
        lists.with_fluid_neighbour_slots(i, [&](const auto& js) {
            for (std::size_t k = 0; k < js.size(); ++k)
                from_spans.push_back(js[k]);
        });
        ASSERT_EQ(from_lists, from_grid) << "particle " << i;
        ASSERT_EQ(from_spans, from_grid) << "particle " << i;
        entries += from_grid.size();
    }
    EXPECT_EQ(lists.entry_count(), entries);
}

// A particle with more fluid neighbours than a list counts (2^14) leaves the step without lists:
// covers() is false and the loops scan the grid.
TYPED_TEST(NeighbourGridTest, ListsStepAsideForAHugeNeighbourhood) {
    constexpr int D = TypeParam::value;
    std::mt19937 rng(13);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    const float radius = 0.01f;
    std::vector<Vec<D>> x(33000);
    for (Vec<D>& p : x)
        for (int a = 0; a < D; ++a)
            p[a] = 0.5f + 0.004f * unit(rng);  // all within the radius of each other
    WorkerPool pool(2);
    NeighbourGrid<D> grid, no_boundary;
    grid.configure(Vec<D>(0.0f), Vec<D>(1.0f), radius);
    no_boundary.configure(Vec<D>(0.0f), Vec<D>(1.0f), radius);
    x = sorted_into(grid, x, pool);
    no_boundary.sort(std::vector<Vec<D>>{}, pool);
    NeighbourLists<D> lists;
    lists.build(grid, x, no_boundary, {}, radius, 256, pool);
    EXPECT_FALSE(lists.covers(x.data(), radius));
    // Fewer neighbours: the same lists object covers them again.
    x.resize(1000);
    x = sorted_into(grid, x, pool);
    lists.build(grid, x, no_boundary, {}, radius, 256, pool);
    ASSERT_TRUE(lists.covers(x.data(), radius));
    EXPECT_EQ(lists.entry_count(), x.size() * x.size());
}

// The lists hold exactly what the grid visits, in its order, for fluid and boundary neighbours:
// through the 4-wide test and its masked tail (row ranges of every length, arrays of fewer than
// four), with chunk sizes that cut the particles unevenly, for 1 and 3 threads, with the cached
// candidates tested in four lanes and (where the processor has AVX2) in eight.
TYPED_TEST(NeighbourGridTest, ListsHoldTheGridsNeighboursInItsOrder) {
    constexpr int D = TypeParam::value;
    std::mt19937 rng(7);
    const bool eight_lanes = simd_eight_lanes();
    struct Restore {
        bool on;
        ~Restore() { set_simd_eight_lanes(on); }
    } restore{eight_lanes};
    for (const bool eight : {false, true}) {
        SCOPED_TRACE(set_simd_eight_lanes(eight) ? "eight lanes" : "four lanes");
        for (std::size_t boundary_count : {std::size_t{0}, std::size_t{3}, std::size_t{900}}) {
            for (int threads : {1, 3}) {
                WorkerPool pool(threads);
                const float radius = 0.09f;
                auto sorted_by = [&](NeighbourGrid<D>& grid, std::vector<Vec<D>> x) {
                    grid.configure(Vec<D>(0.0f), Vec<D>(1.0f), radius);
                    grid.sort(x, pool);
                    std::vector<Vec<D>> sorted(x.size());
                    for (std::size_t k = 0; k < x.size(); ++k)
                        sorted[k] = x[grid.order()[k]];
                    return sorted;
                };
                NeighbourGrid<D> fluid_grid, boundary_grid;
                const std::vector<Vec<D>> x = sorted_by(fluid_grid, random_positions<D>(2000, rng));
                const std::vector<Vec<D>> xb =
                    sorted_by(boundary_grid, random_positions<D>(boundary_count, rng));
                for (std::size_t grain : {std::size_t{1}, std::size_t{64}, std::size_t{333}}) {
                    NeighbourLists<D> lists;
                    lists.build(fluid_grid, x, boundary_grid, xb, radius, grain, pool);
                    ASSERT_TRUE(lists.covers(x.data(), radius));
                    EXPECT_FALSE(lists.covers(x.data(), 0.5f * radius));
                    std::size_t entries = 0;
                    for (std::size_t i = 0; i < x.size(); ++i) {
                        using Hit = std::pair<std::uint32_t, float>;
                        std::vector<Hit> from_grid, from_lists;
                        auto into = [](std::vector<Hit>& out) {
                            return [&out](std::uint32_t j, const Vec<D>& d, float r) {
                                out.emplace_back(j, r + d[0]);
                            };
                        };
                        fluid_grid.for_each_neighbour(x[i], x.data(), radius, into(from_grid));
                        boundary_grid.for_each_neighbour(x[i], xb.data(), radius, into(from_grid));
                        lists.for_each_fluid_neighbour(i, x.data(), into(from_lists));
                        lists.for_each_boundary_neighbour(i, x.data(), xb.data(), into(from_lists));
                        ASSERT_EQ(from_lists, from_grid) << "particle " << i << ", grain " << grain;
                        entries += from_grid.size();
                    }
                    EXPECT_EQ(lists.entry_count(), entries);
                    EXPECT_GE(lists.memory_bytes(), entries * sizeof(std::uint16_t));
                    lists.invalidate();
                    EXPECT_FALSE(lists.covers(x.data(), radius));
                }
            }
        }
    }
}

TYPED_TEST(NeighbourGridTest, ClampsAnyPositionIntoTheGrid) {
    constexpr int D = TypeParam::value;
    NeighbourGrid<D> grid;
    grid.configure(Vec<D>(-1.0f), Vec<D>(2.0f), 0.25f);
    EXPECT_EQ(grid.dims()[0], 12);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    for (float v : {nan, inf, -inf, 1.0e30f, -1.0e30f, -1.0f, 1.999f, 2.0f}) {
        const auto c = grid.cell_coords(Vec<D>(v));
        for (int k = 0; k < D; ++k) {
            EXPECT_GE(c[k], 0) << v;
            EXPECT_LT(c[k], grid.dims()[k]) << v;
        }
        EXPECT_LT(grid.cell_of(Vec<D>(v)), grid.cell_count());
    }
}

TYPED_TEST(NeighbourGridTest, RefusesAbsurdGrids) {
    constexpr int D = TypeParam::value;
    NeighbourGrid<D> grid;
    EXPECT_THROW(grid.configure(Vec<D>(0.0f), Vec<D>(1.0f), 0.0f), std::invalid_argument);
    EXPECT_THROW(grid.configure(Vec<D>(0.0f), Vec<D>(1.0f), -1.0f), std::invalid_argument);
    EXPECT_THROW(grid.configure(Vec<D>(0.0f), Vec<D>(1.0e6f), 1.0e-4f), std::invalid_argument);
    EXPECT_THROW(grid.configure(Vec<D>(1.0f), Vec<D>(0.0f), 0.1f), std::invalid_argument);
}

}  // namespace
}  // namespace flume
