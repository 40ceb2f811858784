// Time integration of the fluid: semi-implicit (symplectic) Euler.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/sph/context.hpp"

namespace flume {

template <int D>
void integrate_velocities(SphContext<D>& ctx, float dt) {
    // The arrays' pointers taken once: read through ctx, wasm reloaded them for every particle
    // (the stores might have changed them, for all clang could tell).
    Vec<D>* v = ctx.fluid.velocity.data();
    const Vec<D>* a = ctx.fluid.acceleration.data();
    ctx.for_each_fluid([=](std::size_t i) { v[i] += a[i] * dt; });
    ctx.share(v);
}

template <int D>
void integrate_positions(SphContext<D>& ctx, float dt) {
    Vec<D>* x = ctx.fluid.position.data();
    const Vec<D>* v = ctx.fluid.velocity.data();
    ctx.for_each_fluid([=](std::size_t i) { x[i] += v[i] * dt; });
}

}  // namespace flume
