// The fluid's force on rigid bodies (core/bodies/): the reaction to the pressure force that a
// body's boundary samples put on the fluid (Akinci et al. 2012, eq. 10 and 11). The fluid
// particle i receives from sample b
//   F_ib = - m rho0 V_b (p_i/rho_i^2 + p_b/rho_b^2) grad W(x_i - x_b)
// in compute_accelerations (sph/forces.hpp); the sample receives -F_ib. Each sample gathers the
// pairs of its fluid neighbours, so that its sum has the same order, and the same bits, for any
// thread count; the bodies fold their samples' forces in sample order. Split between ranks, the
// owner of a sample's cell computes its force (BodyCoupling::owner).
#pragma once

#include <cstdint>

#include "core/sph/context.hpp"
#include "core/sph/wall_pressure.hpp"

namespace flume {

// Adds to each body sample's force the reaction of the pressure force of `terms` (the terms the
// solver has just pushed the fluid with), at the fluid's positions of the step's start.
template <int D, class K>
void add_body_reactions(SphContext<D>& ctx, const K& kernel, const PressureTerms& terms) {
    if (!ctx.bodies || ctx.bodies->samples.empty()) return;
    BodyCoupling<D>& bodies = *ctx.bodies;
    const float support = kernel.support();
    const float scale = ctx.constants.particle_mass * ctx.constants.rest_density;
    const Vec<D>* x = ctx.fluid.position.data();
    const Vec<D>* xb = ctx.boundary.position.data();
    const float* vb = ctx.boundary.volume.data();
    const float* p_rho2 = terms.fluid.data();
    const float* pb_rho2 = terms.wall.data();
    ctx.pool.parallel_for(
        0, bodies.samples.size(), kParticleGrain, [&](const WorkerPool::Range& rg, int) {
            for (std::size_t k = rg.begin; k < rg.end; ++k) {
                if (!bodies.computes(k)) continue;
                const std::uint32_t b = bodies.samples[k];
                const float pb = pb_rho2[b];
                Vec<D> f(0.0f);
                // f(j, x_b - x_j, r): grad W(x_j - x_b) = -grad W(x_b - x_j).
                ctx.fluid_grid.for_each_neighbour(
                    xb[b], x, support, [&](std::uint32_t j, const Vec<D>& xbj, float r) {
                        f -= kernel.gradient(xbj, r) * (p_rho2[j] + pb);
                    });
                bodies.force[k] += f * (scale * vb[b]);
            }
        });
}

}  // namespace flume
