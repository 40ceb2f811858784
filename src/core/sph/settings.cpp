// step_settings: the one place where the step's parameters are looked up by name.
#include "core/sph/settings.hpp"

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/parameters.hpp"
#include "core/sph/solvers/solver_table.hpp"

namespace flume {

namespace {

// The enum value that the choice `key` names in `names`: each of the parameter's declared
// choices must be there.
template <class E>
E parse_choice(const ParameterSet& params, std::string_view key,
               std::initializer_list<std::pair<std::string_view, E>> names) {
    const std::string& choice = params.choice(key);
    for (const auto& [name, value] : names) {
        if (name == choice) return value;
    }
    throw std::logic_error("parameter '" + std::string(key) + "': no setting for the choice \"" +
                           choice + "\"");
}

const SolverEntry* parse_solver(const ParameterSet& params) {
    const std::string& name = params.choice("solver");
    const SolverEntry* entry = find_solver(name);
    if (!entry) throw std::logic_error("parameter 'solver': no solver named \"" + name + "\"");
    return entry;
}

}  // namespace

StepSettings step_settings(const ParameterSet& params) {
    StepSettings s;
    s.solver = parse_solver(params);
    s.kernel = parse_choice<KernelKind>(
        params, "kernel", {{"cubic", KernelKind::Cubic}, {"wendland", KernelKind::Wendland}});

    s.density_tolerance = params.number("density_tolerance");
    s.divergence_tolerance = params.number("divergence_tolerance");
    s.divergence_solve = params.boolean("divergence_solve");
    s.max_solver_iterations = static_cast<int>(params.number("max_solver_iterations"));

    s.viscosity_model = parse_choice<ViscosityModel>(params, "viscosity_model",
                                                     {{"artificial", ViscosityModel::Artificial},
                                                      {"xsph", ViscosityModel::Xsph},
                                                      {"morris", ViscosityModel::Morris},
                                                      {"none", ViscosityModel::None}});
    s.viscosity = params.number("viscosity");
    s.kinematic_viscosity = params.number("kinematic_viscosity");

    s.surface_tension_model = parse_choice<SurfaceTensionModel>(
        params, "surface_tension_model",
        {{"none", SurfaceTensionModel::None}, {"akinci", SurfaceTensionModel::Akinci}});
    s.surface_tension = params.number("surface_tension");

    const std::vector<double>& g = params.vector("gravity");
    for (std::size_t k = 0; k < g.size() && k < 3; ++k)
        s.gravity[static_cast<int>(k)] = static_cast<float>(g[k]);

    s.time_step_mode = parse_choice<TimeStepMode>(
        params, "time_step_mode", {{"cfl", TimeStepMode::Cfl}, {"fixed", TimeStepMode::Fixed}});
    s.time_step = params.number("time_step");
    s.cfl_factor = params.number("cfl_factor");
    s.min_time_step = params.number("min_time_step");
    s.max_time_step = params.number("max_time_step");
    s.retry_invalid = params.choice("on_invalid") == "retry";

    s.neighbour_lists = params.boolean("neighbour_lists");
    return s;
}

}  // namespace flume
