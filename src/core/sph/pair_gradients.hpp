// The kernel gradients of a step's fluid pairs, kept for every pass of an iterative solve whose
// positions stay put (DFSPH's divergence and density solves): each pass runs two neighbour loops,
// and without this each of them takes x_i - x_j, its length (a square root), the kernel's
// derivative (a division) and the gathers of x_j again for every pair. SPlisHSPlasH precomputes
// the same per step for its DFSPH ("precomputeValues"). The density loop, which takes them all
// once anyway, writes them:
//
//   gradients.prepare(ctx, support);           // after the neighbour lists, positions fixed
//   compute_density_and_diagonal(ctx, kernel, ..., &gradients);  // writes them (pair_sums.hpp)
//   sum_over_fluid_gradients4<N>(ctx, i, gradients, [&](j, grad) {...});
//
// Per particle the pairs are kept in the groups of four of sum_over_fluid_neighbours4, lane k of
// group g holding neighbour 4 g + k in grid order, as D vectors: component k of x_ij times the
// kernel's gradient factor, the very product that the loops compute, so a sum over the stored
// gradients is bit-identical to the same sum computed pair by pair. The last group is padded
// with i itself (and masked in the sum) as there. Only where the step's neighbour lists cover
// the positions (they give each particle's count up front); elsewhere the loops compute as
// before.
//
// The boundary pairs are kept too: each sample and grad W_ib (few: 0.6 a particle in the 3D dam
// break), from which the passes take their sums.
//
// Storage: D x 16 bytes per group, 6.8 groups per particle in the 3D dam break at rest and up to
// 8.1 as the flow disorders the lattice. Sized once, at the first step, for a quarter more groups
// per particle than then (at least 7 in 3D, 3 in 2D) and twice its boundary pairs, for twice the
// fluid then (at most the scene's capacity, and kPairGradientsMostBytes). Where a step's pairs
// outgrow that, the particles in grid order whose pairs fit keep theirs and the others compute
// theirs pair by pair, with the same result; nothing is allocated. Without room for them at all
// (a browser's heap) every step computes them all.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <new>
#include <vector>

#include "core/sph/context.hpp"

namespace flume {

// The most the pairs take: 256 MB in a browser, whose whole heap is 2 GB; natively 4 GB, so that
// a run of a million particles keeps all its pairs as one of 100k does.
#if defined(__EMSCRIPTEN__)
inline constexpr std::size_t kPairGradientsMostBytes = std::size_t{256} << 20;
#else
inline constexpr std::size_t kPairGradientsMostBytes = std::size_t{4} << 30;
#endif

template <int D>
class PairGradients {
  public:
    struct WallPair {
        std::uint32_t sample;
        Vec<D> gradient;
    };

    // Lays out the pairs of the step's lists at the fluid's positions for the density loop to
    // write (writer(i)), or none (covers() false) when the lists do not cover them: each
    // particle's place, and which particles' pairs fit (holds(i)).
    void prepare(SphContext<D>& ctx, float support) {
        const Vec<D>* x = ctx.fluid.position.data();
        positions_ = nullptr;
        held_ = 0;
        if (!ctx.lists || !ctx.lists->covers(x, support)) return;
        const std::size_t n = ctx.fluid.size();
        const bool first = !sized_;
        if (first) {
            sized_ = true;
            try {
                allocate_per_particle(ctx.fluid.capacity, n);
            } catch (const std::bad_alloc&) {
                release();  // no room: the loops compute pair by pair
            }
        }
        if (n + 1 > first_group_.size()) return;
        // Each particle's groups and boundary pairs after its place, then their running sums.
        first_group_[0] = 0;
        first_wall_[0] = 0;
        ctx.pool.parallel_for(0, n, kParticleGrain, [&](const WorkerPool::Range& r, int) {
            for (std::size_t i = r.begin; i < r.end; ++i) {
                ctx.lists->with_fluid_neighbour_slots(i, [&](const auto& js) {
                    first_group_[i + 1] = static_cast<std::uint32_t>((js.size() + 3) / 4);
                });
                first_wall_[i + 1] = ctx.lists->boundary_count(i);
            }
        });
        ctx.pool.inclusive_scan(first_group_.data() + 1, n, kScanGrain);
        ctx.pool.inclusive_scan(first_wall_.data() + 1, n, kScanGrain);
        const std::size_t groups = first_group_[n], walls = first_wall_[n];
        if (first) {
            try {
                allocate_pairs(first_group_.size() - 1, n, groups, walls);
            } catch (const std::bad_alloc&) {
                release();
                return;
            }
        }
        // The particles, in grid order, whose pairs fit.
        held_ = n;
        while (held_ > 0 && (std::size_t{first_group_[held_]} * D > components_.size() ||
                             first_wall_[held_] > wall_pairs_.size()))
            --held_;
        positions_ = x;
    }

    // Where the density loop writes particle i's pairs, in its loops' order: the groups' D
    // components, then the boundary pairs; nullptrs when they are not kept.
    struct Writer {
        F4* groups = nullptr;
        WallPair* walls = nullptr;
    };
    Writer writer(std::size_t i) {
        if (!holds(i)) return {};
        return {components_.data() + std::size_t{first_group_[i]} * D,
                wall_pairs_.data() + first_wall_[i]};
    }

