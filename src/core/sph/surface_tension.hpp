// Surface tension after Akinci, Akinci & Teschner 2013, "Versatile surface tension and adhesion
// for SPH fluids" (SIGGRAPH Asia 2013), a non-pressure force that every solver can add:
//
//   normal      n_i = H sum_j (m / rho_j) grad W_ij                            (AAT13 eq. 3)
//   cohesion    F_coh_ij  = -gamma m_i m_j C(|x_ij|) x_ij / |x_ij|             (eq. 1)
//   curvature   F_curv_ij = -gamma m_i (n_i - n_j)                             (eq. 4)
//   total       a_i += sum_j K_ij (F_coh_ij + F_curv_ij) / m_i,
//               K_ij = 2 rho0 / (rho_i + rho_j)                                (eq. 5)
//
// with H the kernel support and the cohesion spline (eq. 2)
//   C(r) = k (H - r)^3 r^3                  for H/2 < r <= H
//   C(r) = k (2 (H - r)^3 r^3 - H^6 / 64)    for 0 < r <= H/2,
//   k = 32 / (pi H^9) in 3D (the paper's), and 25280 / (627 pi H^8) in 2D: the factor that gives
//   the plane integral of C the value 79/336 that the paper's k gives its space integral.
// Every pair term is antisymmetric in i and j, so the force conserves momentum. Near a wall the
// normals see only fluid, so the fluid does not stick to walls (no adhesion term).
#pragma once

#include <vector>

#include "core/sph/context.hpp"

namespace flume {

// C(r) of AAT13 eq. 2, for support H.
template <int D>
class CohesionSpline {
  public:
    explicit CohesionSpline(float support) : h_(support) {
        const double h = support;
        const double h3 = h * h * h;
        const double k =
            D == 3 ? 32.0 / (kPi * h3 * h3 * h3) : 25280.0 / (627.0 * kPi * h3 * h3 * h * h);
        k_ = static_cast<float>(k);
        h6_64_ = static_cast<float>(h3 * h3 / 64.0);
    }
    float operator()(float r) const {
        if (r <= 0.0f || r > h_) return 0.0f;
        const float a = h_ - r;
        const float p = a * a * a * r * r * r;
        return k_ * (2.0f * r > h_ ? p : 2.0f * p - h6_64_);
    }

  private:
    float h_, k_, h6_64_;
};

// Adds the surface tension acceleration with coefficient `gamma` to `accel` (one per fluid
// particle). Needs the densities of the step; `normals` is scratch space.
template <int D, class K>
void add_surface_tension(SphContext<D>& ctx, const K& kernel, float gamma,
                         std::vector<Vec<D>>& normals, Vec<D>* accel) {
    const float support = kernel.support();
    const float mass = ctx.constants.particle_mass;
    const float rho0 = ctx.constants.rest_density;
    const Vec<D>* x = ctx.fluid.position.data();
    const float* rho = ctx.fluid.density.data();
    ctx.fluid.fit(normals);
    ctx.for_each_fluid([&](std::size_t i) {
        Vec<D> n(0.0f);
        ctx.for_each_fluid_neighbour(i, x, support,
                                     [&](std::uint32_t j, const Vec<D>& xij, float r) {
                                         if (r > 0.0f) n += kernel.gradient(xij, r) / rho[j];
                                     });
        normals[i] = n * (support * mass);
    });
    ctx.share(normals.data());
    const CohesionSpline<D> cohesion(support);
    ctx.for_each_fluid([&](std::size_t i) {
        Vec<D> a(0.0f);
        ctx.for_each_fluid_neighbour(
            i, x, support, [&](std::uint32_t j, const Vec<D>& xij, float r) {
                if (r <= 0.0f) return;
                const float k_ij = 2.0f * rho0 / (rho[i] + rho[j]);
                const Vec<D> pair = xij * (mass * cohesion(r) / r) + (normals[i] - normals[j]);
                a -= pair * (gamma * k_ij);
            });
        accel[i] += a;
    });
}

}  // namespace flume
