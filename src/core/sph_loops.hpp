// The SPH sums that every solver shares, written once. Each is a parallel loop over the fluid
// particles in cell order with a fixed summation order (neighbour grid order), so the results
// are bit-identical for any thread count.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sph_context.hpp"

namespace flume {

// The pressure terms p/rho^2 of the symmetric pressure force (compute_pressure_terms), per fluid
// particle and per boundary sample, so that the force loop divides once per particle, not once
// per pair.
struct PressureTerms {
    std::vector<float> fluid;  // p_i / rho_i^2
    std::vector<float>
        wall;  // p_b / rho_b^2, wall pressure and density extrapolated from the fluid

    std::size_t memory_bytes() const {
        return (fluid.capacity() + wall.capacity()) * sizeof(float);
    }
};

// Sums of N pair terms over the fluid neighbours j of particle i, taken four neighbours at a time
// (simd.hpp): f(j, xij, r) returns the N terms of four pairs, with j the four slot indices,
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
}

template <int D, class K>
void compute_density(SphContext<D>& ctx, const K& kernel) {
    compute_density_at(ctx, kernel, ctx.fluid.position.data(), ctx.fluid.density.data());
}

// The boundary samples that have a fluid particle within the support (at the particles' own
// positions), as flags: the only samples whose wall terms a force loop reads. The solvers find
// them once a step and extrapolate the wall pressure on those alone; in the 3D dam break most of
// the box's samples have no fluid near. From the neighbour lists when the step keeps them, else
// by a scan of the fluid grid around each sample.
template <int D>
void find_active_walls(SphContext<D>& ctx, float support, std::vector<std::uint8_t>& active) {
    const Vec<D>* x = ctx.fluid.position.data();
    active.resize(ctx.boundary.size());
    if (ctx.lists && ctx.lists->covers(x, support)) {
        ctx.lists->mark_boundary_neighbours(active, ctx.pool);
        return;
    }
    const Vec<D>* xb = ctx.boundary.position.data();
    const float support2 = support * support;
    ctx.pool.parallel_for(0, ctx.boundary.size(), kParticleGrain,
                          [&](const WorkerPool::Range& rg, int) {
                              for (std::size_t w = rg.begin; w < rg.end; ++w) {
                                  bool found = false;
                                  ctx.fluid_grid.for_each_candidate_range(
                                      xb[w], [&](std::uint32_t begin, std::uint32_t end) {
                                          for (std::uint32_t f = begin; f < end && !found; ++f)
                                              found = length_squared<D>(xb[w] - x[f]) < support2;
                                      });
                                  active[w] = found ? 1 : 0;
                              }
                          });
}

// The pressure terms of the fluid, p_i / rho_i^2, and of the walls, with the wall pressure
// extrapolated from the fluid (Adami, Hu & Adams 2012, "A generalized wall boundary condition for
// smoothed particle hydrodynamics", eq. 27), for static walls:
//   p_w = (sum_f p_f W_wf + g . sum_f rho_f (x_w - x_f) W_wf) / sum_f W_wf,   p_w >= 0
// and the wall density as the kernel average of the fluid's, rho_w = sum_f rho_f W_wf / sum_f W_wf.
// The hydrostatic term makes a wall below a column carry the column's weight, so the fluid at
// the wall sits at the right pressure. Boundary samples with no fluid around get p = 0.
// Without `hydrostatic` the gravity term is left out: for a pressure that is not the fluid's
// weight, such as the divergence pressure of DFSPH. With `active_walls` (find_active_walls) the
// samples without fluid near get 0 at once (what the full loop would give them).
template <int D, class K>
void compute_pressure_terms(SphContext<D>& ctx, const K& kernel, const float* p,
                            PressureTerms& terms, bool hydrostatic = true,
                            const std::uint8_t* active_walls = nullptr) {
    const float support = kernel.support();
    const Vec<D>* x = ctx.fluid.position.data();
    const float* rho = ctx.fluid.density.data();
    const Vec<D>* xb = ctx.boundary.position.data();
    const Vec<D> g = hydrostatic ? ctx.gravity : Vec<D>(0.0f);
    terms.fluid.resize(ctx.fluid.size());
    terms.wall.resize(ctx.boundary.size());
    float* fluid_term = terms.fluid.data();
    float* wall_term = terms.wall.data();
    ctx.for_each_fluid([&](std::size_t i) { fluid_term[i] = p[i] / (rho[i] * rho[i]); });
    ctx.pool.parallel_for(
        0, ctx.boundary.size(), kParticleGrain, [&](const WorkerPool::Range& rg, int) {
            for (std::size_t w = rg.begin; w < rg.end; ++w) {
                if (active_walls && !active_walls[w]) {
                    wall_term[w] = 0.0f;
                    continue;
                }
                float weight = 0.0f, pressure = 0.0f, density = 0.0f;
                Vec<D> moment(0.0f);
                ctx.fluid_grid.for_each_neighbour(xb[w], x, support,
                                                  [&](std::uint32_t f, const Vec<D>& xwf, float r) {
                                                      const float wf = kernel.W(r);
                                                      weight += wf;
                                                      pressure += p[f] * wf;
                                                      density += rho[f] * wf;
                                                      moment += xwf * (rho[f] * wf);
                                                  });
                if (weight > 0.0f) {
                    const float wall_pressure =
                        std::max((pressure + dot<D>(g, moment)) / weight, 0.0f);
                    const float wall_density = density / weight;
                    wall_term[w] = wall_pressure / (wall_density * wall_density);
                } else {
                    wall_term[w] = 0.0f;
                }
            }
        });
}

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
// xsph and none add no force here (XSPH smooths velocities after integration: apply_xsph).
struct PairViscosity {
    enum class Model { None, Artificial, Morris };
    Model model = Model::None;
    float alpha_hc2 = 0.0f;  // 2 alpha h c (artificial)
    float nu = 0.0f;         // kinematic viscosity (morris)
    float eps_h2 = 0.0f;     // 0.01 h^2, keeps r -> 0 finite

