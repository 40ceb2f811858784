// Predictive-corrective incompressible SPH after Solenthaler & Pajarola, "Predictive-Corrective
// Incompressible SPH" (SIGGRAPH 2009), with the boundaries and forces the other solvers share:
//
//   density     rho_i at x(t); inverse diagonal d_i of the pressure system    (pair_sums.hpp)
//   forces      a_i = g + brush [+ artificial viscosity]                (SP09 alg. 1, line 5)
//   solve       starting from half of last step's pressure where the fluid is compressed (warm
//               start, as DFSPH's), repeat
//                 a_p   = pressure acceleration of p, walls at the extrapolated wall pressure
//                 x*    = x + dt (v + dt (a + a_p))                     (SP09 alg. 1, lines 10-11)
//                 rho*  = density at x*, over the neighbours found at x(t)   (line 13)
//                 p     = max(p + omega d_i / dt^2 (rho* - rho0), 0)    (lines 14-15, eq. 8)
//               until at least 3 passes are done and the mean density residual (|rho* - rho0|
//               where p > 0, else max(rho* - rho0, 0), over rho0) is under density_tolerance
//               (or max_solver_iterations is reached)
//   integrate   v += dt (a + a_p); [XSPH]; x += dt v
//
// The neighbours of the solve are those of the step's search (SP09 alg. 1, line 2; as in
// SPlisHSPlasH): a pair that comes within the support during the step is left out.
//
// SP09's delta = 1 / (beta sum_j |grad W_ij|^2), beta = 2 (dt m / rho0)^2 (eq. 8), is computed
// once for a particle in a full neighbourhood. Here the same expression is evaluated for each
// particle in its own neighbourhood, boundary gradient included (d_i, as DFSPH's factor), with
// omega = 1/2 standing for SP09's factor 2, so that a particle at a wall or in a corner, which
// has fewer fluid neighbours to push, is not corrected too hard.
//
// SP09 start every solve from p = 0 (alg. 1, line 7); here it starts from half of last step's
// pressure (SPlisHSPlasH's factor, BK17 sec. 4.3, as dfsph.cpp), which leaves half of it to
// re-converge every step. What the alternatives did is in docs/solvers.md.
#include <algorithm>
#include <memory>

#include "core/sph/body_reactions.hpp"
#include "core/sph/kernels.hpp"
#include "core/sph/loops.hpp"

namespace flume {

namespace {

template <int D, class K>
class PcisphSolver final : public Solver<D> {
  public:
    explicit PcisphSolver(const DerivedConstants& c) : kernel_(c.support) {}

    std::string_view name() const override { return "pcisph"; }
    // No sound speed, but the flow speed the scene expects (free fall from its top): at rest
    // the step is then lambda 2r / v_expected instead of max_time_step, so that the first fall
    // moves no particle by more than a fraction of its spacing per step (docs/solvers.md).
    float signal_speed(const DerivedConstants& c) const override { return c.expected_speed; }
    std::size_t memory_bytes() const override {
        return capacity_bytes(predicted_position_) + capacity_bytes(predicted_density_) +
               capacity_bytes(pressure_acceleration_) + capacity_bytes(inverse_diagonal_) +
               pressure_terms_.memory_bytes() + capacity_bytes(active_walls_) +
               xsph_.memory_bytes();
    }

    SolveResult step(SphContext<D>& ctx, float dt) override {
        ctx.fluid.fit(inverse_diagonal_);
        ctx.stage("density", [&] {
            compute_density_and_diagonal(ctx, kernel_, inverse_diagonal_.data(), nullptr);
        });
        ctx.stage("forces", [&] {
            compute_nonpressure_accelerations(ctx, kernel_, ctx.constants.expected_speed);
        });
        SolveResult solve_result;
        ctx.stage("pressure solve", [&] {
            find_active_walls(ctx, kernel_.support(), active_walls_);
            solve_result = solve(ctx, dt);
            ctx.stats.pressure_iterations = solve_result.passes;
        });
        if (!solve_result.converged) return solve_result;
        ctx.stage("integrate", [&] {
            add_body_reactions(ctx, kernel_, pressure_terms_);
            ctx.for_each_fluid([&](std::size_t i) {
                ctx.fluid.velocity[i] +=
                    (ctx.fluid.acceleration[i] + pressure_acceleration_[i]) * dt;
            });
            ctx.share(ctx.fluid.velocity.data());
            xsph_.run(ctx, kernel_);
            integrate_positions(ctx, dt);
        });
        return solve_result;
    }

