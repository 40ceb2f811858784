// Position based fluids after Macklin & Mueller, "Position Based Fluids" (SIGGRAPH 2013), with
// the boundaries, forces and sums the other solvers share, and walls that carry a multiplier of
// their own:
//
//   forces      v* = v + dt a_ext, x* = x + dt v*  (gravity, brush)        (MM13 alg. 1, 1-4)
//   wall scale  s_b = 1 + g . sum_f rho_f (x_b - x_f) W_bf / sum_f p_f W_bf  in [0, 2]
//               at x, with last step's pressures p_f (Adami et al. 2012, eq. 27, as a ratio)
//   solve       repeat (Jacobi: every particle from the last pass's values)       (lines 8-19)
//                 rho_i   = m sum_j W(x*_ij) + rho0 sum_b V_b W(x*_ib)
//                 C_i     = max(rho_i / rho0 - 1, 0)                       (eq. 1; no pulling)
//                 lambda_i = -C_i / (|G_i|^2 + sum_j |(m/rho0) grad W_ij|^2 + eps)  (eqs. 9-11)
//                           G_i = (m/rho0) sum_j grad W_ij + sum_b V_b grad W_ib
//                           (the sums of compute_density_and_diagonal_at, pair_sums.hpp)
//                 lambda_b = s_b sum_f lambda_f W_bf / sum_f W_bf       (the wall's multiplier)
//                 dx_i    = (m/rho0) sum_j (lambda_i + lambda_j + s_corr) grad W_ij
//                           + sum_b V_b (lambda_i + lambda_b) grad W_ib    (eqs. 12, 14)
//                 s_corr  = -k (W_ij / W(dq))^4 / A0, k = 0.1, dq = 0.2 H, in the first pass of
//                           the step only: the tensile-instability correction (eq. 13; the fourth
//                           power as two squarings), over A0 = sum_j |(m/rho0) grad W_ij|^2 in
//                           the rest lattice so that it has the units of lambda: a pair as close
//                           as dq pushes like a density error of k
//                 F_b    -= (m/dt^2) sum_i V_b (lambda_i + lambda_b) grad W_ib   (bodies' samples)
//                 x*     += dx
//               until at least 2 passes are done and the mean compression is under
//               density_tolerance (or max_solver_iterations is reached)
//   velocity    v = (x* - x) / dt; [XSPH, MM13 eq. 17]; x = x*               (lines 21-24)
//
// The sums of the solve run over the neighbours of the step's search at x(t) (the neighbour
// lists), taken at x*: a fixed set through the passes, as MM13 keep the one they find before the
// solve (alg. 1, line 5), only found a prediction earlier. A pair that comes within the support
// during the step is left out.
//
// eps is 1e-2 of the lattice value of the denominator (constraint force mixing, MM13 eq. 11):
// small enough to leave the constraint stiff, large enough for particles with few neighbours.
//
// Pressure. A particle's reported pressure is what its position corrections of the step are as a
// pressure force: p_i = -rho0 sum_passes lambda_i / dt^2. Derivation: a pressure p moves a
// particle by dx_i = dt^2 a_i in a step, with the symmetric force of the other solvers
// (forces.hpp) at rho ~ rho0 a_i = -sum_j (m/rho0) (p_i + p_j) / rho0 grad W_ij; MM13 eq. 12
// moves it by dx_i = (m/rho0) sum_j (lambda_i + lambda_j) grad W_ij per pass. Summed over the
// passes (the corrections add up; eps only changes the lambdas, not this relation) the two agree
// term by term for Lambda = sum lambda = -p dt^2 / rho0, and the wall term with lambda_b for the
// wall pressure p_b of the other solvers.
//
// Bodies. The same relation makes the wall term a force: a particle's momentum changes by
// m dx / dt over the step (v = (x* - x) / dt), so a body's sample b pushes particle i with
// m/dt^2 V_b (lambda_i + lambda_b) grad W_ib per pass (Akinci et al. 2012's pressure force with
// Lambda for -p dt^2 / rho0). The sample receives its opposite, pair by pair, at the x* that the
// pass moved the fluid from (add_body_reactions_of_pass), summed over the passes.
//
// Walls. MM13 (and SPlisHSPlasH's PBF) move a particle off a boundary sample by lambda_i alone,
// the walls having no constraint of their own: in pressure terms a wall at p = 0, so the fluid
// next to the floor would need about twice the multiplier to carry the column. Here a boundary
// sample carries the kernel average of the fluid's multipliers, as Adami et al. 2012 extrapolate
// the pressure, which smooths their noise. Adami's hydrostatic term is a pressure, and a pass
// carries only a part of the step's pressure, so it enters as the factor s_b: each pass's wall
// multiplier gets the share that the pass carries (the clamp keeps a wall whose fluid has almost
// no pressure from multiplying noise). The correction is then no longer exactly along grad C_i;
// the Jacobi passes converge all the same.
//
// s_corr. MM13 apply it in every pass of a solve of a few fixed passes (alg. 1, line 13). Here
// the passes follow density_tolerance, and in every pass s_corr would act as an artificial
// pressure that grows with their number. Applied once a step its strength does not depend on
// the tolerance, and it still keeps close pairs at the free surface apart.
//
// docs/solvers.md has the measurements behind these choices.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>

