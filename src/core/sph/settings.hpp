// StepSettings: the scene parameters that the step reads, typed, with one comment per field.
//
// Built once from the scene's ParameterSet (step_settings, the one place that looks parameters
// up by name for the step) and again whenever a live parameter changes, so that a misspelt key or
// an unknown choice fails when the simulation is built, never on the code path that first reads
// it. Solvers and loops see these fields through SphContext::settings, never the ParameterSet.
#pragma once

#include <glm/glm.hpp>
#include <string_view>

namespace flume {

class ParameterSet;
struct SolverEntry;

// The `kernel` parameter.
enum class KernelKind { Cubic, Wendland };

// The `viscosity_model` parameter (see sph/viscosity.hpp).
enum class ViscosityModel {
    Artificial,  // Monaghan's artificial viscosity, coefficient alpha = viscosity
    Xsph,        // XSPH velocity smoothing after integration, epsilon = viscosity
    Morris,      // laminar viscosity of Morris et al. 1997, nu = kinematic_viscosity
    None,
};

// The `surface_tension_model` parameter (see sph/surface_tension.hpp).
enum class SurfaceTensionModel {
    None,
    Akinci,  // cohesion + curvature of Akinci et al. 2013, gamma = surface_tension
};

// The `time_step_mode` parameter.
enum class TimeStepMode {
    Cfl,    // adaptive: dt = cfl_factor 2r / (signal speed + max speed), in [min, max]
    Fixed,  // time_step
};

// Real values are the scene's doubles: the step converts them to float where it uses them.
struct StepSettings {
    // The pressure solver: its entry in the solver table (sph/solvers/solver_table.hpp).
    const SolverEntry* solver = nullptr;
    // The smoothing kernel of every sum (fixed for the life of a simulation).
    KernelKind kernel = KernelKind::Cubic;

    // Iterative solvers: average compression to reach, as a fraction of the rest density.
    double density_tolerance = 0.0;
    // dfsph: average density change per step to reach in the divergence solve, over rho0.
    double divergence_tolerance = 0.0;
    // dfsph: make the velocity field divergence-free before the density solve.
    bool divergence_solve = false;
    // Iterative solvers: most passes per solve.
    int max_solver_iterations = 0;

    ViscosityModel viscosity_model = ViscosityModel::None;
    // alpha of the artificial viscosity, epsilon of XSPH.
    double viscosity = 0.0;
    // nu of the morris viscosity, m^2/s; also limits the adaptive step (dt <= 0.125 h^2 / nu).
    double kinematic_viscosity = 0.0;

    SurfaceTensionModel surface_tension_model = SurfaceTensionModel::None;
    // gamma of the akinci model.
    double surface_tension = 0.0;

    // Gravitational acceleration, m/s^2 (z = 0 in 2D).
    glm::vec3 gravity{0.0f};

    TimeStepMode time_step_mode = TimeStepMode::Cfl;
    // The step of the fixed mode, s.
    double time_step = 0.0;
    // CFL number lambda of the adaptive mode.
    double cfl_factor = 0.0;
    // The bounds of the adaptive step, s.
    double min_time_step = 0.0;
    double max_time_step = 0.0;
    // on_invalid = retry: a step that leaves the fluid invalid (NaN, exploding speed, density
    // past twice the rest density) is taken again from its start at half the time step.
    bool retry_invalid = false;

    // Keep each particle's neighbours in lists found once a step (else every loop scans the
    // grid; the same results either way).
    bool neighbour_lists = false;
};

// The settings of `params`. Throws std::logic_error for a choice that no enum value names (the
// declarations and this function disagree), std::out_of_range for an undeclared key.
StepSettings step_settings(const ParameterSet& params);

}  // namespace flume
