// Pair sums over a particle's neighbours: the density, its rate of change, the diagonal of the
// pressure system and the residual of the iterative solvers. Each is a parallel loop over the
// fluid particles in cell order with a fixed summation order (neighbour grid order), so the
// results are bit-identical for any thread count.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/sph/context.hpp"
#include "core/sph/pair_gradients.hpp"

namespace flume {

// Sums of N pair terms over the fluid neighbours j of particle i, taken four neighbours at a time
// (math/simd.hpp): f(j, xij, r) returns the N terms of four pairs, with j the four slot indices,
// xij[k] the four x_i[k] - x_j[k] and r = |x_i - x_j| (the expression of length_squared, then
// sqrt). The last group is padded with i itself (x_ij = 0, r = 0), whose lanes are left out of
// the sums. Neighbour k, in grid order, is always lane k % 4, with or without neighbour lists;
// the lanes are added up at the end, (0 + 1) + (2 + 3): the sums are the same for any thread
// count, natively and in wasm.
//
// With `search` the neighbours are those within `radius` of search[i] (the positions of the
// step's neighbour search) and the pair terms are taken at the positions `x` (predicted ones),
// where r may exceed `radius`: the kernels are 0 there.
template <std::size_t N, int D, class F>
std::array<float, N> sum_over_fluid_neighbours4(const SphContext<D>& ctx, std::size_t i,
                                                const Vec<D>* search, const Vec<D>* x, float radius,
                                                F&& f) {
    std::array<F4, D> xi;
    for (int k = 0; k < D; ++k)
        xi[k] = F4(x[i][k]);
    // The terms of the four neighbours j[0..3].
    auto terms_of = [&](const std::uint32_t* j) FLUME_ALWAYS_INLINE {
        const std::array<F4, D> xj = gather_points<D>(x, j);
        std::array<F4, D> xij;
        for (int k = 0; k < D; ++k)
            xij[k] = xi[k] - xj[k];
        F4 r2 = xij[0] * xij[0];
        for (int k = 1; k < D; ++k)
            r2 = r2 + xij[k] * xij[k];
        return f(j, xij, sqrt(r2));
    };
    std::array<F4, N> total{};
    ctx.for_each_fluid_neighbour_span(i, search, radius, [&](const auto& js) {
        std::array<F4, N> lanes = total;  // a local, so that it stays in registers
        const std::size_t count = js.size();
        std::size_t g = 0;
        for (; g + 4 <= count; g += 4) {  // whole groups: no padding, no mask
            const std::uint32_t j[4] = {js[g], js[g + 1], js[g + 2], js[g + 3]};
            const std::array<F4, N> terms = terms_of(j);
            for (std::size_t n = 0; n < N; ++n)
                lanes[n] = lanes[n] + terms[n];
        }
        if (g < count) {  // the last one to three, padded with i and masked
            const std::size_t live_count = count - g;
            std::uint32_t j[4];
            for (std::size_t l = 0; l < 4; ++l)
                j[l] = l < live_count ? js[g + l] : static_cast<std::uint32_t>(i);
            const std::array<F4, N> terms = terms_of(j);
            const F4 live = F4(0.0f, 1.0f, 2.0f, 3.0f) < F4(static_cast<float>(live_count));
            for (std::size_t n = 0; n < N; ++n)
                lanes[n] = lanes[n] + select(live, terms[n], F4());
        }
        total = lanes;
    });
    std::array<float, N> out;
    for (std::size_t n = 0; n < N; ++n)
        out[n] = sum(total[n]);
    return out;
}

template <std::size_t N, int D, class F>
std::array<float, N> sum_over_fluid_neighbours4(const SphContext<D>& ctx, std::size_t i,
                                                const Vec<D>* x, float radius, F&& f) {
    return sum_over_fluid_neighbours4<N>(ctx, i, x, x, radius, std::forward<F>(f));
}

// Density with Akinci et al. 2012 boundary contributions (eq. 6), at the given positions of the
// fluid (the particles' own, or predicted ones) into `density`:
//   rho_i = m sum_j W_ij + rho0 sum_b V_b W_ib
// The neighbours are those of the step's search, at the particles' own positions: for predicted
// positions (PCISPH) the neighbour set stays that of the start of the step, as in Solenthaler &
// Pajarola 2009 (alg. 1) and SPlisHSPlasH, and a pair that comes within the support during the
// step is left out (it would add W at r ~ H, where W ~ 0).
template <int D, class K>
void compute_density_at(SphContext<D>& ctx, const K& kernel, const Vec<D>* x, float* density) {
    const float support = kernel.support();
    const float mass = ctx.constants.particle_mass;
    const float rho0 = ctx.constants.rest_density;
    const float* vb = ctx.boundary.volume.data();
    const Vec<D>* search = ctx.fluid.position.data();
    ctx.for_each_fluid([&](std::size_t i) {
        const float fluid_sum = sum_over_fluid_neighbours4<1>(
            ctx, i, search, x, support,
            [&](const std::uint32_t*, const auto&, F4 r)
                FLUME_ALWAYS_INLINE { return std::array<F4, 1>{kernel.W(r)}; })[0];
        float boundary_sum = 0.0f;
        ctx.for_each_boundary_neighbour_at(
            i, search, x, support,
            [&](std::uint32_t b, const Vec<D>&, float r) { boundary_sum += vb[b] * kernel.W(r); });
        density[i] = mass * fluid_sum + rho0 * boundary_sum;
    });
    ctx.share(density);
}

template <int D, class K>
void compute_density(SphContext<D>& ctx, const K& kernel) {
    compute_density_at(ctx, kernel, ctx.fluid.position.data(), ctx.fluid.density.data());
}

// The residual that the iterative solvers drive under their tolerance: the mean over the fluid
// of |rho_i - rho0| / rho0 where the particle carries pressure, and of max(rho_i - rho0, 0) / rho0
// where it does not (a free-surface particle may be less dense than rho0, and pressure cannot
// pull). Counting the expansion of pressurised particles matters: a warm-started pressure that
// pushes too hard shows up as expansion, and the solve must go on until it has relaxed. A
// reduction combined in chunk order, so the same for any thread count. Without pressures
// (nullptr) it is the mean compression.
template <int D>
double mean_density_residual(SphContext<D>& ctx, const float* density, const float* pressure) {
    const std::size_t n = ctx.fluid_count();
    if (n == 0) return 0.0;
    const float rho0 = ctx.constants.rest_density;
    const double sum = ctx.reduce(
        0.0,
        [&](const WorkerPool::Range& rg, int) {
            double part = 0.0;
            for (std::size_t i = rg.begin; i < rg.end; ++i) {
                const float error = density[i] - rho0;
                const bool pressurised = pressure != nullptr && pressure[i] > 0.0f;
                part += pressurised ? std::abs(error) : std::max(error, 0.0f);
            }
            return part;
        },
        [](double a, double b) { return a + b; });
    return sum / (static_cast<double>(n) * rho0);
}

// Rate of change of the density for a velocity field u (continuity equation; Bender & Koschier
// 2017, eq. 9, with walls as in Akinci et al. 2012, moving at v_b where obstacles move):
//   (D rho / Dt)_i = sum_j m (u_i - u_j) . grad W_ij + sum_b rho0 V_b (u_i - v_b) . grad W_ib
// The pairs' gradients come from `gradients` where it holds those of the fluid's positions.
template <int D, class K>
void compute_density_change(SphContext<D>& ctx, const K& kernel, const Vec<D>* u, float* out,
                            const PairGradients<D>* gradients = nullptr) {
    const float support = kernel.support();
    const float mass = ctx.constants.particle_mass;
    const float rho0 = ctx.constants.rest_density;
    const Vec<D>* x = ctx.fluid.position.data();
    const float* vb = ctx.boundary.volume.data();
    const Vec<D>* wall_velocity = ctx.boundary.moving() ? ctx.boundary.velocity.data() : nullptr;
    const bool cached = gradients != nullptr && gradients->covers(x);
    ctx.for_each_fluid([&](std::size_t i) {
        const bool kept = cached && gradients->holds(i);
        // dot(u_i - u_j, grad W_ij) of four pairs
        auto pair_terms = [&](const std::uint32_t* j, const std::array<F4, D>& grad)
                              FLUME_ALWAYS_INLINE {
                                  const std::array<F4, D> uj = gather_points<D>(u, j);
                                  F4 term = (F4(u[i][0]) - uj[0]) * grad[0];
                                  for (int k = 1; k < D; ++k)
                                      term = term + (F4(u[i][k]) - uj[k]) * grad[k];
                                  return std::array<F4, 1>{term};
                              };
        const float fluid_sum =
            kept ? sum_over_fluid_gradients4<1>(ctx, i, *gradients, pair_terms)[0]
                 : sum_over_fluid_neighbours4<1>(
                       ctx, i, x, support,
                       [&](const std::uint32_t* j, const std::array<F4, D>& xij, F4 r)
                           FLUME_ALWAYS_INLINE {
                               const F4 factor = kernel.gradient_factor(r);
                               std::array<F4, D> grad;
                               for (int k = 0; k < D; ++k)
                                   grad[k] = xij[k] * factor;
                               return pair_terms(j, grad);
                           })[0];
        if (kept) {
            // sum_b V_b grad W_ib and sum_b V_b v_b . grad W_ib from the kept gradients, in the
            // order and with the operations of the loops below
            Vec<D> boundary_gradient(0.0f);
            float wall_flux = 0.0f;
            gradients->for_each_wall(i, [&](std::uint32_t b, const Vec<D>& gradient) {
                const Vec<D> grad = gradient * vb[b];
                boundary_gradient += grad;
                if (wall_velocity) wall_flux += dot<D>(wall_velocity[b], grad);
            });
            out[i] = wall_velocity
                         ? mass * fluid_sum + rho0 * (dot<D>(u[i], boundary_gradient) - wall_flux)
                         : mass * fluid_sum + rho0 * dot<D>(u[i], boundary_gradient);
            return;
        }
        Vec<D> boundary_gradient(0.0f);
        if (!wall_velocity) {
            ctx.for_each_boundary_neighbour(
                i, x, support, [&](std::uint32_t b, const Vec<D>& xib, float r) {
                    boundary_gradient += kernel.gradient(xib, r) * vb[b];
                });
            out[i] = mass * fluid_sum + rho0 * dot<D>(u[i], boundary_gradient);
            return;
        }
        float wall_flux = 0.0f;  // sum_b V_b v_b . grad W_ib
        ctx.for_each_boundary_neighbour(i, x, support,
                                        [&](std::uint32_t b, const Vec<D>& xib, float r) {
                                            const Vec<D> grad = kernel.gradient(xib, r) * vb[b];
                                            boundary_gradient += grad;
                                            wall_flux += dot<D>(wall_velocity[b], grad);
                                        });
        out[i] = mass * fluid_sum + rho0 * (dot<D>(u[i], boundary_gradient) - wall_flux);
    });
    ctx.share(out);
}

// Density (as compute_density_at) and the inverse diagonal of the pressure system, in one pass
// over the neighbours, at the given positions. The inverse diagonal is how much pressure one unit
// of predicted compression asks for (the DFSPH factor alpha_i of Bender & Koschier 2017, eq. 8,
// in the pressure form p/rho^2 of SPlisHSPlasH; for a particle in a full neighbourhood it is
// Solenthaler & Pajarola 2009's delta without their factor 2; times rho0^2 / rho_i^2 it is the
// inverse of PBF's constraint-gradient sum, Macklin & Mueller 2013 eq. 9):
//   inverse_diagonal_i = rho_i^2 / (|sum_j m grad W_ij + sum_b rho0 V_b grad W_ib|^2
//                                   + sum_j |m grad W_ij|^2)
// so that dp_i = inverse_diagonal_i / dt^2 (rho*_i - rho0) removes the predicted compression of i
// if its neighbours' pressures stayed put. Also counts each particle's neighbours, fluid and
// boundary (the particle itself included), into `neighbours` unless it is null. The neighbours
// are those of the step's search, as in compute_density_at. With `gradients` (prepared for the
// positions x) it writes the pairs' gradients that it computes on the way, for the passes of a
// solve to read (pair_gradients.hpp).
template <int D, class K>
void compute_density_and_diagonal_at(SphContext<D>& ctx, const K& kernel, const Vec<D>* x,
                                     float* density, float* inverse_diagonal,
                                     std::uint32_t* neighbours,
                                     PairGradients<D>* gradients = nullptr) {
    const float support = kernel.support();
    const float mass = ctx.constants.particle_mass;
    const float rho0 = ctx.constants.rest_density;
    const float* vb = ctx.boundary.volume.data();
    const Vec<D>* search = ctx.fluid.position.data();
    const bool keep = gradients != nullptr && gradients->covers(x);
    ctx.for_each_fluid([&](std::size_t i) {
        const auto kept = keep ? gradients->writer(i) : typename PairGradients<D>::Writer{};
        F4* kept_group = kept.groups;
        auto* kept_wall = kept.walls;
        // The fluid sums four pairs at a time, lane by lane: W, m grad W and |m grad W|^2.
        // Terms: 1 (the count), W, |m grad W|^2, then the D components of m grad W.
        const std::array<float, 3 + D> sums = sum_over_fluid_neighbours4<3 + D>(
            ctx, i, search, x, support,
            [&](const std::uint32_t*, const std::array<F4, D>& xij, F4 r) FLUME_ALWAYS_INLINE {
                std::array<F4, 3 + D> terms;
                terms[0] = F4(1.0f);
                terms[1] = kernel.W(r);
                const F4 factor = kernel.gradient_factor(r);
                for (int k = 0; k < D; ++k) {
                    const F4 gradient = xij[k] * factor;
                    if (kept_group) *kept_group++ = gradient;
                    const F4 g = gradient * F4(mass);
                    terms[3 + k] = g;
                    terms[2] = k == 0 ? g * g : terms[2] + g * g;
                }
                return terms;
            });
        auto count = static_cast<std::uint32_t>(sums[0]);  // exact below 2^24
        const float fluid_sum = sums[1], square_sum = sums[2];
        Vec<D> gradient_sum;
        for (int k = 0; k < D; ++k)
            gradient_sum[k] = sums[3 + k];
        float boundary_sum = 0.0f;
        ctx.for_each_boundary_neighbour_at(i, search, x, support,
                                           [&](std::uint32_t b, const Vec<D>& xib, float r) {
                                               boundary_sum += vb[b] * kernel.W(r);
                                               const Vec<D> gradient = kernel.gradient(xib, r);
                                               if (kept_wall) *kept_wall++ = {b, gradient};
                                               gradient_sum += gradient * (rho0 * vb[b]);
                                               ++count;
                                           });
        const float rho = mass * fluid_sum + rho0 * boundary_sum;
        const float denominator = length_squared<D>(gradient_sum) + square_sum;
        density[i] = rho;
        // A lone particle has no gradient to push along: it gets no pressure.
        inverse_diagonal[i] = denominator > 0.0f ? rho * rho / denominator : 0.0f;
        if (neighbours) neighbours[i] = count;
    });
    ctx.share(density);
    ctx.share(inverse_diagonal);
    if (neighbours) ctx.share(neighbours);
}

// The same at the particles' own positions, into fluid.density.
template <int D, class K>
void compute_density_and_diagonal(SphContext<D>& ctx, const K& kernel, float* inverse_diagonal,
                                  std::uint32_t* neighbours,
                                  PairGradients<D>* gradients = nullptr) {
    compute_density_and_diagonal_at(ctx, kernel, ctx.fluid.position.data(),
                                    ctx.fluid.density.data(), inverse_diagonal, neighbours,
                                    gradients);
}

// One relaxed Jacobi update of the pressure from the predicted density (SP09 alg. 1, line 14;
// BK17 alg. 3, line 7; SPlisHSPlasH's pressure form of both):
//   p_i = max(p_i + omega inverse_diagonal_i / dt^2 (rho*_i - rho0), 0)
// Pressure cannot pull, hence the clamp (free surface).
template <int D>
void update_pressure(SphContext<D>& ctx, const float* inverse_diagonal, const float* predicted,
                     float omega_over_dt2, float* p) {
    const float rho0 = ctx.constants.rest_density;
    ctx.for_each_fluid([&](std::size_t i) {
        p[i] = std::max(p[i] + omega_over_dt2 * inverse_diagonal[i] * (predicted[i] - rho0), 0.0f);
    });
    ctx.share(p);
}

// Chebyshev acceleration of Jacobi pressure passes (the semi-iterative method of Golub & Varga
// 1961, as Wang 2015 uses it for position-based dynamics): from pass kStart on, each pass takes
//   p_{k+1} = w_k (J(p_k) - p_{k-1}) + p_{k-1},   w = 2 / (2 - rho^2) first, then 4 / (4 - rho^2 w)
// for an estimate rho of the spectral radius of the Jacobi pass J. A plain pass removes a smooth
// error (a column's hydrostatic pressure that a half warm start leaves out) in O(N^2) passes for
// a column N particles deep; this in O(N). rho = 0.97 for DFSPH: fewer passes than 0.95 at 100k
// and 1M particles; 0.98 overshoots in the shallow tanks at rest (docs/solvers.md).
struct ChebyshevPasses {
    static constexpr int kStart = 2;
    static constexpr float kRho = 0.97f;
    float weight = 1.0f;