#include "core/sph/kernels.hpp"
#include "core/sph/loops.hpp"
#include "core/sph/surface_tension.hpp"

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
    // The flow speed the scene expects, as for the other incompressible solvers (dfsph.cpp).
    float signal_speed(const DerivedConstants& c) const override { return c.expected_speed; }
    std::size_t memory_bytes() const override {
        return capacity_bytes(predicted_) + capacity_bytes(lambda_) + capacity_bytes(lambda_sum_) +
               capacity_bytes(inverse_diagonal_) + capacity_bytes(correction_) +
               capacity_bytes(wall_scale_) + capacity_bytes(wall_lambda_) + xsph_.memory_bytes() +
               capacity_bytes(normals_);
    }

    SolveResult step(SphContext<D>& ctx, float dt) override {
        ctx.fluid.fit(predicted_);
        ctx.fluid.fit(lambda_);
        ctx.fluid.fit(lambda_sum_);
        ctx.fluid.fit(inverse_diagonal_);
        ctx.fluid.fit(correction_);
        ctx.stage("forces", [&] {
            // Densities at x(t) for the surface tension's and XSPH's weights.
            compute_density(ctx, kernel_);
            ctx.for_each_fluid([&](std::size_t i) {
                ctx.fluid.acceleration[i] = ctx.external_acceleration(ctx.fluid.position[i]);
            });
            if (ctx.settings.surface_tension_model == SurfaceTensionModel::Akinci) {
                add_surface_tension(ctx, kernel_, static_cast<float>(ctx.settings.surface_tension),
                                    normals_, ctx.fluid.acceleration.data());
            }
            ctx.for_each_fluid([&](std::size_t i) {
                ctx.fluid.velocity[i] += ctx.fluid.acceleration[i] * dt;
                predicted_[i] = ctx.fluid.position[i] + ctx.fluid.velocity[i] * dt;
            });
            ctx.share(predicted_.data());
        });
        SolveResult solve_result;
        ctx.stage("constraint solve", [&] {
            solve_result = solve(ctx, dt);
            ctx.stats.pressure_iterations = solve_result.passes;
        });
        if (!solve_result.converged) return solve_result;
        ctx.stage("integrate", [&] {
            const float inv_dt = 1.0f / dt;
            ctx.for_each_fluid([&](std::size_t i) {
                ctx.fluid.velocity[i] = (predicted_[i] - ctx.fluid.position[i]) * inv_dt;
            });
            ctx.share(ctx.fluid.velocity.data());
            ctx.fluid.position.swap(predicted_);
            xsph_.run(ctx, kernel_);
        });
        return solve_result;
    }

  private:
    SolveResult solve(SphContext<D>& ctx, float dt) {
        const float rho0 = ctx.constants.rest_density;
        const double tolerance = ctx.settings.density_tolerance;
        const int max_iterations = ctx.max_passes;
        constexpr int kMinIterations = 2;
        int iterations = 0;
        bool converged = false;
        double error = 0.0;
        std::fill(lambda_sum_.begin(), lambda_sum_.end(), 0.0f);
        std::vector<float>& last_pressure = ctx.fluid.warm.pressure;
        ctx.fluid.fit(last_pressure, 0.0f);
        compute_wall_scale(ctx, last_pressure.data());
        for (;;) {
            compute_lambdas(ctx);
            // The constraint cannot pull (C >= 0): the residual is the compression.
            error = mean_density_residual(ctx, ctx.fluid.density.data(), nullptr);
            converged = error <= tolerance;
            if ((iterations >= kMinIterations && converged) || iterations >= max_iterations) break;
            extrapolate_wall_lambdas(ctx);
            apply_corrections(ctx, iterations == 0, dt);
            ++iterations;
        }
        // The density of the final positions is in fluid.density; the pressure it stands for:
        const float scale = -rho0 / (dt * dt);
        ctx.for_each_fluid([&](std::size_t i) {
            ctx.fluid.pressure[i] = scale * lambda_sum_[i];
            last_pressure[i] = ctx.fluid.pressure[i];
        });
        return {"constraint solve", iterations, error, converged};
    }

    // Once a step, at x(t): how much more than the fluid's kernel-averaged pressure a boundary
    // sample carries by Adami et al. 2012 (eq. 27) with last step's pressures,
    //   wall_scale_b = p_b / pbar_b = 1 + g . sum_f rho_f (x_b - x_f) W_bf / sum_f p_f W_bf,
    // clamped to [0, 2] (p_b >= 0; where the fluid next to the wall has almost no pressure the
    // ratio has no bound, and as a factor on a pass's multipliers it would multiply their noise).
    // 1 where no pressurised fluid is near.
    void compute_wall_scale(SphContext<D>& ctx, const float* last_pressure) {
        const float support = kernel_.support();
        const Vec<D>* x = ctx.fluid.position.data();
        const float* rho = ctx.fluid.density.data();
        const Vec<D>* xb = ctx.boundary.position.data();
        const Vec<D> g = ctx.gravity;
        wall_scale_.resize(ctx.boundary.size());
        ctx.pool.parallel_for(
            0, ctx.boundary.size(), kParticleGrain, [&](const WorkerPool::Range& rg, int) {
                for (std::size_t b = rg.begin; b < rg.end; ++b) {
                    float pressure = 0.0f;
                    Vec<D> moment(0.0f);
                    ctx.fluid_grid.for_each_neighbour(
                        xb[b], x, support, [&](std::uint32_t f, const Vec<D>& xbf, float r) {
                            const float w = kernel_.W(r);
                            pressure += last_pressure[f] * w;
                            moment += xbf * (rho[f] * w);
                        });
                    wall_scale_[b] =
                        pressure > 0.0f
                            ? std::clamp(1.0f + dot<D>(g, moment) / pressure, 0.0f, 2.0f)
                            : 1.0f;
                }
            });
    }

    // Every pass, at the predicted positions: the boundary sample's multiplier, the kernel
    // average of the fluid's (Adami et al. 2012, eq. 27, with lambda for p) times wall_scale_.
    void extrapolate_wall_lambdas(SphContext<D>& ctx) {
        const float support = kernel_.support();
        const Vec<D>* x = predicted_.data();
        const Vec<D>* xb = ctx.boundary.position.data();
        wall_lambda_.resize(ctx.boundary.size());
        ctx.pool.parallel_for(
            0, ctx.boundary.size(), kParticleGrain, [&](const WorkerPool::Range& rg, int) {
                for (std::size_t b = rg.begin; b < rg.end; ++b) {
                    float weight = 0.0f, lambda = 0.0f;
                    ctx.fluid_grid.for_each_neighbour(xb[b], x, support,
                                                      [&](std::uint32_t f, const Vec<D>&, float r) {
                                                          const float w = kernel_.W(r);
                                                          weight += w;
                                                          lambda += lambda_[f] * w;
                                                      });
                    wall_lambda_[b] = weight > 0.0f ? wall_scale_[b] * lambda / weight : 0.0f;
                }
            });
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
        ctx.share(lambda_.data());
    }

    // One Jacobi pass of MM13 eq. 12 with the walls' multipliers; s_corr only in the first pass
    // of the step. The bodies' samples take the reaction of the pass's wall corrections.
    void apply_corrections(SphContext<D>& ctx, bool first_pass, float dt) {
        const float support = kernel_.support();
        const float s_corr_scale = first_pass ? s_corr_scale_ : 0.0f;
        const Vec<D>* x = predicted_.data();
        const Vec<D>* search = ctx.fluid.position.data();  // the step's neighbours, at x(t)
        const float* vb = ctx.boundary.volume.data();
        const float* lb = wall_lambda_.data();
        ctx.for_each_fluid([&](std::size_t i) {
            const float li = lambda_[i];
            // Four pairs at a time (pair_sums.hpp), i itself (r = 0) left out.
            const std::array<float, D> pair_sum = sum_over_fluid_neighbours4<D>(
                ctx, i, search, x, support,
                [&](const std::uint32_t* j, const std::array<F4, D>& xij,
                    F4 r) FLUME_ALWAYS_INLINE {
                    const F4 w = kernel_.W(r) * F4(inv_w_dq_);
                    const F4 w2 = w * w;
                    const F4 s_corr = F4(s_corr_scale) * (w2 * w2);
                    const F4 scale = F4(volume_) * (F4(li) + gather(lambda_.data(), j) + s_corr);
                    const F4 factor = select(r > F4(0.0f), kernel_.gradient_factor(r), F4());
                    std::array<F4, D> terms;
                    for (int k = 0; k < D; ++k)
                        terms[k] = xij[k] * factor * scale;
                    return terms;
                });
            Vec<D> dx;
            for (int k = 0; k < D; ++k)
                dx[k] = pair_sum[k];
            ctx.for_each_boundary_neighbour_at(
                i, search, x, support, [&](std::uint32_t b, const Vec<D>& xib, float r) {
                    dx += kernel_.gradient(xib, r) * (vb[b] * (li + lb[b]));
                });
            correction_[i] = dx;
        });
        add_body_reactions_of_pass(ctx, dt);
        ctx.for_each_fluid([&](std::size_t i) {
            predicted_[i] += correction_[i];
            lambda_sum_[i] += lambda_[i];
        });
        ctx.share(predicted_.data());
    }

    // The reaction of this pass's wall corrections on the bodies' samples, before the fluid
    // moves by them. Fluid particle i moves by dx_ib = V_b (lambda_i + lambda_b) grad W_ib away
    // from sample b; over the step that is the force m dx_ib / dt^2 (its velocity is
    // (x* - x) / dt), so the sample receives -m dx_ib / dt^2 (the header: the corrections are a
    // pressure force). Each sample gathers its pairs as apply_corrections takes them, the fluid
    // particles within the support at x(t), taken at x*: the same pairs, each pair's term with
    // the bits the particle moved by, in an order that does not depend on the thread count.
    void add_body_reactions_of_pass(SphContext<D>& ctx, float dt) {
        if (!ctx.bodies || ctx.bodies->samples.empty()) return;
        BodyCoupling<D>& bodies = *ctx.bodies;
        const float support = kernel_.support();
        const float scale = -ctx.constants.particle_mass / (dt * dt);
        const Vec<D>* x = predicted_.data();
        const Vec<D>* search = ctx.fluid.position.data();
        const Vec<D>* xb = ctx.boundary.position.data();
        const float* vb = ctx.boundary.volume.data();
        const float* lb = wall_lambda_.data();
        const float* lambda = lambda_.data();
        ctx.pool.parallel_for(
            0, bodies.samples.size(), kParticleGrain, [&](const WorkerPool::Range& rg, int) {
                for (std::size_t k = rg.begin; k < rg.end; ++k) {
                    if (!bodies.computes(k)) continue;
                    const std::uint32_t b = bodies.samples[k];
                    Vec<D> dx(0.0f);
                    ctx.fluid_grid.for_each_neighbour(
                        xb[b], search, support, [&](std::uint32_t j, const Vec<D>&, float) {
                            const Vec<D> xjb = x[j] - xb[b];
                            const float r = std::sqrt(length_squared<D>(xjb));
                            dx += kernel_.gradient(xjb, r) * (vb[b] * (lambda[j] + lb[b]));
                        });
                    bodies.force[k] += dx * scale;
                }
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
    std::vector<float> wall_scale_;   // per boundary sample, p_b / pbar_b of last step's pressures
    std::vector<float> wall_lambda_;  // per boundary sample, this pass
    XsphSmoothing<D> xsph_;
    std::vector<Vec<D>> normals_;
};

}  // namespace

extern const SolverFactories pbf_factories = factories_for<PbfSolver>();

}  // namespace flume
