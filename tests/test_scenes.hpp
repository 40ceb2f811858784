// Small helpers for tests that build simulations.
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/scene_library.hpp"
#include "core/simulation.hpp"

// A namespace of its own, apart from GoogleTest's `testing`.
namespace flume::tests {

// True in the sanitizer presets (native-debug, native-tsan), which run 5-20x slower: stress and
// thread-count tests run fewer rounds there. The optimised native and wasm builds run them whole.
#ifdef FLUME_SANITIZED
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// `full` rounds in the optimised builds, `sanitized` under a sanitizer.
inline constexpr int rounds(int full, int sanitized) {
    return kSanitized ? sanitized : full;
}

inline void run_until(Simulation& sim, double time) {
    while (sim.stats().time < time)
        sim.step();
}

// Sum of m v over the fluid, per component.
inline std::vector<double> momentum(const Simulation& sim) {
    const ParticleView v = sim.fluid();
    std::vector<double> p(static_cast<std::size_t>(v.dimension), 0.0);
    for (std::size_t i = 0; i < v.count; ++i) {
        for (int k = 0; k < v.dimension; ++k) {
            p[static_cast<std::size_t>(k)] += static_cast<double>(sim.constants().particle_mass) *
                                              v.velocity[i * v.dimension + k];
        }
    }
    return p;
}

}  // namespace flume::tests
