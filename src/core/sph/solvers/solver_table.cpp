// The solver table: one line per solver. Each factory is defined at the end of its solver's file.
#include "core/sph/solvers/solver_table.hpp"

#include <array>

namespace flume {

extern const SolverFactories wcsph_factories;
extern const SolverFactories pcisph_factories;
extern const SolverFactories dfsph_factories;
extern const SolverFactories pbf_factories;

namespace {

constexpr std::array kSolvers = {
    SolverEntry{"wcsph", "weakly compressible SPH (Becker & Teschner 2007)", true,
                &wcsph_factories},
    SolverEntry{"pcisph", "predictive-corrective incompressible SPH (Solenthaler & Pajarola 2009)",
                false, &pcisph_factories},
    SolverEntry{"dfsph", "divergence-free SPH (Bender & Koschier 2017)", false, &dfsph_factories},
    SolverEntry{"pbf", "position based fluids (Macklin & Mueller 2013)", false, &pbf_factories},
};

}  // namespace

std::span<const SolverEntry> solver_table() {
    return kSolvers;
}

const SolverEntry* find_solver(std::string_view name) {
    for (const SolverEntry& entry : kSolvers) {
        if (entry.name == name) return &entry;
    }
    return nullptr;
}

}  // namespace flume
