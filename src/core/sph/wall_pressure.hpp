// The walls' side of the pressure force: which boundary samples have fluid near, and the
// pressure terms p/rho^2 of the fluid and of the walls, with the wall pressure extrapolated from
// the fluid (Adami, Hu & Adams 2012).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <new>
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
// The wall pressure of one sample from its kernel sums (pressure: sum_f p_f W_wf), 0 without
// fluid, as p_w / rho_w^2.
template <int D>
float wall_pressure_term(float weight, float pressure, float density, const Vec<D>& moment,
                         const Vec<D>& gw) {
    if (!(weight > 0.0f)) return 0.0f;
    const float wall_pressure = std::max((pressure + dot<D>(gw, moment)) / weight, 0.0f);
    const float wall_density = density / weight;
    return wall_pressure / (wall_density * wall_density);
}

// The parts of compute_pressure_terms' wall sums that the pressure does not change, per active
// boundary sample, for a solve whose positions and densities stay put over its passes (DFSPH):
// the fluid neighbours f and weights W_wf in the grid's order, sum_f W_wf, sum_f rho_f W_wf and
// the moment. A pass then only sums p_f W_wf, in the same order: the same bits as the full loop.
// A sample's sums sit in the kHeader slots before its pairs (floats in kernel, their bits in
// fluid), so that the many samples without fluid near hold nothing but their offset:
//
//   first[w]                                   first[w + 1]
//   | weight, density, moment (kHeader slots) | f, W_wf | f, W_wf | ... |
//
// Sized once, at the first fill, as PairGradients sizes the same pairs seen from the fluid: twice
// them and a quarter per fluid particle; a step whose pairs do not fit runs the full loop in each
// pass, with the same result, and allocates nothing.
template <int D>
struct WallWeights {
    struct Sums {
        float weight = 0.0f;
        float density = 0.0f;
        Vec<D> moment{0.0f};
    };
    // Slots of a sample's Sums: D + 2 floats over the two arrays.
    static constexpr std::uint32_t kHeader = (D + 3) / 2;

    std::vector<std::uint32_t> first;  // per boundary sample, into fluid and kernel; and the end
    std::vector<std::uint32_t> fluid;
    std::vector<float> kernel;
    const Vec<D>* positions = nullptr;
    bool sized = false;  // the first fill sized fluid and kernel (or had no room)

    bool covers(const Vec<D>* x) const { return positions != nullptr && positions == x; }
    void invalidate() { positions = nullptr; }
    std::size_t memory_bytes() const {
        return first.capacity() * sizeof(std::uint32_t) + fluid.capacity() * sizeof(std::uint32_t) +
               kernel.capacity() * sizeof(float);
    }

    // The sums of the sample whose slots start at k (first[w], where first[w + 1] > first[w]).
    Sums sums_at(std::uint32_t k) const {
        float words[2 * kHeader];
        for (std::uint32_t m = 0; m < kHeader; ++m) {
            words[m] = kernel[k + m];
            words[kHeader + m] = float_of_bits(fluid[k + m]);
        }
        Sums s;
        s.weight = words[0];
        s.density = words[1];
        for (int d = 0; d < D; ++d)
            s.moment[d] = words[2 + d];
        return s;
    }

    // The weights at the fluid's positions and densities, for the samples flagged in `active`.
    template <class K>
    void fill(SphContext<D>& ctx, const K& kernel_function, const std::uint8_t* active) {
        const float support = kernel_function.support();
        const Vec<D>* x = ctx.fluid.position.data();
        const float* rho = ctx.fluid.density.data();
        const Vec<D>* xb = ctx.boundary.position.data();
        const std::size_t n = ctx.boundary.size();
        positions = nullptr;
        first.resize(n + 1);
        // Count each active sample's pairs (into first[w + 1]), then place them.
        first[0] = 0;
        ctx.pool.parallel_for(0, n, kParticleGrain, [&](const WorkerPool::Range& rg, int) {
            for (std::size_t w = rg.begin; w < rg.end; ++w) {
                std::uint32_t count = 0;
                if (active[w]) {
                    ctx.fluid_grid.for_each_neighbour(xb[w], x, support,
                                                      [&](std::uint32_t, const Vec<D>&, float)
                                                          FLUME_ALWAYS_INLINE { ++count; });
                }
                first[w + 1] = count > 0 ? count + kHeader : 0;
            }
        });
        ctx.pool.inclusive_scan(first.data() + 1, n, kScanGrain);
        const std::size_t pairs = first[n];
        if (!sized) {
            sized = true;
            try {
                fluid.resize(2 * pairs + ctx.fluid.size() / 4 + 64);
                kernel.resize(fluid.size());
            } catch (const std::bad_alloc&) {
                fluid = {};  // no room: every pass runs the full loop
                kernel = {};
            }
        }
        if (pairs > fluid.size()) return;
        ctx.pool.parallel_for(0, n, kParticleGrain, [&](const WorkerPool::Range& rg, int) {
            for (std::size_t w = rg.begin; w < rg.end; ++w) {
                if (first[w + 1] == first[w]) continue;
                Sums s;
                std::uint32_t k = first[w] + kHeader;
                ctx.fluid_grid.for_each_neighbour(xb[w], x, support,
                                                  [&](std::uint32_t f, const Vec<D>& xwf, float r) {
                                                      const float wf = kernel_function.W(r);
                                                      fluid[k] = f;
                                                      kernel[k++] = wf;
                                                      s.weight += wf;
                                                      s.density += rho[f] * wf;
                                                      s.moment += xwf * (rho[f] * wf);
                                                  });
                put_sums(first[w], s);
            }
        });
        positions = x;
    }

  private:
    void put_sums(std::uint32_t k, const Sums& s) {
        float words[2 * kHeader] = {};
        words[0] = s.weight;
        words[1] = s.density;
        for (int d = 0; d < D; ++d)
            words[2 + d] = s.moment[d];
        for (std::uint32_t m = 0; m < kHeader; ++m) {
            kernel[k + m] = words[m];
            fluid[k + m] = float_bits(words[kHeader + m]);
        }
    }
};

template <int D, class K>
void compute_pressure_terms(SphContext<D>& ctx, const K& kernel, const float* p,
                            PressureTerms& terms, bool hydrostatic = true,
                            const std::uint8_t* active_walls = nullptr,
                            const WallWeights<D>* weights = nullptr) {
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
    ctx.share(fluid_term);
    if (weights && weights->covers(x)) {
        ctx.pool.parallel_for(
            0, ctx.boundary.size(), kParticleGrain, [&](const WorkerPool::Range& rg, int) {
                for (std::size_t w = rg.begin; w < rg.end; ++w) {
                    const std::uint32_t begin = weights->first[w], end = weights->first[w + 1];
                    if (begin == end) {  // no fluid near: what wall_pressure_term gives then
                        wall_term[w] = 0.0f;
                        continue;
                    }
                    float pressure = 0.0f;
                    for (std::uint32_t k = begin + WallWeights<D>::kHeader; k < end; ++k)
                        pressure += p[weights->fluid[k]] * weights->kernel[k];
                    const auto s = weights->sums_at(begin);
                    const Vec<D> gw = wall_acceleration ? g - wall_acceleration[w] : g;
                    wall_term[w] =
                        wall_pressure_term<D>(s.weight, pressure, s.density, s.moment, gw);
                }
            });
        return;
    }
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
                const Vec<D> gw = wall_acceleration ? g - wall_acceleration[w] : g;
                wall_term[w] = wall_pressure_term<D>(weight, pressure, density, moment, gw);
            }
        });
}

}  // namespace flume
