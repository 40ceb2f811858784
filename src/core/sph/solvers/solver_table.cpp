// The solver registry: the scene's "solver" name to a solver class, with the scene's kernel.
#include <memory>
#include <string>

#include "core/errors.hpp"
#include "core/sph/context.hpp"

namespace flume {

template <int D>
std::unique_ptr<Solver<D>> make_solver(const ParameterSet& params, const DerivedConstants& c) {
    const std::string& solver = params.choice("solver");
    if (solver == "wcsph") return make_wcsph_solver<D>(params, c);
    if (solver == "pcisph") return make_pcisph_solver<D>(params, c);
    if (solver == "dfsph") return make_dfsph_solver<D>(params, c);
    if (solver == "pbf") return make_pbf_solver<D>(params, c);
    throw SceneError("/solver: no solver named \"" + solver + "\"");
}

template std::unique_ptr<Solver<2>> make_solver<2>(const ParameterSet&, const DerivedConstants&);
template std::unique_ptr<Solver<3>> make_solver<3>(const ParameterSet&, const DerivedConstants&);

}  // namespace flume
