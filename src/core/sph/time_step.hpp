// The adaptive time step and its memory between steps.
//
//   dt = cfl_factor * 0.4 * 2r / (c + max speed)
//
// (CFL condition with lambda = 0.4 cfl_factor, BT07 eq. 12; cfl_factor is SPlisHSPlasH's
// cflFactor, whose step is cflFactor 0.4 2r / v_max), with the morris viscosity also
// dt <= 0.125 h^2 / nu (its explicit diffusion limit, Morris et al. 1997, eq. 11), clamped to
// [min_time_step, max_time_step]. c is the solver's signal speed (WCSPH's speed of sound, the
// expected flow speed of PCISPH and PBF). A solver whose step follows its passes (DFSPH) takes as
// c the speed gravity adds in one step, |g| dt (SPlisHSPlasH's |v + a dt|), and its step is at
// most last step's times 0.9 after a solve of more than kManyPasses passes, times 1.1 after one
// of fewer than kFewPasses (SPlisHSPlasH's cflMethod 2, whose 5 left the 3D tank's pressure 2.9%
// high at the floor; docs/solvers.md): at rest the step is then as large as the solve can hold to
// its tolerance in a few passes, not max_time_step. Its first step, with no flow and no last
// step to follow, takes as c the speed the flow can reach (the expected speed, sqrt(2 g h_fall)),
// and grows from there by 1.1 a step at most.
//
// The memory (the last step, its passes, the fastest particle at its end) is the controller's
// own: StepStats reports the same figures but is never read back as state.
#pragma once

#include <algorithm>
#include <cmath>

#include "core/simulation.hpp"
#include "core/sph/settings.hpp"
#include "core/state/state_file.hpp"

namespace flume {

class TimeStepController {
  public:
    static constexpr int kManyPasses = 10;
    static constexpr int kFewPasses = 3;

    // At load: no step yet, the particles' largest initial speed.
    explicit TimeStepController(double initial_max_speed = 0.0) : max_speed_(initial_max_speed) {}

    // After a step of length dt whose pressure solve took `passes`, the fastest particle at its
    // end moving at max_speed.
    void record(double dt, int passes, double max_speed) {
        last_dt_ = dt;
        last_passes_ = passes;
        max_speed_ = max_speed;
    }

    // What the step after the recorded one needs beside the settings and constants.
    struct Flow {
        bool follows_passes = false;  // the solver's step follows its passes (DFSPH)
        double signal_speed = 0.0;    // the solver's c, when it does not
        double gravity = 0.0;         // |g|
        double other_speed = 0.0;     // the fastest wall or emitter
    };

    float next(const StepSettings& s, const DerivedConstants& c, const Flow& flow) const {
        if (s.time_step_mode == TimeStepMode::Fixed) return static_cast<float>(s.time_step);
        const double signal = !flow.follows_passes ? flow.signal_speed
                              : last_dt_ > 0.0     ? flow.gravity * last_dt_
                                                   : c.expected_speed;
        const double speed = std::max(signal + std::max(max_speed_, flow.other_speed), 1.0e-6);
        double dt = s.cfl_factor * 0.4 * 2.0 * c.particle_radius / speed;
        if (flow.follows_passes && last_dt_ > 0.0) {
            const double factor = last_passes_ > kManyPasses  ? 0.9
                                  : last_passes_ < kFewPasses ? 1.1
                                                              : 1.0;
            dt = std::min(dt, last_dt_ * factor);
        }
        const double nu = s.kinematic_viscosity;
        if (s.viscosity_model == ViscosityModel::Morris && nu > 0.0) {
            const double h = 0.5 * c.support;
            dt = std::min(dt, 0.125 * h * h / nu);
        }
        dt = std::clamp(dt, s.min_time_step, s.max_time_step);
        return static_cast<float>(dt);
    }

    // Its memory, in a saved state.
    void save(StateWriter& w) const {
        w.put(last_dt_);
        w.put(last_passes_);
        w.put(max_speed_);
    }
    void restore(StateReader& r) {
        last_dt_ = r.get<double>();
        last_passes_ = r.get<int>();
        max_speed_ = r.get<double>();
    }
    // What a step could have recorded: finite, not negative.
    bool valid() const {
        return std::isfinite(last_dt_) && last_dt_ >= 0.0 && last_passes_ >= 0 &&
               std::isfinite(max_speed_) && max_speed_ >= 0.0;
    }

  private:
    double last_dt_ = 0.0;  // 0 before the first step
    int last_passes_ = 0;
    double max_speed_ = 0.0;
};

}  // namespace flume
