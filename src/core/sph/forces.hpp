// The force loops: the symmetric pressure acceleration with the walls, and the non-pressure
// accelerations (gravity, the force brush, the pair viscosity), four neighbours at a time.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/sph/context.hpp"
#include "core/sph/pair_sums.hpp"
#include "core/sph/viscosity.hpp"
#include "core/sph/wall_pressure.hpp"

namespace flume {

// grad W_ij * scale for four pairs, component by component: the pair terms of the force loops.
template <int D, class K>
FLUME_ALWAYS_INLINE inline std::array<F4, D> gradient_terms(const K& kernel,
                                                            const std::array<F4, D>& xij, F4 r,
                                                            F4 scale) {
    const F4 factor = kernel.gradient_factor(r);
    std::array<F4, D> terms;
    for (int k = 0; k < D; ++k)
        terms[k] = xij[k] * factor * scale;
    return terms;
}

// Which terms compute_accelerations adds besides pressure.
enum class AccelerationTerms {
    PressureOnly,         // iterative solvers add body forces and viscosity separately
    WithBodyAndViscosity  // WCSPH: everything in one neighbour pass
};

// Symmetric pressure acceleration (Monaghan 1992; Becker & Teschner 2007, eq. 6) with boundary
// particles carrying the extrapolated wall pressure (Akinci et al. 2012, Adami et al. 2012), the
// terms p/rho^2 from compute_pressure_terms:
//   a_i = - sum_j m (p_i/rho_i^2 + p_j/rho_j^2) grad W_ij
//         - sum_b rho0 V_b (p_i/rho_i^2 + p_b/rho_b^2) grad W_ib
// With WithBodyAndViscosity also gravity, the brush and the pair viscosity (artificial with the
// speed of sound, or morris), so that WCSPH needs one neighbour pass for all its forces. With
// PressureOnly the pairs' gradients come from `gradients` where it holds the fluid's.
template <AccelerationTerms kTerms, int D, class K>
void compute_accelerations(SphContext<D>& ctx, const K& kernel, const PressureTerms& terms,
                           Vec<D>* out, const PairGradients<D>* gradients = nullptr) {
    const float support = kernel.support();
    const float mass = ctx.constants.particle_mass;
    const float rho0 = ctx.constants.rest_density;
    constexpr bool kAll = kTerms == AccelerationTerms::WithBodyAndViscosity;
    const PairViscosity viscosity =
        kAll ? PairViscosity::from(ctx.settings, support, ctx.constants.speed_of_sound)
             : PairViscosity{};
    const Vec<D>* x = ctx.fluid.position.data();
    const Vec<D>* v = ctx.fluid.velocity.data();
    const float* rho = ctx.fluid.density.data();
    const float* vb = ctx.boundary.volume.data();
    const float* p_rho2 = terms.fluid.data();
    const float* pb_rho2 = terms.wall.data();
    const bool cached = !kAll && gradients != nullptr && gradients->covers(x);
    ctx.for_each_fluid([&](std::size_t i) {
        const float pi_rho2 = p_rho2[i];
        Vec<D> a = kAll ? ctx.external_acceleration(x[i]) : Vec<D>(0.0f);
        const bool kept = cached && gradients->holds(i);
        if (kept) {
            const std::array<float, D> pair_sum = sum_over_fluid_gradients4<D>(
                ctx, i, *gradients,
                [&](const std::uint32_t* j, const std::array<F4, D>& grad) FLUME_ALWAYS_INLINE {
                    const F4 scale = F4(mass) * (F4(pi_rho2) + gather(p_rho2, j));
                    std::array<F4, D> pair_terms;
                    for (int k = 0; k < D; ++k)
                        pair_terms[k] = grad[k] * scale;
                    return pair_terms;
                });
            for (int k = 0; k < D; ++k)
                a[k] -= pair_sum[k];
        } else if (viscosity.model == PairViscosity::Model::Morris) {
            ctx.for_each_fluid_neighbour(
                i, x, support, [&](std::uint32_t j, const Vec<D>& xij, float r) {
                    const Vec<D> grad = kernel.gradient(xij, r);
                    a -= grad * (mass * (pi_rho2 + p_rho2[j]));
                    a += (v[i] - v[j]) * viscosity.morris<D>(xij, r, grad, rho[i], rho[j], mass);
                });
        } else {
            // Four neighbours at a time, each lane the scalar pair term bit for bit; the lanes
            // are added up at the end.
            const bool artificial = viscosity.model == PairViscosity::Model::Artificial;
            const std::array<float, D> pair_sum = sum_over_fluid_neighbours4<D>(
                ctx, i, x, support,
                [&](const std::uint32_t* j, const std::array<F4, D>& xij,
                    F4 r) FLUME_ALWAYS_INLINE {
                    F4 coefficient = F4(pi_rho2) + gather(p_rho2, j);
                    if (artificial)
                        coefficient = coefficient + viscosity.artificial<D>(v, rho, i, j, xij, r);
                    return gradient_terms<D>(kernel, xij, r, F4(mass) * coefficient);
                });
            for (int k = 0; k < D; ++k)
                a[k] -= pair_sum[k];
        }
        if (kept) {
            gradients->for_each_wall(i, [&](std::uint32_t b, const Vec<D>& gradient) {
                a -= gradient * (rho0 * vb[b] * (pi_rho2 + pb_rho2[b]));
            });
        } else {
            ctx.for_each_boundary_neighbour(
                i, x, support, [&](std::uint32_t b, const Vec<D>& xib, float r) {
                    a -= kernel.gradient(xib, r) * (rho0 * vb[b] * (pi_rho2 + pb_rho2[b]));
                });
        }
        out[i] = a;
    });
}

// Non-pressure accelerations (gravity, the force brush, the pair viscosity when chosen) into
// fluid.acceleration, for solvers that treat pressure separately. `signal_speed` is the c of the
// artificial viscosity (nu ~ alpha h c): an incompressible solver passes the flow speed scale,
// not the speed of sound, whose viscosity would be explicitly unstable at its time steps
// (diffusion limit dt < 0.125 h^2 / nu).
template <int D, class K>
void compute_nonpressure_accelerations(SphContext<D>& ctx, const K& kernel, float signal_speed) {
    const float support = kernel.support();
    const float mass = ctx.constants.particle_mass;
    const PairViscosity viscosity = PairViscosity::from(ctx.settings, support, signal_speed);
    const Vec<D>* x = ctx.fluid.position.data();
    const Vec<D>* v = ctx.fluid.velocity.data();
    const float* rho = ctx.fluid.density.data();
    ctx.for_each_fluid([&](std::size_t i) {
        Vec<D> a = ctx.external_acceleration(x[i]);
        if (viscosity.model == PairViscosity::Model::Artificial) {
            // Four pairs at a time, as the pressure force's viscosity term.
            const std::array<float, D> pair_sum = sum_over_fluid_neighbours4<D>(
                ctx, i, x, support,
                [&](const std::uint32_t* j, const std::array<F4, D>& xij, F4 r)
                    FLUME_ALWAYS_INLINE {
                        const F4 pi = viscosity.artificial<D>(v, rho, i, j, xij, r);
                        return gradient_terms<D>(kernel, xij, r, F4(mass) * pi);
                    });
            for (int k = 0; k < D; ++k)
                a[k] -= pair_sum[k];
        } else if (viscosity.model == PairViscosity::Model::Morris) {
            ctx.for_each_fluid_neighbour(
                i, x, support, [&](std::uint32_t j, const Vec<D>& xij, float r) {
                    a += (v[i] - v[j]) *
                         viscosity.morris<D>(xij, r, kernel.gradient(xij, r), rho[i], rho[j], mass);
                });
        }
        ctx.fluid.acceleration[i] = a;
    });
}

}  // namespace flume
