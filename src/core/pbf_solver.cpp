// Position based fluids after Macklin & Mueller, "Position Based Fluids" (SIGGRAPH 2013), with
// the boundaries, forces and sums the other solvers share:
//
//   forces      v* = v + dt a_ext, x* = x + dt v*  (gravity, brush)        (MM13 alg. 1, 1-4)
//   solve       repeat (Jacobi: every particle from the last pass's values)       (lines 8-19)
//                 rho_i   = m sum_j W(x*_ij) + rho0 sum_b V_b W(x*_ib)
//                 C_i     = max(rho_i / rho0 - 1, 0)                       (eq. 1; no pulling)
//                 lambda_i = -C_i / (|G_i|^2 + sum_j |(m/rho0) grad W_ij|^2 + eps)  (eqs. 9-11)
//                           G_i = (m/rho0) sum_j grad W_ij + sum_b V_b grad W_ib
//                           (the sums of compute_density_and_diagonal_at, sph_loops.hpp)
//                 dx_i    = (m/rho0) sum_j (lambda_i + lambda_j + s_corr) grad W_ij
//                           + sum_b V_b lambda_i grad W_ib                 (eqs. 12, 14)
//                 s_corr  = -k (W_ij / W(dq))^4 / A0, k = 0.1, dq = 0.2 H: the tensile-
//                           instability correction (eq. 13; the fourth power as two squarings),
//                           over A0 = sum_j |(m/rho0) grad W_ij|^2 in the rest lattice so that it
//                           has the units of lambda: a pair as close as dq pushes like a density
//                           error of k
//                 x*     += dx
//               until at least 2 passes are done and the mean compression is under
//               density_tolerance (or max_solver_iterations is reached)
//   velocity    v = (x* - x) / dt; [XSPH, MM13 eq. 17]; x = x*               (lines 21-24)
//
// eps is 1e-2 of the lattice value of the denominator (constraint force mixing, MM13 eq. 11):
// small enough to leave the constraint stiff, large enough for particles with few neighbours.
// A particle's reported pressure is what its position corrections of the step are as a pressure
// force: p_i = -rho0 sum_passes lambda_i / dt^2. Derivation: a pressure p moves a particle by
// dx_i = dt^2 a_i in a step, with the symmetric force of the other solvers (sph_loops.hpp) at
// rho ~ rho0 a_i = -sum_j (m/rho0) (p_i + p_j) / rho0 grad W_ij; MM13 eq. 12 moves it by
// dx_i = (m/rho0) sum_j (lambda_i + lambda_j) grad W_ij per pass. Summed over the passes (the
// corrections add up; eps only changes the lambdas, not this relation) the two agree term by term
// for Lambda = sum lambda = -p dt^2 / rho0. Two parts of the corrections have no such pressure:
//   - s_corr is applied in every pass (MM13 alg. 1, line 13), so it acts as an artificial
//     pressure that grows with the number of passes. In hydrostatic-2d (about 28 passes a step)
//     it carries the top ~5 cm of the column: p from Lambda alone is ~470 Pa (12% of rho0 g H)
//     under rho0 g (H - y) in every band above the bottom. With k = 0 the same profile is within
//     3% of it above the bottom band. (Adding s_corr's share by the pair virial brought the upper
//     bands within 2% but left the lower ones 4-9% high: it is not a pressure.)
//   - The wall term carries lambda_i only (the walls have no constraint of their own, which is
//     what makes eq. 12 a projection along grad C_i): in pressure terms a wall at p = 0, where the
//     other solvers give the wall the fluid's pressure plus its hydrostatic term (Adami et al.
//     2012). The fluid next to the floor then needs about twice the multiplier to carry the
//     column: the bottom band reads 25% of rho0 g H high with k = 0 (+8% with k = 0.1, on top of
//     the -12% above). Mirroring the
//     multiplier onto the wall (lambda_b = lambda_i, Akinci et al. 2012) brought every band within
//     2.5%, but its correction is no longer along grad C_i and the tank kept moving (0.3 J after
//     2 s against 0.006 J, speeds up to 0.4 m/s). So PBF does not pass the hydrostatic case.
#include <algorithm>
#include <memory>

