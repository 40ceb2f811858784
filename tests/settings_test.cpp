// The step's typed settings and the solver table: every field read from its parameter (so that a
// misspelt key in step_settings fails here, not in the first step that reads it), every declared
// choice parsed, and the "solver" parameter derived from the table.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "core/parameters.hpp"
#include "core/sph/context.hpp"
#include "core/sph/settings.hpp"
#include "core/sph/solvers/solver_table.hpp"

namespace flume {
namespace {

TEST(StepSettings, DefaultsAreTheDeclaredDefaults) {
    const StepSettings s = step_settings(ParameterSet(2));
    ASSERT_NE(s.solver, nullptr);
    EXPECT_EQ(s.solver->name, "wcsph");
    EXPECT_EQ(s.kernel, KernelKind::Cubic);
    EXPECT_EQ(s.density_tolerance, 5.0e-4);
    EXPECT_EQ(s.divergence_tolerance, 1.0e-3);
    EXPECT_TRUE(s.divergence_solve);
    EXPECT_EQ(s.max_solver_iterations, 100);
    EXPECT_EQ(s.viscosity_model, ViscosityModel::Artificial);
    EXPECT_EQ(s.viscosity, 0.02);
    EXPECT_EQ(s.kinematic_viscosity, 1.0e-3);
    EXPECT_EQ(s.surface_tension_model, SurfaceTensionModel::None);
    EXPECT_EQ(s.surface_tension, 1.0);
    EXPECT_EQ(s.gravity, glm::vec3(0.0f, static_cast<float>(-9.81), 0.0f));
    EXPECT_EQ(s.time_step_mode, TimeStepMode::Cfl);
    EXPECT_EQ(s.time_step, 2.0e-4);
    EXPECT_EQ(s.cfl_factor, 1.0);
    EXPECT_EQ(s.min_time_step, 1.0e-6);
    EXPECT_EQ(s.max_time_step, 5.0e-3);
    EXPECT_TRUE(s.neighbour_lists);
}

TEST(StepSettings, EveryFieldFollowsItsParameter) {
    ParameterSet params(3);
    auto set = [&](std::string_view key, const nlohmann::json& value) {
        params.set(key, value, std::string(key));
    };
    set("solver", "pbf");
    set("kernel", "wendland");
    set("density_tolerance", 1.0e-3);
    set("divergence_tolerance", 2.0e-3);
    set("divergence_solve", false);
    set("max_solver_iterations", 7);
    set("viscosity_model", "morris");
    set("viscosity", 0.1);
    set("kinematic_viscosity", 1.0e-6);
    set("surface_tension_model", "akinci");
    set("surface_tension", 0.5);
    set("gravity", nlohmann::json::array({1.0, -2.0, 3.0}));
    set("time_step_mode", "fixed");
    set("time_step", 1.0e-3);
    set("cfl_factor", 0.25);
    set("min_time_step", 1.0e-5);
    set("max_time_step", 1.0e-2);
    set("neighbour_lists", false);

    const StepSettings s = step_settings(params);
    EXPECT_EQ(s.solver->name, "pbf");
    EXPECT_EQ(s.kernel, KernelKind::Wendland);
    EXPECT_EQ(s.density_tolerance, 1.0e-3);
    EXPECT_EQ(s.divergence_tolerance, 2.0e-3);
    EXPECT_FALSE(s.divergence_solve);
    EXPECT_EQ(s.max_solver_iterations, 7);
    EXPECT_EQ(s.viscosity_model, ViscosityModel::Morris);
    EXPECT_EQ(s.viscosity, 0.1);
    EXPECT_EQ(s.kinematic_viscosity, 1.0e-6);
    EXPECT_EQ(s.surface_tension_model, SurfaceTensionModel::Akinci);
    EXPECT_EQ(s.surface_tension, 0.5);
    EXPECT_EQ(s.gravity, glm::vec3(1.0f, -2.0f, 3.0f));
    EXPECT_EQ(s.time_step_mode, TimeStepMode::Fixed);
    EXPECT_EQ(s.time_step, 1.0e-3);
    EXPECT_EQ(s.cfl_factor, 0.25);
    EXPECT_EQ(s.min_time_step, 1.0e-5);
    EXPECT_EQ(s.max_time_step, 1.0e-2);
    EXPECT_FALSE(s.neighbour_lists);
}

// A choice added to a declaration but not to step_settings would fail only when chosen: try
// them all.
TEST(StepSettings, EveryDeclaredChoiceHasASetting) {
    for (const ParamDecl& d : parameter_declarations()) {
        if (d.kind != ParamKind::Choice) continue;
        for (std::string_view choice : d.choices) {
            ParameterSet params(2);
            params.set(d.key, std::string(choice), std::string(d.key));
            EXPECT_NO_THROW(step_settings(params)) << d.key << " = " << choice;
        }
    }
}

TEST(SolverTable, IsTheSolverParametersChoices) {
    const ParamDecl* solver = find_parameter("solver");
    ASSERT_NE(solver, nullptr);
    ASSERT_EQ(solver->choices.size(), solver_table().size());
    for (std::size_t k = 0; k < solver_table().size(); ++k) {
        const SolverEntry& entry = solver_table()[k];
        EXPECT_EQ(solver->choices[k], entry.name);
        EXPECT_NE(solver->description.find(std::string(entry.name) + " = " +
                                           std::string(entry.description)),
                  std::string_view::npos);
        EXPECT_EQ(find_solver(entry.name), &entry);
    }
    EXPECT_EQ(find_solver("sph9000"), nullptr);
}

TEST(SolverTable, EachFactoryMakesTheSolverOfItsName) {
    DerivedConstants constants;
    constants.particle_radius = 0.025f;
    constants.support = 0.1f;
    constants.rest_density = 1000.0f;
    constants.particle_mass = 2.5f;
    constants.speed_of_sound = 10.0f;
    for (const SolverEntry& entry : solver_table()) {
        ParameterSet params(2);
        params.set("solver", std::string(entry.name), "solver");
        const StepSettings settings = step_settings(params);
        EXPECT_EQ(make_solver<2>(settings, constants)->name(), entry.name);
        EXPECT_EQ(make_solver<3>(settings, constants)->name(), entry.name);
    }
}

// The trait that the validation's limits read: only WCSPH is weakly compressible, and the trait
// agrees with what the solver does: one pass with the speed of sound as its signal speed, or an
// iterative solve.
TEST(SolverTable, WeaklyCompressibleIsTheSolverThatDoesNotIterate) {
    EXPECT_TRUE(find_solver("wcsph")->weakly_compressible);
    EXPECT_FALSE(find_solver("pcisph")->weakly_compressible);
    EXPECT_FALSE(find_solver("dfsph")->weakly_compressible);
    EXPECT_FALSE(find_solver("pbf")->weakly_compressible);
    DerivedConstants constants;
    constants.particle_radius = 0.025f;
    constants.support = 0.1f;
    constants.rest_density = 1000.0f;
    constants.particle_mass = 2.5f;
    constants.speed_of_sound = 10.0f;
    constants.expected_speed = 1.0f;
    for (const SolverEntry& entry : solver_table()) {
        ParameterSet params(3);
        params.set("solver", std::string(entry.name), "solver");
        const auto solver = make_solver<3>(step_settings(params), constants);
        EXPECT_EQ(solver->iterates(), !entry.weakly_compressible) << entry.name;
        EXPECT_EQ(solver->signal_speed(constants) == constants.speed_of_sound,
                  entry.weakly_compressible)
            << entry.name;
    }
}

}  // namespace
}  // namespace flume