    // The weight of pass `pass` (0-based); 1 (a plain pass) before kStart.
    float next(int pass) {
        constexpr float rho2 = kRho * kRho;
        if (pass < kStart) return weight = 1.0f;
        weight = pass == kStart ? 2.0f / (2.0f - rho2) : 4.0f / (4.0f - rho2 * weight);
        return weight;
    }
};

// update_pressure as pass `pass` of a Chebyshev-accelerated solve: the Jacobi pass, then the
// Chebyshev step with `previous` (p_{k-1}, which then becomes p_k), clamped at 0. The passes
// before ChebyshevPasses::kStart are plain ones (bit for bit update_pressure).
template <int D>
void update_pressure(SphContext<D>& ctx, const float* inverse_diagonal, const float* predicted,
                     float omega_over_dt2, float* p, ChebyshevPasses& chebyshev, int pass,
                     float* previous) {
    const float rho0 = ctx.constants.rest_density;
    const float weight = chebyshev.next(pass);
    const bool plain = pass < ChebyshevPasses::kStart;
    ctx.for_each_fluid([&](std::size_t i) {
        const float jacobi =
            std::max(p[i] + omega_over_dt2 * inverse_diagonal[i] * (predicted[i] - rho0), 0.0f);
        const float next =
            plain ? jacobi : std::max(weight * (jacobi - previous[i]) + previous[i], 0.0f);
        previous[i] = p[i];
        p[i] = next;
    });
    ctx.share(p);
}

// XSPH velocity smoothing (Monaghan 1989): v_i += eps sum_j (m / rho_j) (v_j - v_i) W_ij.

}  // namespace flume
