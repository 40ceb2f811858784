// The solver table: every pressure solver by name, with a one-line description and its factory.
// The "solver" parameter's choices and description (and with them `flume-cli params` and the
// apps' solver lists) and make_solver are derived from it.
//
// Adding a solver: its file in this folder, which ends with
//   extern const SolverFactories mysolver_factories = factories_for<MySolver>();
// (sph/context.hpp), the file in src/core/CMakeLists.txt, and in solver_table.cpp the
// declaration of those factories and the solver's line in the table.
// docs/solvers.md says what to implement and how to test it.
#pragma once

#include <memory>
#include <span>
#include <string_view>

namespace flume {

struct DerivedConstants;
struct StepSettings;
template <int D>
class Solver;

// A solver of dimension D for the settings' kernel.
template <int D>
using SolverFactory = std::unique_ptr<Solver<D>> (*)(const StepSettings&, const DerivedConstants&);

struct SolverFactories {
    SolverFactory<2> make_2d;
    SolverFactory<3> make_3d;
};

struct SolverEntry {
    std::string_view name;         // the "solver" parameter's choice
    std::string_view description;  // one line: the scheme and its paper
    // Pressure from an equation of state in one pass, no solve: the density error follows from
    // the speed of sound (about 1% by design), not density_tolerance, and a fluid released at
    // rest starts with a pressure wave. The solver's iterates() is false. An incompressible
    // solver (false here) iterates until the mean density error is under density_tolerance.
    bool weakly_compressible;
    const SolverFactories* factories;
};

// The solvers, in the order of the "solver" parameter's choices.
std::span<const SolverEntry> solver_table();

// The entry named `name`, or nullptr.
const SolverEntry* find_solver(std::string_view name);

}  // namespace flume