#include "kernels.hpp"
#include "sph_loops.hpp"
#include "surface_tension.hpp"

namespace flume {

namespace {

template <int D, class K>
class PbfSolver final : public Solver<D> {
  public:
    explicit PbfSolver(const DerivedConstants& c) : kernel_(c.support) {
        volume_ = c.particle_mass / c.rest_density;
        const LatticeSums sums = lattice_sums(kernel_, 2.0 * c.particle_radius);
        const double denominator = volume_ * volume_ * sums.gradient_square;
        epsilon_ = static_cast<float>(1.0e-2 * denominator);
        s_corr_scale_ = static_cast<float>(-0.1 / denominator);
        inv_w_dq_ = 1.0f / kernel_.W(0.2f * c.support);
    }

    std::string_view name() const override { return "pbf"; }
    // The flow speed the scene expects, as for the other incompressible solvers (dfsph_solver.cpp).
    float signal_speed(const DerivedConstants& c) const override { return c.expected_speed; }
    std::size_t memory_bytes() const override {
        return capacity_bytes(predicted_) + capacity_bytes(lambda_) + capacity_bytes(lambda_sum_) +
               capacity_bytes(inverse_diagonal_) + capacity_bytes(correction_) +
               capacity_bytes(scratch_) + capacity_bytes(normals_);
    }

    void step(SphContext<D>& ctx, float dt) override {
        const std::size_t n = ctx.fluid.size();
        predicted_.resize(n);
        lambda_.resize(n);
        lambda_sum_.resize(n);
        inverse_diagonal_.resize(n);
        correction_.resize(n);
        ctx.stage("forces", [&] {
            // Densities at x(t) for the surface tension's and XSPH's weights.
            compute_density(ctx, kernel_);
            ctx.for_each_fluid([&](std::size_t i) {
                ctx.fluid.acceleration[i] = ctx.external_acceleration(ctx.fluid.position[i]);
            });
            if (ctx.params.choice("surface_tension_model") == "akinci") {
                add_surface_tension(ctx, kernel_,
                                    static_cast<float>(ctx.params.number("surface_tension")),
                                    normals_, ctx.fluid.acceleration.data());
            }
            ctx.for_each_fluid([&](std::size_t i) {
                ctx.fluid.velocity[i] += ctx.fluid.acceleration[i] * dt;
                predicted_[i] = ctx.fluid.position[i] + ctx.fluid.velocity[i] * dt;
            });
        });
        ctx.stage("constraint solve", [&] { ctx.stats.pressure_iterations = solve(ctx, dt); });
        ctx.stage("integrate", [&] {
            const float inv_dt = 1.0f / dt;
            ctx.for_each_fluid([&](std::size_t i) {
                ctx.fluid.velocity[i] = (predicted_[i] - ctx.fluid.position[i]) * inv_dt;
            });
            ctx.fluid.position.swap(predicted_);
            if (ctx.params.choice("viscosity_model") == "xsph") {
                apply_xsph(ctx, kernel_, static_cast<float>(ctx.params.number("viscosity")),
                           scratch_);
            }
        });
    }

  private:
    int solve(SphContext<D>& ctx, float dt) {
        const float rho0 = ctx.constants.rest_density;
        const double tolerance = ctx.params.number("density_tolerance");
        const int max_iterations = static_cast<int>(ctx.params.number("max_solver_iterations"));
        constexpr int kMinIterations = 2;
        int iterations = 0;
        std::fill(lambda_sum_.begin(), lambda_sum_.end(), 0.0f);
        for (;;) {
            compute_lambdas(ctx);
            // The constraint cannot pull (C >= 0): the residual is the compression.
            const double error = mean_density_residual(ctx, ctx.fluid.density.data(), nullptr);
            if ((iterations >= kMinIterations && error <= tolerance) ||
                iterations >= max_iterations) {
                break;
            }
            apply_corrections(ctx);
            ++iterations;
        }
        // The density of the final positions is in fluid.density; the pressure it stands for:
        const float scale = -rho0 / (dt * dt);
        ctx.for_each_fluid([&](std::size_t i) { ctx.fluid.pressure[i] = scale * lambda_sum_[i]; });
        return iterations;
    }

