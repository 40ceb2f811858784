#include "core/parameters.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/sph/solvers/solver_table.hpp"

namespace flume {

std::string format_number(double v) {
    nlohmann::json j = v;
    return j.dump();
}

namespace {

// The "solver" parameter's choices and description, from the solver table.
std::vector<std::string_view> solver_names() {
    std::vector<std::string_view> names;
    for (const SolverEntry& entry : solver_table())
        names.push_back(entry.name);
    return names;
}

const std::string& solver_description() {
    static const std::string text = [] {
        std::string s = "pressure solver: ";
        for (const SolverEntry& entry : solver_table()) {
            if (&entry != solver_table().data()) s += ", ";
            s += std::string(entry.name) + " = " + std::string(entry.description);
        }
        return s;
    }();
    return text;
}

// The one table of scene parameters. Keep descriptions short: they appear in --help-style
// listings and as UI tooltips.
const std::vector<ParamDecl>& declarations() {
    static const std::vector<ParamDecl> decls = {
        {.key = "solver",
         .group = "solver",
         .kind = ParamKind::Choice,
         .description = solver_description(),
         .default_choice = "wcsph",
         .choices = solver_names(),
         .live = true},
        {.key = "density_tolerance",
         .group = "solver",
         .kind = ParamKind::Real,
         .description = "iterative solvers: average compression to reach, as a fraction of the "
                        "rest density (5e-4 = 0.05%)",
         .min = 0.0,
         .max = 0.1,
         .min_exclusive = true,
         .default_number = 5.0e-4,
         .live = true},
        {.key = "divergence_tolerance",
         .group = "solver",
         .kind = ParamKind::Real,
         .description = "dfsph: average density change per time step to reach in the divergence "
                        "solve, as a fraction of the rest density (1e-3 = 0.1%)",
         .min = 0.0,
         .max = 0.1,
         .min_exclusive = true,
         .default_number = 1.0e-3,
         .live = true},
        {.key = "divergence_solve",
         .group = "solver",
         .kind = ParamKind::Bool,
         .description = "dfsph: make the velocity field divergence-free before the density solve",
         .default_bool = true,
         .live = true},
        {.key = "on_invalid",
         .group = "time",
         .kind = ParamKind::Choice,
         .description =
             "a step that leaves the fluid invalid (NaN, exploding speed, density past twice the "
             "rest density): stop the run (stop), or take it again from its start at half the "
             "time step, up to 6 times, each counted in step_retries and logged (retry; the "
             "apps' choice)",
         .default_choice = "stop",
         .choices = {"stop", "retry"},
         .live = true},
        {.key = "max_solver_iterations",
         .group = "solver",
         .kind = ParamKind::Integer,
         .description = "iterative solvers: most passes per solve",
         .min = 1.0,
         .max = 10000.0,
         .default_number = 100.0,
         .live = true},
        {.key = "kernel",
         .group = "solver",
         .kind = ParamKind::Choice,
         .description = "smoothing kernel: cubic spline or Wendland C2, support 4 particle radii",
         .default_choice = "cubic",
         .choices = {"cubic", "wendland"}},
        {.key = "particle_radius",
         .group = "fluid",
         .kind = ParamKind::Real,
         .description = "particle radius r; particles are spaced 2r apart",
         .unit = "m",
         .min = 1.0e-4,
         .max = 1.0,
         .default_number = 0.025},
        {.key = "rest_density",
         .group = "fluid",
         .kind = ParamKind::Real,
         .description = "rest density rho0 of the fluid",
         .unit = "kg/m^3",
         .min = 1.0,
         .max = 1.0e5,
         .default_number = 1000.0},
        {.key = "viscosity_model",
         .group = "fluid",
         .kind = ParamKind::Choice,
         .description =
             "artificial = Monaghan's artificial viscosity (alpha), xsph = XSPH velocity "
             "smoothing (epsilon), morris = laminar viscosity of Morris et al. 1997 "
             "(kinematic_viscosity), none",
         .default_choice = "artificial",
         .choices = {"artificial", "xsph", "morris", "none"},
         .live = true},
        {.key = "viscosity",
         .group = "fluid",
         .kind = ParamKind::Real,
         .description = "viscosity coefficient: alpha for artificial, epsilon for xsph",
         .min = 0.0,
         .max = 1.0,
         .default_number = 0.02,
         .live = true},
        {.key = "kinematic_viscosity",
         .group = "fluid",
         .kind = ParamKind::Real,
         .description = "kinematic viscosity nu of the morris model (water 1e-6, glycerine "
                        "1e-3); the adaptive step keeps dt <= 0.125 h^2 / nu",
         .unit = "m^2/s",
         .min = 0.0,
         .max = 10.0,
         .default_number = 1.0e-3,
         .live = true},
        {.key = "surface_tension_model",
         .group = "fluid",
         .kind = ParamKind::Choice,
         .description = "akinci = cohesion + curvature (Akinci et al. 2013), none",
         .default_choice = "none",
         .choices = {"none", "akinci"},
         .live = true},
        {.key = "surface_tension",
         .group = "fluid",
         .kind = ParamKind::Real,
         .description = "surface tension coefficient gamma of the akinci model",
         .min = 0.0,
         .max = 100.0,
         .default_number = 1.0,
         .live = true},
        {.key = "gravity",
         .group = "fluid",
         .kind = ParamKind::Vector,
         .description = "gravitational acceleration",
         .unit = "m/s^2",
         .min = -1000.0,
         .max = 1000.0,
         .default_number = -9.81,
         .live = true},
        {.key = "speed_of_sound",
         .group = "solver",
         .kind = ParamKind::Real,
         .description = "WCSPH speed of sound c; auto = 10 x the largest expected flow speed "
                        "sqrt(2 g h_fall) + initial speed",
         .unit = "m/s",
         .min = 0.0,
         .max = 1.0e5,
         .min_exclusive = true,
         .allows_auto = true},
        {.key = "time_step_mode",
         .group = "time",
         .kind = ParamKind::Choice,
         .description = "cfl = adaptive step from the CFL condition, fixed = time_step",
         .default_choice = "cfl",
         .choices = {"cfl", "fixed"},
         .live = true},
        {.key = "time_step",
         .group = "time",
         .kind = ParamKind::Real,
         .description = "time step in fixed mode",
         .unit = "s",
         .min = 1.0e-7,
         .max = 0.1,
         .default_number = 2.0e-4,
         .live = true},
        {.key = "cfl_factor",
         .group = "time",
         .kind = ParamKind::Real,
         .description = "CFL factor, SPlisHSPlasH's cflFactor: dt = cfl_factor * 0.4 * 2r / (c + "
                        "max speed), c = speed of sound (wcsph), the expected flow speed (pcisph, "
                        "pbf; dfsph's first step), the speed gravity adds in a step (dfsph, whose "
                        "step also follows its passes)",
         .min = 0.0,
         .max = 2.5,
         .min_exclusive = true,
         .default_number = 1.0,
         .live = true},
        {.key = "min_time_step",
         .group = "time",
         .kind = ParamKind::Real,
         .description = "smallest adaptive time step",
         .unit = "s",
         .min = 1.0e-8,
         .max = 0.1,
         .default_number = 1.0e-6,
         .live = true},
        {.key = "max_time_step",
         .group = "time",
         .kind = ParamKind::Real,
         .description = "largest adaptive time step",
         .unit = "s",
         .min = 1.0e-7,
         .max = 0.1,
         .default_number = 5.0e-3,
         .live = true},
        {.key = "end_time",
         .group = "time",
         .kind = ParamKind::Real,
         .description = "simulated time at which batch runs stop by default",
         .unit = "s",
         .min = 0.0,
         .max = 1.0e6,
         .min_exclusive = true,
         .default_number = 4.0},
        {.key = "neighbour_lists",
         .group = "solver",
         .kind = ParamKind::Bool,
         .description =
             "keep each particle's neighbours in lists found once a step, instead of "
             "scanning the grid in every neighbour loop: faster, above all for the "
             "iterative solvers, for ~4 bytes per neighbour; the same results either way",
         .default_bool = true,
         .live = true},
        {.key = "max_particles",
         .group = "fluid",
         .kind = ParamKind::Integer,
         .description =
             "the most fluid particles the simulation holds room for, its arrays sized once at "
             "load (emitters stop when it is reached); auto: the fluid blocks' particles plus "
             "what the emitters make by their end (or 1,000,000 more for one that never ends, "
             "at most as many as the domain holds)",
         .min = 1.0,
         .max = 20.0e6,
         .allows_auto = true},
        {.key = "memory_limit",
         .group = "fluid",
         .kind = ParamKind::Real,
         .description =
             "the most memory a scene may need, estimated at load before anything is allocated "
             "(fluid room, boundary samples, distance fields, gauges); a scene above it is "
             "refused, naming what takes the most; auto: three quarters of what the process may "
             "use (memory, cgroup, ulimit -v; of a 2 GiB WebAssembly heap)",
         .unit = "GiB",
         .min = 0.0,
         .max = 65536.0,
         .min_exclusive = true,
         .allows_auto = true},
        {.key = "domain_walls",
         .group = "boundary",
         .kind = ParamKind::Bool,
         .description = "sample boundary particles on the domain box walls (particles that leave "
                        "the domain are removed either way, and counted)",
         .default_bool = true},
    };
    return decls;
}

std::size_t index_of(std::string_view key) {
    const auto& decls = declarations();
    for (std::size_t i = 0; i < decls.size(); ++i) {
        if (decls[i].key == key) return i;
    }
    throw std::out_of_range("unknown parameter '" + std::string(key) + "'");
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string range_text(const ParamDecl& d) {
    return std::string(d.min_exclusive ? "(" : "[") + format_number(d.min) + ", " +
           format_number(d.max) + "]";
}

bool in_range(const ParamDecl& d, double v) {
    return (d.min_exclusive ? v > d.min : v >= d.min) && v <= d.max;
}

std::string choices_text(const ParamDecl& d) {
    std::string s;
    for (std::size_t i = 0; i < d.choices.size(); ++i) {
        s += (i ? ", \"" : "\"") + std::string(d.choices[i]) + "\"";
    }
    return s;
}

}  // namespace

std::span<const ParamDecl> parameter_declarations() {
    return declarations();
}

const ParamDecl* find_parameter(std::string_view key) {
    for (const ParamDecl& d : declarations()) {
        if (d.key == key) return &d;
    }
    return nullptr;
}

std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = std::max<std::size_t>(3, word.size() / 3) + 1;
    for (std::string_view c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = std::string(c);
        }
    }
    return best;
}

