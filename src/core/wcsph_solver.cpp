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
//   integrate  v += dt a; [XSPH]; x += dt v                          (semi-implicit Euler)
#include <algorithm>
#include <memory>

#include "errors.hpp"
#include "kernels.hpp"
#include "sph_loops.hpp"

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
        return capacity_bytes(scratch_) + capacity_bytes(wall_pressure_) +
               capacity_bytes(wall_density_);
    }

    void step(SphContext<D>& ctx, float dt) override {
        ctx.stage("density", [&] {
            compute_density(ctx, kernel_);
            compute_pressure(ctx);
        });
        ctx.stage("wall pressure",
                  [&] { extrapolate_wall_pressure(ctx, kernel_, wall_pressure_, wall_density_); });
        ctx.stage("forces", [&] { compute_accelerations(ctx); });
        ctx.stage("integrate", [&] {
            integrate_velocities(ctx, dt);
            if (ctx.params.choice("viscosity_model") == "xsph") {
                apply_xsph(ctx, kernel_, static_cast<float>(ctx.params.number("viscosity")),
                           scratch_);
            }
            integrate_positions(ctx, dt);
        });
    }

  private:
    // Tait equation (BT07 eq. 7), clamped at zero so that the free surface does not clump.
    void compute_pressure(SphContext<D>& ctx) {
        const float rho0 = ctx.constants.rest_density;
        ctx.for_each_fluid([&](std::size_t i) {
            const float ratio = std::max(ctx.fluid.density[i] / rho0, 1.0f);
            ctx.fluid.pressure[i] = stiffness_ * (pow7(ratio) - 1.0f);
        });
    }

    void compute_accelerations(SphContext<D>& ctx) {
        const float support = kernel_.support();
        const float mass = ctx.constants.particle_mass;
        const float rho0 = ctx.constants.rest_density;
        const bool artificial = ctx.params.choice("viscosity_model") == "artificial";
        // Monaghan's artificial viscosity (BT07 eq. 11): nu = 2 alpha h c / (rho_i + rho_j),
        // with smoothing length h = H / 2.
        const float h = 0.5f * support;
        const float alpha_hc2 = 2.0f * static_cast<float>(ctx.params.number("viscosity")) * h *
                                ctx.constants.speed_of_sound;
        const float eps_h2 = 0.01f * h * h;
        const Vec<D>* x = ctx.fluid.position.data();
        const Vec<D>* v = ctx.fluid.velocity.data();
        const float* rho = ctx.fluid.density.data();
        const float* p = ctx.fluid.pressure.data();
        const Vec<D>* xb = ctx.boundary.position.data();
        const float* vb = ctx.boundary.volume.data();
        const float* pw = wall_pressure_.data();
        const float* rhow = wall_density_.data();
        ctx.for_each_fluid([&](std::size_t i) {
            const float pi_rho2 = p[i] / (rho[i] * rho[i]);
            Vec<D> a = ctx.external_acceleration(x[i]);
            ctx.fluid_grid.for_each_neighbour(
                x[i], x, support, [&](std::uint32_t j, const Vec<D>& xij, float r) {
                    const Vec<D> grad = kernel_.gradient(xij, r);
                    float coefficient = pi_rho2 + p[j] / (rho[j] * rho[j]);
                    if (artificial) {
                        const float vx = dot<D>(v[i] - v[j], xij);
                        if (vx < 0.0f) {
                            const float nu = alpha_hc2 / (rho[i] + rho[j]);
                            coefficient += -nu * vx / (r * r + eps_h2);
                        }
                    }
                    a -= grad * (mass * coefficient);
                });
            ctx.boundary_grid.for_each_neighbour(
                x[i], xb, support, [&](std::uint32_t b, const Vec<D>& xib, float r) {
                    const float pb_rho2 = pw[b] / (rhow[b] * rhow[b]);
                    a -= kernel_.gradient(xib, r) * (rho0 * vb[b] * (pi_rho2 + pb_rho2));
                });
            ctx.fluid.acceleration[i] = a;
        });
    }

    K kernel_;
    float stiffness_;
    std::vector<Vec<D>> scratch_;
    std::vector<float> wall_pressure_;
    std::vector<float> wall_density_;
};

template <int D, template <int> class K>
std::unique_ptr<Solver<D>> make_with_kernel(const ParameterSet& params, const DerivedConstants& c) {
    const std::string& solver = params.choice("solver");
    if (solver == "wcsph") return std::make_unique<WcsphSolver<D, K<D>>>(c);
    throw SceneError("/solver: no solver named \"" + solver + "\"");
}

}  // namespace

template <int D>
std::unique_ptr<Solver<D>> make_solver(const ParameterSet& params, const DerivedConstants& c) {
    if (params.choice("kernel") == "wendland") return make_with_kernel<D, WendlandC2>(params, c);
    return make_with_kernel<D, CubicSpline>(params, c);
}

template std::unique_ptr<Solver<2>> make_solver<2>(const ParameterSet&, const DerivedConstants&);
template std::unique_ptr<Solver<3>> make_solver<3>(const ParameterSet&, const DerivedConstants&);

}  // namespace flume