  private:
    SolveResult solve(SphContext<D>& ctx, float dt) {
        const double tolerance = ctx.settings.density_tolerance;
        const int max_iterations = ctx.max_passes;
        constexpr int kMinIterations = 3;   // SP09 sec. 4
        constexpr float kOmega = 0.5f;      // SP09's factor 2 in beta
        constexpr float kWarmStart = 0.5f;  // of last step's pressure (see the top of the file)
        const float omega_over_dt2 = kOmega / (dt * dt);

        std::vector<float>& warm = ctx.fluid.warm.pressure;
        ctx.fluid.fit(warm, 0.0f);
        ctx.fluid.fit(predicted_position_);
        ctx.fluid.fit(predicted_density_);
        ctx.fluid.fit(pressure_acceleration_);
        float* p = ctx.fluid.pressure.data();
        const Vec<D>* x = ctx.fluid.position.data();
        const Vec<D>* v = ctx.fluid.velocity.data();
        const Vec<D>* a = ctx.fluid.acceleration.data();
        const float rho0 = ctx.constants.rest_density;
        // Warm start (half of last step's pressure) where the fluid will be compressed without
        // pressure: elsewhere last step's pressure would push apart what has already stopped.
        ctx.for_each_fluid(
            [&](std::size_t i) { predicted_position_[i] = x[i] + (v[i] + a[i] * dt) * dt; });
        ctx.share(predicted_position_.data());
        compute_density_at(ctx, kernel_, predicted_position_.data(), predicted_density_.data());
        ctx.for_each_fluid([&](std::size_t i) {
            p[i] = predicted_density_[i] > rho0 ? kWarmStart * warm[i] : 0.0f;
        });
        ctx.share(p);

        int iterations = 0;
        bool converged = false;
        double error = 0.0;
        for (;;) {
            compute_pressure_terms(ctx, kernel_, p, pressure_terms_, true, active_walls_.data());
            compute_accelerations<AccelerationTerms::PressureOnly>(ctx, kernel_, pressure_terms_,
                                                                   pressure_acceleration_.data());
            ctx.for_each_fluid([&](std::size_t i) {
                predicted_position_[i] =
                    x[i] + (v[i] + (a[i] + pressure_acceleration_[i]) * dt) * dt;
            });
            ctx.share(predicted_position_.data());
            compute_density_at(ctx, kernel_, predicted_position_.data(), predicted_density_.data());
            error = mean_density_residual(ctx, predicted_density_.data(), p);
            ++iterations;
            converged = error <= tolerance;
            if ((iterations >= kMinIterations && converged) || iterations >= max_iterations) break;
            update_pressure(ctx, inverse_diagonal_.data(), predicted_density_.data(),
                            omega_over_dt2, p);
        }
        ctx.for_each_fluid([&](std::size_t i) { warm[i] = p[i]; });
        return {"pressure solve", iterations, error, converged};
    }

    K kernel_;
    std::vector<Vec<D>> predicted_position_;
    std::vector<float> predicted_density_;
    std::vector<Vec<D>> pressure_acceleration_;
    std::vector<float> inverse_diagonal_;
    PressureTerms pressure_terms_;
    std::vector<std::uint8_t> active_walls_;  // boundary samples with fluid near, this step
    XsphSmoothing<D> xsph_;
};

}  // namespace

extern const SolverFactories pcisph_factories = factories_for<PcisphSolver>();

}  // namespace flume