    // `signal_speed` is the c of the artificial viscosity (nu ~ alpha h c).
    static PairViscosity from(const ParameterSet& params, float support, float signal_speed) {
        PairViscosity visc;
        const float h = 0.5f * support;
        visc.eps_h2 = 0.01f * h * h;
        const std::string& model = params.choice("viscosity_model");
        if (model == "artificial") {
            visc.model = Model::Artificial;
            visc.alpha_hc2 =
                2.0f * static_cast<float>(params.number("viscosity")) * h * signal_speed;
        } else if (model == "morris") {
            visc.model = Model::Morris;
            visc.nu = static_cast<float>(params.number("kinematic_viscosity"));
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
// speed of sound, or morris), so that WCSPH needs one neighbour pass for all its forces.
template <AccelerationTerms kTerms, int D, class K>
void compute_accelerations(SphContext<D>& ctx, const K& kernel, const PressureTerms& terms,
                           Vec<D>* out) {
    const float support = kernel.support();
    const float mass = ctx.constants.particle_mass;
    const float rho0 = ctx.constants.rest_density;
    constexpr bool kAll = kTerms == AccelerationTerms::WithBodyAndViscosity;
    const PairViscosity viscosity =
        kAll ? PairViscosity::from(ctx.params, support, ctx.constants.speed_of_sound)
             : PairViscosity{};
    const Vec<D>* x = ctx.fluid.position.data();
    const Vec<D>* v = ctx.fluid.velocity.data();
    const float* rho = ctx.fluid.density.data();
    const float* vb = ctx.boundary.volume.data();
    const float* p_rho2 = terms.fluid.data();
    const float* pb_rho2 = terms.wall.data();
    ctx.for_each_fluid([&](std::size_t i) {
        const float pi_rho2 = p_rho2[i];
        Vec<D> a = kAll ? ctx.external_acceleration(x[i]) : Vec<D>(0.0f);
        if (viscosity.model == PairViscosity::Model::Morris) {
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
        ctx.for_each_boundary_neighbour(
            i, x, support, [&](std::uint32_t b, const Vec<D>& xib, float r) {
                a -= kernel.gradient(xib, r) * (rho0 * vb[b] * (pi_rho2 + pb_rho2[b]));
            });
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
    const PairViscosity viscosity = PairViscosity::from(ctx.params, support, signal_speed);
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

// The residual that the iterative solvers drive under their tolerance: the mean over the fluid
// of |rho_i - rho0| / rho0 where the particle carries pressure, and of max(rho_i - rho0, 0) / rho0
// where it does not (a free-surface particle may be less dense than rho0, and pressure cannot
// pull). Counting the expansion of pressurised particles matters: a warm-started pressure that
// pushes too hard shows up as expansion, and the solve must go on until it has relaxed. A
// reduction combined in chunk order, so the same for any thread count. Without pressures
// (nullptr) it is the mean compression.
template <int D>
double mean_density_residual(SphContext<D>& ctx, const float* density, const float* pressure) {
    const std::size_t n = ctx.fluid.size();
    if (n == 0) return 0.0;
    const float rho0 = ctx.constants.rest_density;
    const double sum = ctx.pool.parallel_reduce(
        0, n, kParticleGrain, 0.0,
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
// 2017, eq. 9, with static walls as in Akinci et al. 2012):
//   (D rho / Dt)_i = sum_j m (u_i - u_j) . grad W_ij + sum_b rho0 V_b u_i . grad W_ib
template <int D, class K>
void compute_density_change(SphContext<D>& ctx, const K& kernel, const Vec<D>* u, float* out) {
    const float support = kernel.support();
    const float mass = ctx.constants.particle_mass;
    const float rho0 = ctx.constants.rest_density;
    const Vec<D>* x = ctx.fluid.position.data();
    const float* vb = ctx.boundary.volume.data();
    ctx.for_each_fluid([&](std::size_t i) {
        const float fluid_sum = sum_over_fluid_neighbours4<1>(  // dot(u_i - u_j, grad W_ij)
            ctx, i, x, support,
            [&](const std::uint32_t* j, const std::array<F4, D>& xij, F4 r) FLUME_ALWAYS_INLINE {
                const F4 factor = kernel.gradient_factor(r);
                const std::array<F4, D> uj = gather_points<D>(u, j);
                F4 term = (F4(u[i][0]) - uj[0]) * (xij[0] * factor);
                for (int k = 1; k < D; ++k)
                    term = term + (F4(u[i][k]) - uj[k]) * (xij[k] * factor);
                return std::array<F4, 1>{term};
            })[0];
        Vec<D> boundary_gradient(0.0f);
        ctx.for_each_boundary_neighbour(i, x, support,
                                        [&](std::uint32_t b, const Vec<D>& xib, float r) {
                                            boundary_gradient += kernel.gradient(xib, r) * vb[b];
                                        });
        out[i] = mass * fluid_sum + rho0 * dot<D>(u[i], boundary_gradient);
    });
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
// are those of the step's search, as in compute_density_at.
template <int D, class K>
void compute_density_and_diagonal_at(SphContext<D>& ctx, const K& kernel, const Vec<D>* x,
                                     float* density, float* inverse_diagonal,
                                     std::uint32_t* neighbours) {
    const float support = kernel.support();
    const float mass = ctx.constants.particle_mass;
    const float rho0 = ctx.constants.rest_density;
    const float* vb = ctx.boundary.volume.data();
    const Vec<D>* search = ctx.fluid.position.data();
    ctx.for_each_fluid([&](std::size_t i) {
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
                    const F4 g = xij[k] * factor * F4(mass);
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
        ctx.for_each_boundary_neighbour_at(
            i, search, x, support, [&](std::uint32_t b, const Vec<D>& xib, float r) {
                boundary_sum += vb[b] * kernel.W(r);
                gradient_sum += kernel.gradient(xib, r) * (rho0 * vb[b]);
                ++count;
            });
        const float rho = mass * fluid_sum + rho0 * boundary_sum;
        const float denominator = length_squared<D>(gradient_sum) + square_sum;
        density[i] = rho;
        // A lone particle has no gradient to push along: it gets no pressure.
        inverse_diagonal[i] = denominator > 0.0f ? rho * rho / denominator : 0.0f;
        if (neighbours) neighbours[i] = count;
    });
}

// The same at the particles' own positions, into fluid.density.
template <int D, class K>
void compute_density_and_diagonal(SphContext<D>& ctx, const K& kernel, float* inverse_diagonal,
                                  std::uint32_t* neighbours) {
    compute_density_and_diagonal_at(ctx, kernel, ctx.fluid.position.data(),
                                    ctx.fluid.density.data(), inverse_diagonal, neighbours);
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
}

// XSPH velocity smoothing (Monaghan 1989): v_i += eps sum_j (m / rho_j) (v_j - v_i) W_ij.
// Reads every velocity before writing any: the result goes through `scratch`.
template <int D, class K>
void apply_xsph(SphContext<D>& ctx, const K& kernel, float epsilon, std::vector<Vec<D>>& scratch) {
    const float support = kernel.support();
    const float mass = ctx.constants.particle_mass;
    const Vec<D>* x = ctx.fluid.position.data();
    const Vec<D>* v = ctx.fluid.velocity.data();
    const float* rho = ctx.fluid.density.data();
    scratch.resize(ctx.fluid.size());
    ctx.for_each_fluid([&](std::size_t i) {
        Vec<D> sum(0.0f);
        ctx.for_each_fluid_neighbour(i, x, support, [&](std::uint32_t j, const Vec<D>&, float r) {
            sum += (v[j] - v[i]) * (mass / rho[j] * kernel.W(r));
        });
        scratch[i] = v[i] + sum * epsilon;
    });
    ctx.fluid.velocity.swap(scratch);
}

// Semi-implicit (symplectic) Euler: v += dt a, then x += dt v with the new velocity.
template <int D>
void integrate_velocities(SphContext<D>& ctx, float dt) {
    // The arrays' pointers taken once: read through ctx, wasm reloaded them for every particle
    // (the stores might have changed them, for all clang could tell).
    Vec<D>* v = ctx.fluid.velocity.data();
    const Vec<D>* a = ctx.fluid.acceleration.data();
    ctx.for_each_fluid([=](std::size_t i) { v[i] += a[i] * dt; });
}

template <int D>
void integrate_positions(SphContext<D>& ctx, float dt) {
    Vec<D>* x = ctx.fluid.position.data();
    const Vec<D>* v = ctx.fluid.velocity.data();
    ctx.for_each_fluid([=](std::size_t i) { x[i] += v[i] * dt; });
}

}  // namespace flume
