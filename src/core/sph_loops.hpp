// The SPH sums that every solver shares, written once. Each is a parallel loop over the fluid
// particles in cell order with a fixed summation order (neighbour grid order), so the results
// are bit-identical for any thread count.
#pragma once

#include "sph_context.hpp"

namespace flume {

// Density with Akinci et al. 2012 boundary contributions (eq. 6):
//   rho_i = m sum_j W_ij + rho0 sum_b V_b W_ib
template <int D, class K>
void compute_density(SphContext<D>& ctx, const K& kernel) {
    const float support = kernel.support();
    const float mass = ctx.constants.particle_mass;
    const float rho0 = ctx.constants.rest_density;
    const Vec<D>* x = ctx.fluid.position.data();
    const Vec<D>* xb = ctx.boundary.position.data();
    const float* vb = ctx.boundary.volume.data();
    ctx.for_each_fluid([&](std::size_t i) {
        float fluid_sum = 0.0f;
        ctx.fluid_grid.for_each_neighbour(
            x[i], x, support,
            [&](std::uint32_t, const Vec<D>&, float r) { fluid_sum += kernel.W(r); });
        float boundary_sum = 0.0f;
        ctx.boundary_grid.for_each_neighbour(
            x[i], xb, support,
            [&](std::uint32_t b, const Vec<D>&, float r) { boundary_sum += vb[b] * kernel.W(r); });
        ctx.fluid.density[i] = mass * fluid_sum + rho0 * boundary_sum;
    });
}

// Wall pressure by extrapolation from the fluid (Adami, Hu & Adams 2012, "A generalized wall
// boundary condition for smoothed particle hydrodynamics", eq. 27), for static walls:
//   p_w = (sum_f p_f W_wf + g . sum_f rho_f (x_w - x_f) W_wf) / sum_f W_wf,   p_w >= 0
// and the wall density as the kernel average of the fluid's, rho_w = sum_f rho_f W_wf / sum_f W_wf.
// The hydrostatic term makes a wall below a column carry the column's weight, so the fluid at
// the wall sits at the right pressure. Boundary samples with no fluid around get p = 0, rho0.
template <int D, class K>
void extrapolate_wall_pressure(SphContext<D>& ctx, const K& kernel,
                               std::vector<float>& wall_pressure,
                               std::vector<float>& wall_density) {
    const float support = kernel.support();
    const float rho0 = ctx.constants.rest_density;
    const Vec<D>* x = ctx.fluid.position.data();
    const float* rho = ctx.fluid.density.data();
    const float* p = ctx.fluid.pressure.data();
    const Vec<D>* xb = ctx.boundary.position.data();
    const Vec<D> g = ctx.gravity;
    wall_pressure.resize(ctx.boundary.size());
    wall_density.resize(ctx.boundary.size());
    ctx.pool.parallel_for(
        0, ctx.boundary.size(), kParticleGrain, [&](const WorkerPool::Range& rg, int) {
            for (std::size_t w = rg.begin; w < rg.end; ++w) {
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
                    wall_pressure[w] = std::max((pressure + dot<D>(g, moment)) / weight, 0.0f);
                    wall_density[w] = density / weight;
                } else {
                    wall_pressure[w] = 0.0f;
                    wall_density[w] = rho0;
                }
            }
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
        ctx.fluid_grid.for_each_neighbour(x[i], x, support,
                                          [&](std::uint32_t j, const Vec<D>&, float r) {
                                              sum += (v[j] - v[i]) * (mass / rho[j] * kernel.W(r));
                                          });
        scratch[i] = v[i] + sum * epsilon;
    });
    ctx.fluid.velocity.swap(scratch);
}

// Semi-implicit (symplectic) Euler: v += dt a, then x += dt v with the new velocity.
template <int D>
void integrate_velocities(SphContext<D>& ctx, float dt) {
    ctx.for_each_fluid(
        [&](std::size_t i) { ctx.fluid.velocity[i] += ctx.fluid.acceleration[i] * dt; });
}

template <int D>
void integrate_positions(SphContext<D>& ctx, float dt) {
    ctx.for_each_fluid([&](std::size_t i) { ctx.fluid.position[i] += ctx.fluid.velocity[i] * dt; });
}

}  // namespace flume