std::string describe_json(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::null:
            return "null";
        case nlohmann::json::value_t::boolean:
            return value.get<bool>() ? "true" : "false";
        case nlohmann::json::value_t::string:
            // Replacing invalid UTF-8 (a --set value is raw bytes), which dump() would throw on.
            return "the string " +
                   value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        case nlohmann::json::value_t::array:
            return "an array of " + std::to_string(value.size());
        case nlohmann::json::value_t::object:
            return "an object";
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned:
        case nlohmann::json::value_t::number_float:
            return value.dump();
        default:
            return "a value of unsupported type";
    }
}

ParameterSet::ParameterSet(int dimension) : dimension_(dimension) {
    for (const ParamDecl& d : declarations()) {
        switch (d.kind) {
            case ParamKind::Real:
            case ParamKind::Integer:
                if (d.allows_auto) {
                    values_.emplace_back(AutoValue{});
                } else {
                    values_.emplace_back(d.default_number);
                }
                break;
            case ParamKind::Bool:
                values_.emplace_back(d.default_bool);
                break;
            case ParamKind::Choice:
                values_.emplace_back(std::string(d.default_choice));
                break;
            case ParamKind::Vector: {
                std::vector<double> v(static_cast<std::size_t>(dimension), 0.0);
                v[1] = d.default_number;
                values_.emplace_back(std::move(v));
                break;
            }
        }
    }
}

