// Divergence-free SPH after Bender & Koschier, "Divergence-free smoothed particle hydrodynamics"
// (SCA 2015) and "Divergence-free SPH for incompressible and viscous fluids" (TVCG 2017, BK17),
// in the pressure form of SPlisHSPlasH: both solves iterate on a pressure p (Pa) whose
// acceleration is the symmetric pressure force that every solver shares, walls included.
//
//   density     rho_i; inverse diagonal d_i of the pressure system (BK17 eq. 8)  (pair_sums.hpp)
//   divergence  v* = v + dt a_p(p_v) with D rho / Dt (v*) = 0 where the fluid compresses
//   solve       (BK17 alg. 2): repeat  a_p = pressure acceleration of p_v,
//                                      e_i = dt (D rho / Dt)_i (v + dt a_p)            (eq. 9)
//                                      p_v = max(p_v + omega d_i / dt^2 e_i, 0)         (eq. 11)
//               until the mean of e over rho0 is under divergence_tolerance; v += dt a_p
//   forces      v += dt (g + brush [+ artificial viscosity])                      (BK17 alg. 1)
//   density     repeat  a_p = pressure acceleration of p,
//   solve               rho*_i = rho_i + dt (D rho / Dt)_i (v + dt a_p)                 (eq. 12)
//                       p = max(p + omega d_i / dt^2 (rho* - rho0), 0)           (alg. 3, eq. 13)
//               until the mean density residual is under density_tolerance; v += dt a_p
//   integrate   [XSPH]; x += dt v
//
// Each pass is a Jacobi pass over last pass's pressures, so the result does not depend on the
// thread count; from the third pass on it takes Chebyshev's semi-iterative step, which removes
// the smooth error of a deep column in far fewer passes (ChebyshevPasses). Both
// pressures start from half of last step's (warm start, BK17 sec. 4.3, with SPlisHSPlasH's
// factor 1/2) everywhere, kept per particle across the reordering of the neighbour grid: where
// the fluid no longer compresses the passes take it down to 0 (docs/solvers.md). The divergence
// solve leaves out particles with too few neighbours to have a meaningful divergence (the free
// surface, BK17 sec. 4.2: under 7 in 2D, 20 in 3D).
#include <algorithm>
#include <memory>

#include "core/sph/body_reactions.hpp"
#include "core/sph/kernels.hpp"
#include "core/sph/loops.hpp"

namespace flume {

namespace {

template <int D, class K>
class DfsphSolver final : public Solver<D> {
  public:
    explicit DfsphSolver(const DerivedConstants& c) : kernel_(c.support) {}

    std::string_view name() const override { return "dfsph"; }
    // No sound speed: the step follows the flow (the largest speed plus what gravity adds in a
    // step, SPlisHSPlasH's CFL) and the density solve's passes (docs/solvers.md).
    float signal_speed(const DerivedConstants&) const override { return 0.0f; }
    bool step_follows_passes() const override { return true; }
    std::size_t memory_bytes() const override {
        return capacity_bytes(inverse_diagonal_) + capacity_bytes(neighbours_) +
               capacity_bytes(predicted_velocity_) + capacity_bytes(predicted_density_) +
               capacity_bytes(divergence_pressure_) + capacity_bytes(previous_pressure_) +
               pressure_terms_.memory_bytes() + capacity_bytes(active_walls_) +
               gradients_.memory_bytes() + wall_weights_.memory_bytes() + xsph_.memory_bytes();
    }

    SolveResult step(SphContext<D>& ctx, float dt) override {
        ctx.fluid.fit(inverse_diagonal_);
        ctx.fluid.fit(neighbours_);
        ctx.fluid.fit(predicted_velocity_);
        ctx.fluid.fit(predicted_density_);
        ctx.stage("density", [&] {
            gradients_.prepare(ctx, kernel_.support());
            compute_density_and_diagonal(ctx, kernel_, inverse_diagonal_.data(), neighbours_.data(),
                                         &gradients_);
            find_active_walls(ctx, kernel_.support(), active_walls_);
            wall_weights_.fill(ctx, kernel_, active_walls_.data());
        });
        SolveResult divergence, density;
        if (ctx.settings.divergence_solve) {
            ctx.stage("divergence solve", [&] {
                divergence = solve(ctx, dt, Solve::Divergence);
                ctx.stats.divergence_iterations = divergence.passes;
                add_body_reactions(ctx, kernel_, pressure_terms_);
            });
        }
        ctx.stage("forces", [&] {
            compute_nonpressure_accelerations(ctx, kernel_, ctx.constants.expected_speed);
            integrate_velocities(ctx, dt);
        });
        ctx.stage("pressure solve", [&] {
            density = solve(ctx, dt, Solve::Density);
            ctx.stats.pressure_iterations = density.passes;
            add_body_reactions(ctx, kernel_, pressure_terms_);
        });
        if (!divergence.converged || !density.converged) {
            gradients_.invalidate();
            wall_weights_.invalidate();
            return divergence.converged ? density : divergence;
        }
        ctx.stage("integrate", [&] {
            xsph_.run(ctx, kernel_);
            integrate_positions(ctx, dt);
            gradients_.invalidate();
            wall_weights_.invalidate();
        });
        return density;
    }

