// Validation cases: runs that compare the simulation with an exact solution or with published
// experimental data, and say whether it passes. `flume-cli validate NAME` prints them, the
// `validation` tests run them.
//
//   dam-break    Martin & Moyce (1952): surge front of a collapsing column a wide, 2a high
//   hydrostatic  a tank at rest: pressure against rho0 g (H - y), density error, kinetic energy,
//                a probe's pressure and a gauge's level, the force on a side wall
//                (hydrostatic-3d: the same in 3D)
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/worker_pool.hpp"

namespace flume {

// One compared quantity at one abscissa.
struct ValidationRow {
    double x = 0.0;          // time, depth, ... (see ValidationReport::x_name)
    double simulated = 0.0;  // the simulation's value
    double reference = 0.0;  // the exact or measured value
    double error = 0.0;      // in the unit of the tolerance
    bool within = false;     // |error| <= tolerance
};

// A curve for the plot.
struct Series {
    std::string label;
    std::vector<double> x, y;
};

struct ValidationReport {
    std::string name;
    std::string title;   // one line: what was compared with what
    std::string x_name;  // column names of the table
    std::string value_name;
    std::string error_name;
    std::vector<ValidationRow> rows;
    std::vector<std::string> notes;  // measured figures and the rules applied, one per line
    bool passed = false;

    // For `--plot`: simulated curve and reference points, with axis labels.
    std::string x_label, y_label;
    Series simulated, reference;
};

struct ValidationCase {
    std::string name;
    std::string description;
};

const std::vector<ValidationCase>& validation_cases();

// Progress callback: simulated time and end time, called every few steps.
using ValidationProgress = std::function<void(double time, double end_time)>;

// Runs the named case with `key=value` overrides of its scene (e.g. solver=pcisph). Throws
// SceneError for an unknown case or a bad override, SimulationError if the run blows up.
ValidationReport run_validation(const std::string& name, const std::vector<std::string>& overrides,
                                WorkerPool& pool, const ValidationProgress& progress = {});

// The Martin & Moyce (1952) surge-front table (n^2 = 2): T = t sqrt(2 g / a), Z = x / a.
struct FrontSample {
    double T, Z;
};
const std::vector<FrontSample>& martin_moyce_front();

}  // namespace flume
