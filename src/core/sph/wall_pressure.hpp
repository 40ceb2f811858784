// The walls' side of the pressure force: which boundary samples have fluid near, and the
// pressure terms p/rho^2 of the fluid and of the walls, with the wall pressure extrapolated from
// the fluid (Adami, Hu & Adams 2012).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/sph/context.hpp"

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
// smoothed particle hydrodynamics", eq. 27):
//   p_w = (sum_f p_f W_wf + (g - a_w) . sum_f rho_f (x_w - x_f) W_wf) / sum_f W_wf,   p_w >= 0
// with a_w the wall's acceleration (0 but on moving obstacles)
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
    const Vec<D>* wall_acceleration =
        hydrostatic && ctx.boundary.moving() ? ctx.boundary.acceleration.data() : nullptr;
    ctx.fluid.fit(terms.fluid);
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
                    const Vec<D> gw = wall_acceleration ? g - wall_acceleration[w] : g;
                    const float wall_pressure =
                        std::max((pressure + dot<D>(gw, moment)) / weight, 0.0f);
                    const float wall_density = density / weight;
                    wall_term[w] = wall_pressure / (wall_density * wall_density);
                } else {
                    wall_term[w] = 0.0f;
                }
            }
        });
}

}  // namespace flume