    // True when the gradients are those of the positions `x` (the step's, before they move).
    bool covers(const Vec<D>* x) const { return positions_ != nullptr && positions_ == x; }

    // Forgets the gradients (the positions move at the end of the step).
    void invalidate() { positions_ = nullptr; }

    // True when particle i's pairs are kept (covers() true, and they fitted).
    bool holds(std::size_t i) const { return positions_ != nullptr && i < held_; }

    // The D components of particle i's group g, four lanes each.
    const F4* group(std::size_t i, std::size_t g) const {
        return components_.data() + (first_group_[i] + g) * D;
    }

    // Particle i's boundary neighbours: f(b, grad W_ib) in the lists' order.
    template <class F>
    void for_each_wall(std::size_t i, F&& f) const {
        for (std::uint32_t k = first_wall_[i]; k < first_wall_[i + 1]; ++k)
            f(wall_pairs_[k].sample, wall_pairs_[k].gradient);
    }

    std::size_t memory_bytes() const {
        return components_.capacity() * sizeof(F4) +
               (first_group_.capacity() + first_wall_.capacity()) * sizeof(std::uint32_t) +
               wall_pairs_.capacity() * sizeof(WallPair);
    }

  private:
    // The particle room: twice the fluid of the first fill, at most the scene's capacity.
    void allocate_per_particle(std::size_t capacity, std::size_t n) {
        const std::size_t particles = std::min(capacity, std::max<std::size_t>(2 * n, 4096));
        first_group_.resize(particles + 1);
        first_wall_.resize(particles + 1);
    }

    // The pairs' room, from the first fill's: a quarter more groups per particle than then (the
    // neighbourhoods fill up by 18% as the flow disorders the rest lattice of the 3D dam break),
    // at least 7 (3D; 3 in 2D) per particle, and twice its boundary pairs.
    void allocate_pairs(std::size_t particles, std::size_t n, std::size_t groups,
                        std::size_t walls) {
        constexpr double kLeastGroups = D == 3 ? 7.0 : 3.0;
        const double per_particle = std::max(
            n > 0 ? static_cast<double>(groups) / static_cast<double>(n) : 0.0, kLeastGroups);
        const double room = 1.25 * per_particle * static_cast<double>(particles) + 64.0;
        components_.resize(D * std::min(static_cast<std::size_t>(room),
                                        kPairGradientsMostBytes / (D * sizeof(F4))));
        wall_pairs_.resize(2 * walls + n / 4 + 64);
    }

    void release() {
        components_ = {};
        first_group_ = {};
        first_wall_ = {};
        wall_pairs_ = {};
    }

    std::vector<F4> components_;              // D per group, groups in particle order
    std::vector<std::uint32_t> first_group_;  // per particle, and the total at the end
    std::vector<std::uint32_t> first_wall_;   // the same for the boundary pairs
    std::vector<WallPair> wall_pairs_;        // sized at the first fill: twice its pairs
    bool sized_ = false;                      // the first fill sized the arrays (or had no room)
    const Vec<D>* positions_ = nullptr;
    std::size_t held_ = 0;  // the particles 0 .. held_ - 1 have their pairs kept
};

// sum_over_fluid_neighbours4 over the stored gradients: f(j, grad) returns the N terms of the
// four pairs j[0..3] from their gradients grad[k] = (x_i - x_j)[k] * the gradient factor, lanes
// and order as there, the padded lanes of the last group left out the same way.
template <std::size_t N, int D, class F>
std::array<float, N> sum_over_fluid_gradients4(const SphContext<D>& ctx, std::size_t i,
                                               const PairGradients<D>& gradients, F&& f) {
    std::array<F4, N> lanes{};
    ctx.lists->with_fluid_neighbour_slots(i, [&](const auto& js) {
        const std::size_t count = js.size();
        const F4* grad = gradients.group(i, 0);
        std::size_t g = 0;
        for (; g + 4 <= count; g += 4, grad += D) {
            const std::uint32_t j[4] = {js[g], js[g + 1], js[g + 2], js[g + 3]};
            std::array<F4, D> gij;
            for (int k = 0; k < D; ++k)
                gij[k] = grad[k];
            const std::array<F4, N> terms = f(j, gij);
            for (std::size_t n = 0; n < N; ++n)
                lanes[n] = lanes[n] + terms[n];
        }
        if (g < count) {
            const std::size_t live_count = count - g;
            std::uint32_t j[4];
            for (std::size_t l = 0; l < 4; ++l)
                j[l] = l < live_count ? js[g + l] : static_cast<std::uint32_t>(i);
            std::array<F4, D> gij;
            for (int k = 0; k < D; ++k)
                gij[k] = grad[k];
            const std::array<F4, N> terms = f(j, gij);
            const F4 live = F4(0.0f, 1.0f, 2.0f, 3.0f) < F4(static_cast<float>(live_count));
            for (std::size_t n = 0; n < N; ++n)
                lanes[n] = lanes[n] + select(live, terms[n], F4());
        }
    });
    std::array<float, N> out;
    for (std::size_t n = 0; n < N; ++n)
        out[n] = sum(lanes[n]);
    return out;
}

}  // namespace flume