void ParameterSet::set(std::string_view key, const nlohmann::json& value,
                       const std::string& where) {
    const ParamDecl* decl = find_parameter(key);
    if (!decl) throw SceneError(where + ": unknown parameter '" + std::string(key) + "'");
    const ParamDecl& d = *decl;
    auto fail = [&](const std::string& expected) {
        throw SceneError(where + ": expected " + expected + ", found " + describe_json(value));
    };
    ParamValue& slot = values_[index_of(key)];

    if (d.allows_auto && value.is_string() && value.get<std::string>() == "auto") {
        slot = AutoValue{};
        return;
    }
    const std::string auto_text = d.allows_auto ? " or \"auto\"" : "";
    switch (d.kind) {
        case ParamKind::Real:
        case ParamKind::Integer: {
            const std::string what =
                std::string(d.kind == ParamKind::Integer ? "an integer" : "a number") + " in " +
                range_text(d) + auto_text;
            if (!value.is_number()) fail(what);
            const double v = value.get<double>();
            if (!std::isfinite(v) || !in_range(d, v)) fail(what);
            if (d.kind == ParamKind::Integer && v != std::floor(v)) fail(what);
            slot = v;
            break;
        }
        case ParamKind::Bool:
            if (!value.is_boolean()) fail("true or false");
            slot = value.get<bool>();
            break;
        case ParamKind::Choice: {
            if (!value.is_string()) fail("one of " + choices_text(d));
            const std::string s = value.get<std::string>();
            if (std::find(d.choices.begin(), d.choices.end(), s) == d.choices.end()) {
                std::string msg = "one of " + choices_text(d);
                if (auto near = closest_match(s, d.choices))
                    msg += " (did you mean \"" + *near + "\"?)";
                fail(msg);
            }
            slot = s;
            break;
        }
        case ParamKind::Vector: {
            const std::string what =
                "an array of " + std::to_string(dimension_) + " numbers, each in " + range_text(d);
            if (!value.is_array() || value.size() != static_cast<std::size_t>(dimension_))
                fail(what);
            std::vector<double> v;
            for (const auto& e : value) {
                if (!e.is_number() || !std::isfinite(e.get<double>()) ||
                    !in_range(d, e.get<double>())) {
                    fail(what);
                }
                v.push_back(e.get<double>());
            }
            slot = std::move(v);
            break;
        }
    }
}

const ParamValue& ParameterSet::get(std::string_view key) const {
    return values_[index_of(key)];
}

double ParameterSet::number(std::string_view key) const {
    return std::get<double>(get(key));
}
bool ParameterSet::boolean(std::string_view key) const {
    return std::get<bool>(get(key));
}
const std::string& ParameterSet::choice(std::string_view key) const {
    return std::get<std::string>(get(key));
}
const std::vector<double>& ParameterSet::vector(std::string_view key) const {
    return std::get<std::vector<double>>(get(key));
}
bool ParameterSet::is_auto(std::string_view key) const {
    return std::holds_alternative<AutoValue>(get(key));
}

nlohmann::json ParameterSet::to_json(std::string_view key) const {
    return std::visit(
        [](const auto& v) -> nlohmann::json {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, AutoValue>) {
                return "auto";
            } else {
                return v;
            }
        },
        get(key));
}

}  // namespace flume