    // Density, constraint and lambda at the predicted positions: lambda_i = -C_i / (A_i + eps)
    // with A_i = rho0^2 / inverse_diagonal_i (see compute_density_and_diagonal_at), written so
    // that a particle without neighbours (inverse diagonal 0) gets lambda 0.
    void compute_lambdas(SphContext<D>& ctx) {
        const float rho0 = ctx.constants.rest_density;
        float* rho = ctx.fluid.density.data();
        compute_density_and_diagonal_at(ctx, kernel_, predicted_.data(), rho,
                                        inverse_diagonal_.data(), nullptr);
        ctx.for_each_fluid([&](std::size_t i) {
            const float constraint = std::max(rho[i] / rho0 - 1.0f, 0.0f);
            const float d = inverse_diagonal_[i] * (rho0 * rho0);
            lambda_[i] = -constraint * d / (rho[i] * rho[i] + epsilon_ * d);
        });
    }

    void apply_corrections(SphContext<D>& ctx) {
        const float support = kernel_.support();
        const Vec<D>* x = predicted_.data();
        const Vec<D>* xb = ctx.boundary.position.data();
        const float* vb = ctx.boundary.volume.data();
        ctx.for_each_fluid([&](std::size_t i) {
            Vec<D> dx(0.0f);
            const float li = lambda_[i];
            ctx.fluid_grid.for_each_neighbour(
                x[i], x, support, [&](std::uint32_t j, const Vec<D>& xij, float r) {
                    if (r <= 0.0f) return;
                    const float w = kernel_.W(r) * inv_w_dq_;
                    const float w2 = w * w;
                    const float s_corr = s_corr_scale_ * (w2 * w2);
                    dx += kernel_.gradient(xij, r) * (volume_ * (li + lambda_[j] + s_corr));
                });
            if (li != 0.0f) {
                ctx.boundary_grid.for_each_neighbour(
                    x[i], xb, support, [&](std::uint32_t b, const Vec<D>& xib, float r) {
                        dx += kernel_.gradient(xib, r) * (vb[b] * li);
                    });
            }
            correction_[i] = dx;
        });
        ctx.for_each_fluid([&](std::size_t i) {
            predicted_[i] += correction_[i];
            lambda_sum_[i] += lambda_[i];
        });
    }

    K kernel_;
    float volume_ = 0.0f;
    float epsilon_ = 0.0f;
    float inv_w_dq_ = 0.0f;
    float s_corr_scale_ = 0.0f;  // -k / (the lattice denominator)
    std::vector<Vec<D>> predicted_;
    std::vector<float> lambda_;
    std::vector<float> inverse_diagonal_;
    std::vector<float> lambda_sum_;  // over the passes of this step: the pressure it stands for
    std::vector<Vec<D>> correction_;
    std::vector<Vec<D>> scratch_;
    std::vector<Vec<D>> normals_;
};

}  // namespace

template <int D>
std::unique_ptr<Solver<D>> make_pbf_solver(const ParameterSet& params, const DerivedConstants& c) {
    if (params.choice("kernel") == "wendland")
        return std::make_unique<PbfSolver<D, WendlandC2<D>>>(c);
    return std::make_unique<PbfSolver<D, CubicSpline<D>>>(c);
}

template std::unique_ptr<Solver<2>> make_pbf_solver<2>(const ParameterSet&,
                                                       const DerivedConstants&);
template std::unique_ptr<Solver<3>> make_pbf_solver<3>(const ParameterSet&,
                                                       const DerivedConstants&);

}  // namespace flume
