// Weakly compressible SPH after Becker & Teschner 2007, "Weakly compressible SPH for free surface
// flows" (SCA 2007):
//
//   density    rho_i = m sum_j W_ij + rho0 sum_b V_b W_ib            (Akinci et al. 2012, eq. 6)
//   pressure   p_i = B ((rho_i / rho0)^7 - 1), B = rho0 c^2 / 7     (BT07 eq. 7), p_i >= 0
//   forces     a_i = g - sum_j m (p_i/rho_i^2 + p_j/rho_j^2) grad W_ij                (eq. 6)
//                      - sum_b rho0 V_b (p_i/rho_i^2 + p_b/rho_b^2) grad W_ib
//                                  (boundary particles of Akinci et al. 2012 with the wall
//                                   pressure extrapolated from the fluid, Adami et al. 2012)
//                      - sum_j m Pi_ij grad W_ij                    (artificial viscosity, eq. 11)
//   [surface tension, Akinci et al. 2013: surface_tension.hpp]
//   integrate  v += dt a; [XSPH]; x += dt v                          (semi-implicit Euler)
#include <algorithm>
#include <memory>

#include "core/errors.hpp"
#include "core/sph/body_reactions.hpp"
#include "core/sph/kernels.hpp"
#include "core/sph/loops.hpp"
#include "core/sph/surface_tension.hpp"

namespace flume {

namespace {

template <int D, class K>
class WcsphSolver final : public Solver<D> {
  public:
    explicit WcsphSolver(const DerivedConstants& c)
        : kernel_(c.support),
          stiffness_(c.rest_density * c.speed_of_sound * c.speed_of_sound / 7.0f) {}

    std::string_view name() const override { return "wcsph"; }
    std::size_t memory_bytes() const override {
        return xsph_.memory_bytes() + pressure_terms_.memory_bytes() + capacity_bytes(normals_) +
               capacity_bytes(active_walls_);
    }
    float signal_speed(const DerivedConstants& c) const override { return c.speed_of_sound; }
    bool iterates() const override { return false; }

    SolveResult step(SphContext<D>& ctx, float dt) override {
        ctx.stage("density", [&] {
            compute_density(ctx, kernel_);
            compute_pressure(ctx);
        });
        ctx.stage("wall pressure", [&] {
            find_active_walls(ctx, kernel_.support(), active_walls_);
            compute_pressure_terms(ctx, kernel_, ctx.fluid.pressure.data(), pressure_terms_, true,
                                   active_walls_.data());
        });
        ctx.stage("forces", [&] {
            compute_accelerations<AccelerationTerms::WithBodyAndViscosity>(
                ctx, kernel_, pressure_terms_, ctx.fluid.acceleration.data());
            add_body_reactions(ctx, kernel_, pressure_terms_);
        });
        if (ctx.settings.surface_tension_model == SurfaceTensionModel::Akinci) {
            ctx.stage("surface tension", [&] {
                add_surface_tension(ctx, kernel_, static_cast<float>(ctx.settings.surface_tension),
                                    normals_, ctx.fluid.acceleration.data());
            });
        }
        ctx.stage("integrate", [&] {
            integrate_velocities(ctx, dt);
            xsph_.run(ctx, kernel_);
            integrate_positions(ctx, dt);
        });
        return {};
    }

  private:
    // Tait equation (BT07 eq. 7), clamped at zero so that the free surface does not clump.
    void compute_pressure(SphContext<D>& ctx) {
        const float rho0 = ctx.constants.rest_density;
        ctx.for_each_fluid([&](std::size_t i) {
            const float ratio = std::max(ctx.fluid.density[i] / rho0, 1.0f);
            ctx.fluid.pressure[i] = stiffness_ * (pow7(ratio) - 1.0f);
        });
        ctx.share(ctx.fluid.pressure.data());
    }

    K kernel_;
    float stiffness_;
    XsphSmoothing<D> xsph_;
    PressureTerms pressure_terms_;
    std::vector<Vec<D>> normals_;
    std::vector<std::uint8_t> active_walls_;  // boundary samples with fluid near, this step
};

}  // namespace

extern const SolverFactories wcsph_factories = factories_for<WcsphSolver>();

}  // namespace flume