  private:
    enum class Solve { Divergence, Density };

    // The predicted density error of every particle for the current pressure p: the velocity
    // after the pressure acceleration, its density change (eq. 9), and from it rho* (eq. 12) or,
    // for the divergence solve, rho0 + dt D rho / Dt, so that both solves share the update.
    // The pressure acceleration and the density change are written where the velocity and the
    // density made of them go, and turned into those in place: no arrays of their own.
    void predict(SphContext<D>& ctx, float dt, Solve kind, const float* p) {
        const float rho0 = ctx.constants.rest_density;
        const std::uint32_t min_neighbours = D == 3 ? 20 : 7;
        const bool divergence = kind == Solve::Divergence;
        compute_pressure_terms(ctx, kernel_, p, pressure_terms_, !divergence, active_walls_.data(),
                               &wall_weights_);
        compute_accelerations<AccelerationTerms::PressureOnly>(
            ctx, kernel_, pressure_terms_, predicted_velocity_.data(), &gradients_);
        ctx.for_each_fluid([&](std::size_t i) {
            predicted_velocity_[i] = ctx.fluid.velocity[i] + predicted_velocity_[i] * dt;
        });
        ctx.share(predicted_velocity_.data());
        compute_density_change(ctx, kernel_, predicted_velocity_.data(), predicted_density_.data(),
                               &gradients_);
        ctx.for_each_fluid([&](std::size_t i) {
            const float change = dt * predicted_density_[i];
            if (divergence) {
                predicted_density_[i] = neighbours_[i] < min_neighbours ? rho0 : rho0 + change;
            } else {
                predicted_density_[i] = ctx.fluid.density[i] + change;
            }
        });
    }

    SolveResult solve(SphContext<D>& ctx, float dt, Solve kind) {
        const bool divergence = kind == Solve::Divergence;
        const double tolerance =
            divergence ? ctx.settings.divergence_tolerance : ctx.settings.density_tolerance;
        const int max_iterations = ctx.max_passes;
        const int min_iterations = divergence ? 1 : 2;  // BK17 alg. 2 and 3
        constexpr float kOmega = 0.5f;
        constexpr float kWarmStart = 0.5f;
        const float omega_over_dt2 = kOmega / (dt * dt);
        ChebyshevPasses chebyshev;

        std::vector<float>& warm =
            divergence ? ctx.fluid.warm.divergence_pressure : ctx.fluid.warm.pressure;
        ctx.fluid.fit(warm, 0.0f);
        std::vector<float>& pressure = divergence ? divergence_pressure_ : ctx.fluid.pressure;
        ctx.fluid.fit(pressure);
        ctx.fluid.fit(previous_pressure_);
        float* p = pressure.data();

        // Warm start: half of last step's pressure.
        ctx.for_each_fluid([&](std::size_t i) { p[i] = kWarmStart * warm[i]; });
        ctx.share(p);

        int iterations = 0;
        bool converged = false;
        double error = 0.0;
        for (;;) {
            predict(ctx, dt, kind, p);
            error = mean_density_residual(ctx, predicted_density_.data(), p);
            converged = error <= tolerance;
            if ((iterations >= min_iterations && converged) || iterations >= max_iterations) break;
            update_pressure(ctx, inverse_diagonal_.data(), predicted_density_.data(),
                            omega_over_dt2, p, chebyshev, iterations, previous_pressure_.data());
            ++iterations;
        }
        // The velocity of the last prediction is that of the final pressure.
        ctx.for_each_fluid([&](std::size_t i) {
            ctx.fluid.velocity[i] = predicted_velocity_[i];
            warm[i] = p[i];
        });
        ctx.share(ctx.fluid.velocity.data());
        return {divergence ? "divergence solve" : "density solve", iterations, error, converged};
    }

    K kernel_;
    std::vector<float> inverse_diagonal_;
    std::vector<std::uint32_t> neighbours_;
    std::vector<Vec<D>> predicted_velocity_;
    std::vector<float> predicted_density_;
    std::vector<float> divergence_pressure_;
    std::vector<float> previous_pressure_;  // p_{k-1} of the Chebyshev passes
    PressureTerms pressure_terms_;
    std::vector<std::uint8_t> active_walls_;  // boundary samples with fluid near, this step
    PairGradients<D> gradients_;   // of this step's fluid pairs, for every pass of both solves
    WallWeights<D> wall_weights_;  // of this step's active boundary samples, likewise
    XsphSmoothing<D> xsph_;
};

}  // namespace

extern const SolverFactories dfsph_factories = factories_for<DfsphSolver>();

}  // namespace flume
