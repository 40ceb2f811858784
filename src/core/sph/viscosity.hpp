// Viscosity: the pairwise terms of the force loops (artificial, morris) and XSPH velocity
// smoothing, the one viscosity that acts on velocities after integration.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/sph/context.hpp"

namespace flume {

// The pairwise viscosity of viscosity_model, resolved once per force pass. Both terms are
// antisymmetric in i and j, so they conserve momentum.
//
// artificial: Monaghan's Pi_ij (Becker & Teschner 2007, eq. 11) for an approaching pair
//             (v_ij . x_ij < 0), else 0, along the kernel gradient:
//               a_i -= m Pi_ij grad W_ij,  Pi_ij = -(2 alpha h c / (rho_i + rho_j))
//                                                   v_ij . x_ij / (r^2 + 0.01 h^2)
// morris:     laminar viscosity of Morris, Fox & Zhu 1997 ("Modeling low Reynolds number
//             incompressible flows using SPH", J. Comput. Phys. 136, eq. 8) with mu = rho nu:
//               a_i += m nu (rho_i + rho_j) / (rho_i rho_j) (x_ij . grad W_ij)
//                        / (r^2 + 0.01 h^2) v_ij
//             an SPH Laplacian of the velocity (nu lap v) that needs no sound speed and is
//             exact for a linear shear; fluid-fluid only, so the walls are free-slip.
// xsph and none add no force here (XSPH smooths velocities after integration: XsphSmoothing).
struct PairViscosity {
    enum class Model { None, Artificial, Morris };
    Model model = Model::None;
    float alpha_hc2 = 0.0f;  // 2 alpha h c (artificial)
    float nu = 0.0f;         // kinematic viscosity (morris)
    float eps_h2 = 0.0f;     // 0.01 h^2, keeps r -> 0 finite

    // `signal_speed` is the c of the artificial viscosity (nu ~ alpha h c).
    static PairViscosity from(const StepSettings& settings, float support, float signal_speed) {
        PairViscosity visc;
        const float h = 0.5f * support;
        visc.eps_h2 = 0.01f * h * h;
        if (settings.viscosity_model == ViscosityModel::Artificial) {
            visc.model = Model::Artificial;
            visc.alpha_hc2 = 2.0f * static_cast<float>(settings.viscosity) * h * signal_speed;
        } else if (settings.viscosity_model == ViscosityModel::Morris) {
            visc.model = Model::Morris;
            visc.nu = static_cast<float>(settings.kinematic_viscosity);
        }
        return visc;
    }

    bool active() const { return model != Model::None; }

    // Pi_ij of the artificial model (0 for a receding pair): a_i -= m Pi_ij grad W_ij.
    float artificial(float vx, float r, float rho_i, float rho_j) const {
        if (vx >= 0.0f) return 0.0f;
        const float nu_ij = alpha_hc2 / (rho_i + rho_j);
        return -nu_ij * vx / (r * r + eps_h2);
    }

    // The same for four pairs, v_ij . x_ij in `vx`, rho_i + rho_j in `rho_sum`: lane by lane the
    // bits of the scalar form.
    F4 artificial(F4 vx, F4 r, F4 rho_sum) const {
        const F4 nu_ij = F4(alpha_hc2) / rho_sum;
        return select(vx < F4(0.0f), F4(-1.0f) * nu_ij * vx / (r * r + F4(eps_h2)), F4(0.0f));
    }

    // The same for particle i and its four neighbours j (the four-wide sums' x_ij and r), from
    // the velocities v and densities rho.
    template <int D>
    FLUME_ALWAYS_INLINE F4 artificial(const Vec<D>* v, const float* rho, std::size_t i,
                                      const std::uint32_t* j, const std::array<F4, D>& xij,
                                      F4 r) const {
        const std::array<F4, D> vj = gather_points<D>(v, j);
        F4 vx = (F4(v[i][0]) - vj[0]) * xij[0];
        for (int k = 1; k < D; ++k)
            vx = vx + (F4(v[i][k]) - vj[k]) * xij[k];
        return artificial(vx, r, F4(rho[i]) + gather(rho, j));
    }

    // The factor of v_ij in the morris model: a_i += factor v_ij.
    template <int D>
    float morris(const Vec<D>& xij, float r, const Vec<D>& grad, float rho_i, float rho_j,
                 float mass) const {
        return mass * nu * (rho_i + rho_j) / (rho_i * rho_j) * dot<D>(xij, grad) / (r * r + eps_h2);
    }
};

// XSPH velocity smoothing (Monaghan 1989; Macklin & Mueller 2013, eq. 17) when viscosity_model
// is xsph, else nothing, with its scratch array:
//   v_i += epsilon sum_j (m / rho_j) (v_j - v_i) W_ij
// The one viscosity that acts on velocities: every solver runs it as part of its integrate
// stage, on the velocities of the step (wcsph, pcisph, dfsph: before the positions move; pbf:
// on the velocities from the positions' change, after them).
template <int D>
class XsphSmoothing {
  public:
    template <class K>
    void run(SphContext<D>& ctx, const K& kernel) {
        if (ctx.settings.viscosity_model != ViscosityModel::Xsph) return;
        smooth(ctx, kernel, static_cast<float>(ctx.settings.viscosity));
    }

    std::size_t memory_bytes() const { return capacity_bytes(scratch_); }

  private:
    template <class K>
    void smooth(SphContext<D>& ctx, const K& kernel, float epsilon) {
        const float support = kernel.support();
        const float mass = ctx.constants.particle_mass;
        const Vec<D>* x = ctx.fluid.position.data();
        const Vec<D>* v = ctx.fluid.velocity.data();
        const float* rho = ctx.fluid.density.data();
        ctx.fluid.fit(scratch_);
        Vec<D>* smoothed = scratch_.data();
        ctx.for_each_fluid([&](std::size_t i) {
            Vec<D> sum(0.0f);
            ctx.for_each_fluid_neighbour(i, x, support,
                                         [&](std::uint32_t j, const Vec<D>&, float r) {
                                             sum += (v[j] - v[i]) * (mass / rho[j] * kernel.W(r));
                                         });
            smoothed[i] = v[i] + sum * epsilon;
        });
        ctx.fluid.velocity.swap(scratch_);
    }

    std::vector<Vec<D>> scratch_;
};

}  // namespace flume
