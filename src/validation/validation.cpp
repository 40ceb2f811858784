#include "validation/validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/scene_library.hpp"
#include "core/simulation.hpp"
#include "core/sph/solvers/solver_table.hpp"

namespace flume {

namespace {

std::string format(const char* fmt, double a, double b = 0.0, double c = 0.0) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, fmt, a, b, c);
    return buffer;
}

// Linear interpolation of y(x) on increasing x; NaN outside the samples.
double interpolate(const std::vector<double>& xs, const std::vector<double>& ys, double x) {
    if (xs.empty() || x < xs.front() || x > xs.back())
        return std::numeric_limits<double>::quiet_NaN();
    const auto upper = std::upper_bound(xs.begin(), xs.end(), x);
    if (upper == xs.end()) return ys.back();
    const std::size_t k = static_cast<std::size_t>(upper - xs.begin());
    if (k == 0) return ys.front();
    const double t = (x - xs[k - 1]) / (xs[k] - xs[k - 1]);
    return ys[k - 1] + t * (ys[k] - ys[k - 1]);
}

// ---------------------------------------------------------------------------------------------
// Martin & Moyce (1952)

// The surge front: the largest x of a fluid particle with at least kMinNeighbours other fluid
// particles within the kernel support. A droplet or a lone particle skidding ahead of the front
// has fewer and is ignored; the tip of the surge along the floor has 4 to 6 (2D).
constexpr int kMinNeighbours = 3;

double surge_front(const ParticleView& v, double support) {
    const std::size_t d = static_cast<std::size_t>(v.dimension);
    std::vector<std::uint32_t> order(v.count);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return v.position[a * d] > v.position[b * d];
    });
    const double h2 = support * support;
    // Sorted by x: the neighbours of order[k] lie in a contiguous window around k.
    for (std::size_t k = 0; k < order.size(); ++k) {
        const float* xk = v.position + order[k] * d;
        int count = 0;
        for (int dir : {-1, 1}) {
            for (std::ptrdiff_t j = static_cast<std::ptrdiff_t>(k) + dir;
                 j >= 0 && j < static_cast<std::ptrdiff_t>(order.size()); j += dir) {
                const float* xj = v.position + order[static_cast<std::size_t>(j)] * d;
                if (std::abs(xj[0] - xk[0]) >= support) break;
                double r2 = 0.0;
                for (std::size_t c = 0; c < d; ++c)
                    r2 += (xj[c] - xk[c]) * (xj[c] - xk[c]);
                if (r2 < h2) ++count;
            }
        }
        if (count >= kMinNeighbours) return xk[0];
    }
    return 0.0;
}

// The simulated front is compared with the table after a time shift T0: the simulation removes
// the gate at once, the experiment could not (the paper notes the release), so the measured front
// lags by a constant time. T0 is the shift in [0, kMaxShift] with the least RMS error in Z; with
// it, every point must lie within kTolerance in Z. kTolerance: the table's +-0.05 uncertainty in
// T times the front speed dZ/dT ~ 1.4 is +-0.07 in Z, doubled for the front's discreteness (one
// particle spacing is 0.02 a at the default resolution) and the detection rule.
constexpr double kMaxShift = 0.4;
constexpr double kTolerance = 0.15;

ValidationReport validate_dam_break(const std::vector<std::string>& overrides, WorkerPool& pool,
                                    const ValidationProgress& progress) {
    const Scene scene = load_scene("martin-moyce-2d", overrides);
    if (scene.dimension != 2 || scene.fluid.size() != 1) {
        throw SceneError("dam-break validation: the scene must be 2D with one fluid block");
    }
    const double a = scene.fluid[0].region.max[0] - scene.fluid[0].region.min[0];
    const double g = std::abs(scene.params.vector("gravity")[1]);
    const double time_scale = std::sqrt(2.0 * g / a);  // T = t sqrt(2 g / a)
    const std::vector<FrontSample>& table = martin_moyce_front();
    const double end_time = (table.back().T + 0.1) / time_scale;

    const auto sim = Simulation::create(scene, pool);
    const double support = sim->constants().support;
    Series curve{"simulated (" + scene.params.choice("solver") + ")", {}, {}};
    auto sample = [&] {
        curve.x.push_back(sim->stats().time * time_scale);
        curve.y.push_back(surge_front(sim->fluid(), support) / a);
    };
    sample();
    while (sim->stats().time < end_time) {
        for (int s = 0; s < 20 && sim->stats().time < end_time; ++s)
            sim->step();
        sample();
        if (progress) progress(sim->stats().time, end_time);
    }

    auto errors_for = [&](double shift) {
        std::vector<double> e;
        for (const FrontSample& p : table)
            e.push_back(interpolate(curve.x, curve.y, p.T - shift) - p.Z);
        return e;
    };
    auto rms_of = [](const std::vector<double>& e) {
        double sum = 0.0;
        int n = 0;
        for (double x : e) {
            if (std::isnan(x)) return std::numeric_limits<double>::infinity();
            sum += x * x;
            ++n;
        }
        return n ? std::sqrt(sum / n) : std::numeric_limits<double>::infinity();
    };
    double shift = 0.0, best = std::numeric_limits<double>::infinity();
    for (int k = 0; k <= 400; ++k) {
        const double s = kMaxShift * k / 400.0;
        const double r = rms_of(errors_for(s));
        if (r < best) best = r, shift = s;
    }
    const std::vector<double> errors = errors_for(shift);

    ValidationReport report;
    report.name = "dam-break";
    report.title =
        "surge front of a collapsing water column against Martin & Moyce (1952), n^2 = 2";
    report.x_name = "T";
    report.value_name = "Z";
    report.error_name = "Z error";
    report.passed = std::isfinite(best);
    for (std::size_t k = 0; k < table.size(); ++k) {
        ValidationRow row;
        row.x = table[k].T;
        row.reference = table[k].Z;
        row.simulated = table[k].Z + errors[k];
        row.error = errors[k];
        row.within = std::abs(errors[k]) <= kTolerance;
        report.passed = report.passed && row.within;
        report.rows.push_back(row);
    }
    report.notes.push_back(format("column a = %.3f m, 2a high; %.0f fluid particles", a,
                                  static_cast<double>(sim->stats().fluid_particles)));
    report.notes.push_back(
        "front: largest x of a particle with at least 3 fluid neighbours within the kernel "
        "support");
    report.notes.push_back(
        format("time shift T0 = %.3f (simulated time T - T0; fitted in [0, %.1f] "
               "for the gate release)",
               shift, kMaxShift));
    report.notes.push_back(
        format("RMS error in Z: %.3f with the shift, %.3f without", best, rms_of(errors_for(0.0))));
    report.notes.push_back(format("tolerance: |Z error| <= %.2f at every point", kTolerance));
    report.x_label = "T = t sqrt(2g/a)";
    report.y_label = "Z = x/a";
    for (double& t : curve.x)
        t += shift;
    curve.label += format(", shifted by T0 = %.2f", shift);
    report.simulated = std::move(curve);
    report.reference.label = "Martin & Moyce (1952)";
    for (const FrontSample& p : table) {
        report.reference.x.push_back(p.T);
        report.reference.y.push_back(p.Z);
    }
    return report;
}

// ---------------------------------------------------------------------------------------------
// Hydrostatic tank

// The scene's container mesh, if it has one.
const MeshShape* container_mesh(const Scene& scene) {
    for (const ShapeDesc& o : scene.obstacles) {
        if (o.shape == Shape::Mesh && o.mesh->invert) return o.mesh.get();
    }
    return nullptr;
}

// The height along `up` that `particles` lattice cells of fluid (spacing^3 each) fill a
// container mesh to at rest. The fill of a curved container leaves gaps at its walls that the
// fluid settles into, so its level is lower than that of the block it was sampled from.
double fluid_level(const TriangleMesh& container, int up, std::size_t particles, double spacing) {
    const double volume = static_cast<double>(particles) * spacing * spacing * spacing;
    double lo = container.lower()[up], hi = container.upper()[up];
    for (int i = 0; i < 60; ++i) {
        const double mid = 0.5 * (lo + hi);
        (container.volume_below(up, mid) < volume ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

// The probes a tank at rest is checked with (core/probes.hpp), added to its scene: a pressure
// point in the middle of the tank at the mid-height of its fluid block, a gauge there, and (with
// domain walls) the force on the x+ wall. Their time-averaged readings must give rho0 g d within
// 2%, the fluid's level within one particle spacing, and (1/2) rho0 g H^2 per metre of wall (2D) or
// times the wall's width W (3D) within 3%. In the round tank (a container mesh) the readings are
// reported but not judged: the rules are those of the box tanks, and there the bands judge the
// pressure (PBF's probe reads 2.8% of rho0 g d low, 1.2% of rho0 g H, as its bands do).
class TankProbes {
  public:
    explicit TankProbes(Scene& scene) : judged_(!container_mesh(scene)) {
        const glm::dvec3 middle = 0.5 * (scene.domain_min + scene.domain_max);
        ProbeDesc point{ProbeType::Point, "mid-depth", middle};
        point.position.y = y_ = 0.5 * (scene.fluid[0].region.min.y + scene.fluid[0].region.max.y);
        if (scene.dimension == 2) point.position.z = 0.0;
        ProbeDesc gauge{ProbeType::Gauge, "level", point.position};
        scene.probes = {point, gauge};
        if (scene.params.boolean("domain_walls")) {
            ProbeDesc wall{ProbeType::Force, "side wall"};
            wall.wall_axis = 0;
            wall.wall_upper = true;
            scene.probes.push_back(wall);
            wall_width_ = scene.dimension == 3 ? scene.domain_max.z - scene.domain_min.z : 1.0;
        }
    }

    // Adds a reading, held for `weight` (the step's duration), to the time averages.
    void read(const Simulation& sim, double weight) {
        values_.resize(sim.probe_columns().size());
        sums_.resize(values_.size(), 0.0);
        sim.read_probes(values_);
        for (std::size_t k = 0; k < values_.size(); ++k)
            sums_[k] += weight * values_[k];
        readings_ += weight;
    }

    // Appends the comparisons with a level `height` above `bottom` to the report's notes; false
    // if one fails.
    bool check(ValidationReport& report, double bottom, double height, double rho0, double g,
               double spacing, int dimension) const {
        const auto average = [&](std::size_t k) { return sums_[k] / readings_; };
        const auto note = [&](std::string text, bool ok) {
            if (!ok) text += "  FAILED";
            report.notes.push_back(std::move(text));
            return ok;
        };
        const double depth = bottom + height - y_, expected_p = rho0 * g * depth;
        const double p = average(0), p_error = (p - expected_p) / expected_p;
        std::string text = format(
            "probe at depth d = %.4f m: p = %.1f Pa against rho0 g d = "
            "%.1f Pa",
            depth, p, expected_p);
        text += format(" (%+.2f%%, limit 2%%)", 100.0 * p_error);
        bool ok = note(text, !judged_ || std::abs(p_error) <= 0.02);
        const std::size_t level_column = static_cast<std::size_t>(dimension) + 2;
        const double level = average(level_column) - bottom;
        text = format("gauge: level %.4f m above the bottom against H = %.4f m (%+.4f m", level,
                      height, level - height);
        text += format(", limit one spacing %.3f m)", spacing);
        ok = note(text, !judged_ || std::abs(level - height) <= spacing) && ok;
        if (wall_width_ > 0.0) {
            const double force = average(level_column + 1);
            const double expected = 0.5 * rho0 * g * height * height * wall_width_;
            const double error = (force - expected) / expected;
            text = format(dimension == 2 ? "force on the side wall: %.2f N/m against (1/2) rho0 g "
                                           "H^2 = %.2f N/m (%+.2f%%, limit 3%%)"
                                         : "force on the side wall: %.2f N against (1/2) rho0 g "
                                           "H^2 W = %.2f N (%+.2f%%, limit 3%%)",
                          force, expected, 100.0 * error);
            ok = note(text, std::abs(error) <= 0.03) && ok;
        }
        if (!judged_) report.notes.push_back("probes: reported, not judged, in a container mesh");
        return ok;
    }

  private:
    bool judged_;              // false: the readings are reported only
    double y_ = 0.0;           // the point's height
    double wall_width_ = 0.0;  // 0: no wall force
    std::vector<double> values_, sums_;
    double readings_ = 0.0;  // the time they cover
};

// Settles the tank, then time-averages the pressure in horizontal bands 4r high (2 particle
// layers) and compares it with rho0 g (H - y) below the top band (whose particles lack
// neighbours above). A weakly compressible pressure oscillates around the hydrostatic state, so
// one snapshot would test the phase of an oscillation rather than the state.
ValidationReport validate_hydrostatic(const std::string& case_name, const std::string& scene_name,
                                      double settle_time, double average_time,
                                      const std::vector<std::string>& overrides, WorkerPool& pool,
                                      const ValidationProgress& progress) {
    Scene scene = load_scene(scene_name, overrides);
    // The vertical axis: the one gravity acts along.
    const std::vector<double>& gravity = scene.params.vector("gravity");
    int up = 0;
    for (int k = 1; k < scene.dimension; ++k)
        if (std::abs(gravity[k]) > std::abs(gravity[up])) up = k;
    if (up != 1) throw SceneError(case_name + " validation: gravity must act along y");
    TankProbes probes(scene);
    const auto sim = Simulation::create(scene, pool);
    double bottom = scene.fluid[0].region.min[up];
    double h_fluid = scene.fluid[0].region.max[up] - bottom;
    if (const MeshShape* tank = container_mesh(scene)) {
        bottom = tank->lower[up];
        h_fluid = fluid_level(tank->mesh, up, sim->stats().fluid_particles,
                              2.0 * sim->constants().particle_radius) -
                  bottom;
    }
    const double rho0 = scene.params.number("rest_density");
    const double g = std::abs(gravity[up]);
    const double band_height = 4.0 * sim->constants().particle_radius;
    const int bands = static_cast<int>(h_fluid / band_height);
    const double end_time = settle_time + average_time;

    double peak_energy = 0.0;
    while (sim->stats().time < settle_time) {
        sim->step();
        peak_energy = std::max(peak_energy, sim->stats().kinetic_energy);
        if (progress && sim->stats().step % 50 == 0) progress(sim->stats().time, end_time);
    }
    // Every step's state, weighted by the step's duration: the iterative solvers' pressure
    // carries what each step's solve corrects and moves from step to step, and their steps are
    // 10 to 25 times WCSPH's, so a reading every few steps would average a few dozen of them.
    std::vector<double> p_sum(bands, 0.0), y_sum(bands, 0.0), count(bands, 0.0);
    double density_error = 0.0, energy = 0.0, averaged = 0.0;
    while (sim->stats().time < end_time) {
        const double before = sim->stats().time;
        sim->step();
        const double weight = sim->stats().time - before;
        const ParticleView v = sim->fluid();
        for (std::size_t i = 0; i < v.count; ++i) {
            const double y = v.position[i * v.dimension + up];
            const int b = static_cast<int>(y / band_height);
            if (b < 0 || b >= bands) continue;
            p_sum[b] += weight * v.pressure[i];
            y_sum[b] += weight * y;
            count[b] += weight;
        }
        probes.read(*sim, weight);
        density_error += weight * sim->stats().average_density_error;
        energy += weight * sim->stats().kinetic_energy;
        averaged += weight;
        if (progress && sim->stats().step % 50 == 0) progress(sim->stats().time, end_time);
    }
    density_error /= averaged;
    energy /= averaged;

    const std::string solver = scene.params.choice("solver");
    // A weakly compressible solver (WCSPH): about 1% by design (speed of sound 10x the flow
    // speed). An iterative solver: its own tolerance, with 2% of it allowed for the difference
    // between the linear prediction of the density that the solve stops on (BK17 eq. 12) and the
    // density the step ends in (measured: 5.009e-4 on average for a tolerance of 5e-4 with DFSPH).
    const bool weakly_compressible = find_solver(solver)->weakly_compressible;
    const double density_limit =
        weakly_compressible ? 0.01 : 1.02 * scene.params.number("density_tolerance");
    const double pressure_limit = 0.03;  // of rho0 g H
    const double mass =
        sim->constants().particle_mass * static_cast<double>(sim->stats().fluid_particles);
    const double energy_limit = 1.0e-3 * mass * g * h_fluid;

    ValidationReport report;
    report.name = case_name;
    report.title = "pressure in a tank at rest against rho0 g (H - y) (" + solver + ")";
    report.x_name = "y [m]";
    report.value_name = "p [Pa]";
    report.error_name = "error [% of rho0 g H]";
    report.passed = true;
    report.simulated.label = "simulated (" + solver + "), time-averaged";
    report.reference.label = "rho0 g (H - y)";
    for (int b = 0; b + 1 < bands; ++b) {
        if (count[b] == 0.0) continue;
        ValidationRow row;
        row.x = y_sum[b] / count[b];
        row.simulated = p_sum[b] / count[b];
        row.reference = rho0 * g * (h_fluid - row.x);
        row.error = 100.0 * (row.simulated - row.reference) / (rho0 * g * h_fluid);
        row.within = std::abs(row.error) <= 100.0 * pressure_limit;
        report.passed = report.passed && row.within;
        report.rows.push_back(row);
        report.simulated.x.push_back(row.x);
        report.simulated.y.push_back(row.simulated);
    }
    report.reference.x = {0.0, h_fluid};
    report.reference.y = {rho0 * g * h_fluid, 0.0};
    const bool density_ok = density_error < density_limit;
    // WCSPH starts with a pressure wave and must damp it to a tenth; an incompressible solver
    // starts almost at equilibrium and has no settling peak to compare with.
    const bool energy_ok =
        energy < energy_limit && (!weakly_compressible || energy < 0.1 * peak_energy);
    report.passed = report.passed && density_ok && energy_ok && sim->stats().removed_particles == 0;
    report.notes.push_back(
        format("settled for %.1f s, averaged over %.1f s", settle_time, average_time));
    if (container_mesh(scene)) {
        report.notes.push_back(format(
            "H = %.4f m: the level that the fluid's volume (N (2r)^3) fills the container mesh to",
            h_fluid));
    }
    report.notes.push_back(
        format("pressure tolerance: %.0f%% of rho0 g H in every band below the top",
               100.0 * pressure_limit));
    report.notes.push_back(format("average density error %.3f%% (limit %.3f%%)",
                                  100.0 * density_error, 100.0 * density_limit) +
                           (density_ok ? "" : "  FAILED"));
    report.notes.push_back(
        format("kinetic energy %.3g J (limit %.3g J = 1e-3 M g H; peak while settling "
               "%.3g J, which WCSPH must damp to a tenth)",
               energy, energy_limit, peak_energy) +
        (energy_ok ? "" : "  FAILED"));
    const double spacing = 2.0 * sim->constants().particle_radius;
    report.passed =
        probes.check(report, bottom, h_fluid, rho0, g, spacing, scene.dimension) && report.passed;
    report.x_label = "y [m]";
    report.y_label = "p [Pa]";
    return report;
}

// ---------------------------------------------------------------------------------------------
// Archimedes: floating squares

struct Drafts {
    std::vector<double> measured, expected;  // per body, m
    std::vector<double> drift;  // per body: largest sideways offset from where it was let go, m
    double spacing = 0.0;
    std::size_t particles = 0;
};

// Runs the scene's squares (2D, upright: "axes": ["x", "y"]) to settle_time held sideways (each
// step starts with their x velocity zeroed; they heave freely), then lets them go, averages
// each one's draft over the steps up to average_end and follows its sideways drift from where it
// was let go up to end_time. The draft: the water level, from the fluid's area (N (2r)^2 over its
// mean compression) and the bodies' submerged areas in the tank, less the square's bottom. The
// hold is a release procedure: nothing holds a floating body sideways, so a body free from t = 0
// keeps the sideways impulses of its release (its heave and the waves it starts; the outer
// squares start half a spacing off their drafts) as a lasting offset: up to 2.9 spacings in 10 s
// (DFSPH) where after 3 s of hold the most was 0.96 (docs/bodies.md).
Drafts measure_drafts(const Scene& scene, double settle_time, double average_end, double end_time,
                      WorkerPool& pool, const ValidationProgress& progress) {
    const auto sim = Simulation::create(scene, pool);
    const double rho0 = scene.params.number("rest_density");
    const double width = scene.domain_max.x - scene.domain_min.x;
    const std::size_t n = scene.bodies.size();
    Drafts d;
    d.spacing = 2.0 * sim->constants().particle_radius;
    std::vector<double> side(n), x0(n), sum(n, 0.0);
    double submerged = 0.0;  // the squares' areas under water, at their expected drafts
    for (std::size_t k = 0; k < n; ++k) {
        const ShapeDesc& s = scene.bodies[k].shape;
        side[k] = s.max.y - s.min.y;
        const double ratio = sim->bodies()[k].mass / ((s.max.x - s.min.x) * side[k]) / rho0;
        d.expected.push_back(ratio * side[k]);
        submerged += (s.max.x - s.min.x) * ratio * side[k];
    }
    d.drift.assign(n, 0.0);
    double weight = 0.0;
    bool held = true;
    while (sim->stats().time < end_time) {
        if (held && sim->stats().time >= settle_time) {
            held = false;
            for (std::size_t k = 0; k < n; ++k)
                x0[k] = sim->bodies()[k].position.x;
        }
        for (std::size_t k = 0; held && k < n; ++k) {
            const BodyStatus& b = sim->bodies()[k];
            if (b.fixed) continue;
            nlohmann::json v = nlohmann::json::array();
            for (int c = 0; c < scene.dimension; ++c)
                v.push_back(c == 0 ? 0.0 : b.velocity[c]);
            sim->set_parameter("bodies/" + std::to_string(k) + "/velocity", v);
        }
        sim->step();
        if (progress && sim->stats().step % 50 == 0) progress(sim->stats().time, end_time);
        if (held) continue;
        for (std::size_t k = 0; k < n; ++k)
            d.drift[k] = std::max(d.drift[k], std::abs(sim->bodies()[k].position.x - x0[k]));
        if (sim->stats().time > average_end) continue;
        // The fluid's area, its compression (WCSPH's ~1%) taken out.
        const double area = static_cast<double>(sim->stats().fluid_particles) * d.spacing *
                            d.spacing / (1.0 + sim->stats().average_density_error);
        const double level = scene.domain_min.y + (area + submerged) / width;
        const double dt = sim->stats().dt;
        for (std::size_t k = 0; k < n; ++k) {
            const BodyStatus& b = sim->bodies()[k];
            sum[k] += (level - (b.position.y - 0.5 * side[k])) * dt;
        }
        weight += dt;
    }
    for (std::size_t k = 0; k < n; ++k)
        d.measured.push_back(sum[k] / weight);
    d.particles = sim->stats().fluid_particles;
    return d;
}

// Squares of 0.3, 0.5 and 0.7 rho0 held upright float at the draft rho_s / rho0 times their
// side, time-averaged over 2 s after 3 s of settling held sideways, each within a quarter
// spacing; the same scene at twice the spacing is run too, and the finer run's mean error must
// not be the larger. The finer run goes on to 10 s after the hold: each square's sideways drift
// within one spacing (the SPH force noise's: the time-averaged sideways force is zero; 0.4 to 0.6
// spacings on average, at most 0.96 in five DFSPH runs with the squares moved by 0.1 mm).
ValidationReport validate_archimedes(const std::vector<std::string>& overrides, WorkerPool& pool,
                                     const ValidationProgress& progress) {
    const Scene scene = load_scene("archimedes-2d", overrides);
    if (scene.bodies.empty()) throw SceneError("archimedes validation: the scene has no bodies");
    for (const BodyDesc& b : scene.bodies) {
        if (b.shape.shape != Shape::Box || b.turns.z != 0.0) {
            throw SceneError("archimedes validation: its bodies must be boxes held upright");
        }
    }
    constexpr double kSettle = 3.0, kAverage = 5.0, kEnd = 13.0;  // s
    constexpr double kDraftTolerance = 0.25, kDriftLimit = 1.0;   // spacings
    std::vector<std::string> coarse_overrides = overrides;
    coarse_overrides.push_back("particle_radius=" +
                               format("%.17g", 2.0 * scene.params.number("particle_radius")));
    const Scene coarse_scene = load_scene("archimedes-2d", coarse_overrides);
    const Drafts coarse = measure_drafts(coarse_scene, kSettle, kAverage, kAverage, pool, progress);
    const Drafts fine = measure_drafts(scene, kSettle, kAverage, kEnd, pool, progress);

    const std::string solver = scene.params.choice("solver");
    ValidationReport report;
    report.name = "archimedes";
    report.title =
        "floating squares' drafts against rho_s / rho0 times their side (" + solver + ")";
    report.x_name = "rho_s/rho0";
    report.value_name = "draft [m]";
    report.error_name = "error [spacings]";
    report.passed = true;
    report.simulated.label = "simulated (" + solver + "), time-averaged";
    report.reference.label = "Archimedes";
    double fine_error = 0.0, coarse_error = 0.0;
    for (std::size_t k = 0; k < fine.measured.size(); ++k) {
        ValidationRow row;
        const ShapeDesc& s = scene.bodies[k].shape;
        row.x = fine.expected[k] / (s.max.y - s.min.y);
        row.simulated = fine.measured[k];
        row.reference = fine.expected[k];
        row.error = (row.simulated - row.reference) / fine.spacing;
        row.within = std::abs(row.error) <= kDraftTolerance;
        report.passed = report.passed && row.within;
        report.rows.push_back(row);
        report.simulated.x.push_back(row.x);
        report.simulated.y.push_back(row.simulated);
        report.reference.x.push_back(row.x);
        report.reference.y.push_back(row.reference);
        fine_error += std::abs(fine.measured[k] - fine.expected[k]);
        coarse_error += std::abs(coarse.measured[k] - coarse.expected[k]);
        const bool steady = fine.drift[k] <= kDriftLimit * fine.spacing;
        report.passed = report.passed && steady;
        report.notes.push_back(format("body %.0f: sideways drift at most %.4f m (%.2f spacings)",
                                      static_cast<double>(k), fine.drift[k],
                                      fine.drift[k] / fine.spacing) +
                               format(" in the %.0f s after it was let go", kEnd - kSettle) +
                               (steady ? "" : "  FAILED: more than a spacing"));
    }
    const std::size_t n = fine.measured.size();
    fine_error /= static_cast<double>(n);
    coarse_error /= static_cast<double>(n);
    const bool converges = fine_error <= coarse_error;
    report.passed = report.passed && converges;
    report.notes.push_back(
        format("%.0f fluid particles at spacing %.4f m; settled %.1f s held sideways",
               static_cast<double>(fine.particles), fine.spacing, kSettle) +
        format(", averaged to %.1f s", kAverage));
    report.notes.push_back(
        format("mean |error| %.5f m at spacing %.4f m, %.5f m at twice the spacing", fine_error,
               fine.spacing, coarse_error) +
        (converges ? "" : "  FAILED: the finer run is not closer"));
    report.notes.push_back(
        format("tolerance: |error| <= %.2f spacings for every body, drift <= %.0f spacing",
               kDraftTolerance, kDriftLimit));
    report.x_label = "rho_s / rho0";
    report.y_label = "draft [m]";
    return report;
}

// ---------------------------------------------------------------------------------------------
// Water entry of a half-buoyant cylinder

// Greenhow & Lin (1983) as tabulated by Sun et al. (2018, Appl. Ocean Res. 72): a cylinder of
// D = 0.11 m and density 500 kg/m^3 entering still water at 2.955 m/s; its penetration (the
// still surface less its lowest point) over D against t* = t sqrt(g / D).
struct EntrySample {
    double t_star, depth;
};
constexpr EntrySample kWaterEntry[] = {
    {0.277, 0.495}, {0.378, 0.609}, {0.797, 1.068}, {1.131, 1.220}};

ValidationReport validate_water_entry(const std::vector<std::string>& overrides, WorkerPool& pool,
                                      const ValidationProgress& progress) {
    const Scene scene = load_scene("water-entry-2d", overrides);
    if (scene.bodies.size() != 1 || scene.bodies[0].shape.shape != Shape::Sphere ||
        scene.fluid.size() != 1) {
        throw SceneError("water-entry validation: the scene must have one cylinder and one block");
    }
    constexpr double kEntryTolerance = 0.1;  // in penetration / D
    const double g = std::abs(scene.params.vector("gravity")[1]);
    const double radius = scene.bodies[0].shape.radius, diameter = 2.0 * radius;
    const double surface = scene.fluid[0].region.max.y;
    const double v0 = -scene.bodies[0].velocity.y;
    const double start = surface - (scene.bodies[0].shape.center.y - radius);  // at t = 0
    const double scale = std::sqrt(g / diameter);
    const double end_time = kWaterEntry[3].t_star / scale;
    const auto sim = Simulation::create(scene, pool);

    std::vector<double> ts{0.0}, depths{start / diameter};
    double deepest_excess = -1.0e300;  // penetration less free fall's, / D
    while (sim->stats().time < end_time) {
        sim->step();
        const double t = sim->stats().time;
        const double depth = surface - (sim->bodies()[0].position.y - radius);
        const double free_fall = start + v0 * t + 0.5 * g * t * t;
        deepest_excess = std::max(deepest_excess, (depth - free_fall) / diameter);
        ts.push_back(t * scale);
        depths.push_back(depth / diameter);
        if (progress && sim->stats().step % 20 == 0) progress(t, end_time);
    }
    const std::string solver = scene.params.choice("solver");
    ValidationReport report;
    report.name = "water-entry";
    report.title =
        "a half-buoyant cylinder entering water against Greenhow & Lin (1983) (" + solver + ")";
    report.x_name = "t*";
    report.value_name = "depth/D";
    report.error_name = "error [D]";
    report.passed = true;
    report.simulated.label = "simulated (" + solver + ")";
    report.reference.label = "Greenhow & Lin (1983)";
    for (const EntrySample& e : kWaterEntry) {
        ValidationRow row;
        row.x = e.t_star;
        row.simulated = interpolate(ts, depths, e.t_star);
        row.reference = e.depth;
        row.error = row.simulated - row.reference;
        row.within = std::abs(row.error) <= kEntryTolerance;
        report.passed = report.passed && row.within;
        report.rows.push_back(row);
        report.reference.x.push_back(e.t_star);
        report.reference.y.push_back(e.depth);
    }
    report.simulated.x = ts;
    report.simulated.y = depths;
    // Symplectic Euler runs ahead of the exact free fall by g t dt / 2 before the cylinder
    // meets the water: 1e-3 D allows that, not a step that pushed it down.
    const bool slower = deepest_excess <= 1.0e-3;
    report.passed = report.passed && slower;
    report.notes.push_back(format("D = %.3f m, %.0f fluid particles, spacing %.4f m", diameter,
                                  static_cast<double>(sim->stats().fluid_particles),
                                  2.0 * sim->constants().particle_radius));
    report.notes.push_back(
        format("deepest against free fall from %.3f m/s: %+.5f D", v0, deepest_excess) +
        (slower ? " (never deeper, within 1e-3 D)" : "  FAILED: deeper than free fall"));
    report.notes.push_back(format("tolerance: |error| <= %.2f D at every point", kEntryTolerance));
    report.x_label = "t* = t sqrt(g/D)";
    report.y_label = "penetration / D";
    return report;
}

// ---------------------------------------------------------------------------------------------
// Piston wave maker

// The wave number of a linear wave of angular frequency omega in water of depth h (dispersion
// relation omega^2 = g k tanh(k h)), by Newton's method from the deep-water value.
double wave_number(double omega, double g, double h) {
    double k = omega * omega / g;
    for (int i = 0; i < 50; ++i) {
        const double t = std::tanh(k * h);
        const double f = g * k * t - omega * omega;
        const double df = g * t + g * k * h * (1.0 - t * t);
        k -= f / df;
    }
    return k;
}

// The free surface at x: the highest fluid particle within 2r of the vertical line there, of
// those with at least two others in that strip within a support below them (a droplet above
// the surface is not the surface). NaN where the strip is empty.
double surface_height(const ParticleView& v, double x, float r) {
    std::vector<double> ys;
    for (std::size_t i = 0; i < v.count; ++i) {
        if (std::abs(v.position[2 * i] - x) < 2.0 * r) ys.push_back(v.position[2 * i + 1]);
    }
    std::sort(ys.begin(), ys.end());
    for (std::size_t k = ys.size(); k-- > 2;) {
        if (ys[k] - ys[k - 2] < 4.0 * r) return ys[k];
    }
    return std::numeric_limits<double>::quiet_NaN();
}

// The mean crest-to-trough height over the whole periods of a surface record sampled
// `per_period` times a period, smoothed over 5 samples (a particle's jump is not a crest).
double mean_wave_height(const std::vector<double>& eta, std::size_t per_period) {
    if (eta.size() < per_period + 4) return 0.0;
    std::vector<double> smooth(eta.size() - 4);
    for (std::size_t i = 0; i < smooth.size(); ++i)
        smooth[i] = (eta[i] + eta[i + 1] + eta[i + 2] + eta[i + 3] + eta[i + 4]) / 5.0;
    double sum = 0.0;
    std::size_t periods = 0;
    for (std::size_t start = 0; start + per_period <= smooth.size(); start += per_period) {
        const auto [lo, hi] =
            std::minmax_element(smooth.begin() + static_cast<std::ptrdiff_t>(start),
                                smooth.begin() + static_cast<std::ptrdiff_t>(start + per_period));
        sum += *hi - *lo;
        ++periods;
    }
    return sum / static_cast<double>(periods);
}

// Runs wave-tank-2d: a piston of stroke S = 2 A oscillates with period T at the end of a flume
// of depth h; gauges at 2, 3 and 4 depths from the piston (where its evanescent modes have
// decayed: the first as e^(-pi x / h), to 0.2% at 2 h) record the surface from the
// third period until the wave reflected at the far end could return. The wave height is the mean
// crest-to-trough height per period (at this steepness the crests are sharper than the troughs,
// so a sinusoid's 2 sqrt(2) sigma would read 6% low), compared with linear wavemaker theory
// (Biesel 1951; Dean & Dalrymple 1991, eq. 6.25): H / S = 2 (cosh 2kh - 1) / (sinh 2kh + 2kh).
ValidationReport validate_wave_maker(const std::vector<std::string>& overrides, WorkerPool& pool,
                                     const ValidationProgress& progress) {
    const Scene scene = load_scene("wave-tank-2d", overrides);
    if (scene.dimension != 2 || scene.obstacles.empty() ||
        scene.obstacles[0].motion.type != MotionType::Oscillate || scene.fluid.size() != 1) {
        throw SceneError(
            "wave-maker validation: the scene must be 2D with one fluid block and "
            "an oscillating piston first among its obstacles");
    }
    const Motion& piston = scene.obstacles[0].motion;
    const double h = scene.fluid[0].region.max[1] - scene.fluid[0].region.min[1];
    const double g = std::abs(scene.params.vector("gravity")[1]);
    const double front = scene.obstacles[0].max[0];
    const double stroke = 2.0 * piston.amplitude;
    const double omega = 2.0 * 3.14159265358979323846 / piston.period;
    const double k = wave_number(omega, g, h);
    const double kh2 = 2.0 * k * h;
    const double biesel = 2.0 * (std::cosh(kh2) - 1.0) / (std::sinh(kh2) + kh2);
    const double expected = biesel * stroke;
    // The group speed: when the wave reflected at the far end comes back to the last gauge.
    const double phase_speed = omega / k;
    const double group_speed = 0.5 * phase_speed * (1.0 + kh2 / std::sinh(kh2));
    const double length = scene.domain_max[0] - front;
    const double gauges[] = {front + 2.0 * h, front + 3.0 * h, front + 4.0 * h};
    const double start = piston.ramp + 2.0 * piston.period;
    const double end_time = std::min(start + 3.0 * piston.period,
                                     (length + (scene.domain_max[0] - gauges[2])) / group_speed);

    const auto sim = Simulation::create(scene, pool);
    const float r = sim->constants().particle_radius;
    const std::size_t samples_per_period = 120;
    std::vector<std::vector<double>> eta(3);
    Series curve;
    curve.label = "simulated surface at the first gauge (";
    curve.label += scene.params.choice("solver");
    curve.label += ")";
    double next_sample = start;
    while (sim->stats().time < end_time) {
        sim->step();
        if (sim->stats().time >= next_sample) {
            const ParticleView v = sim->fluid();
            for (int gauge = 0; gauge < 3; ++gauge) {
                const double y = surface_height(v, gauges[gauge], r);
                if (std::isfinite(y)) eta[gauge].push_back(y);
            }
            curve.x.push_back(sim->stats().time);
            curve.y.push_back(eta[0].empty() ? 0.0 : eta[0].back());
            next_sample += piston.period / samples_per_period;
        }
        if (progress && sim->stats().step % 50 == 0) progress(sim->stats().time, end_time);
    }

    const double tolerance = 0.10;  // of H
    ValidationReport report;
    report.name = "wave-maker";
    report.title = "piston wave maker: wave height against Biesel's transfer function (";
    report.title += scene.params.choice("solver");
    report.title += ")";
    report.x_name = "x [m]";
    report.value_name = "H [m]";
    report.error_name = "error [% of H]";
    report.passed = sim->stats().removed_particles == 0;
    double mean_level = 0.0;
    for (int gauge = 0; gauge < 3; ++gauge) {
        const std::vector<double>& e = eta[gauge];
        if (gauge == 0 && !e.empty())
            mean_level = std::accumulate(e.begin(), e.end(), 0.0) / static_cast<double>(e.size());
        ValidationRow row;
        row.x = gauges[gauge];
        row.simulated = mean_wave_height(e, samples_per_period);
        row.reference = expected;
        row.error = 100.0 * (row.simulated - expected) / expected;
        row.within = e.size() >= 3 * samples_per_period && std::abs(row.error) <= 100.0 * tolerance;
        report.passed = report.passed && row.within;
        report.rows.push_back(row);
    }
    report.simulated = curve;
    for (double t : curve.x) {
        report.reference.x.push_back(t);
        report.reference.y.push_back(mean_level);
    }
    report.reference.label = "still-water level of the record";
    report.notes.push_back(
        format("depth h = %.3f m, stroke S = %.3f m, period T = %.2f s", h, stroke, piston.period));
    report.notes.push_back(format("k h = %.3f (wavelength %.2f m): Biesel H/S = %.3f", k * h,
                                  2.0 * 3.14159265358979323846 / k, biesel));
    report.notes.push_back(format("expected wave height H = S H/S = %.4f m", expected));
    report.notes.push_back(
        format("recorded from t = %.2f s to %.2f s, before the reflection "
               "from the far end returns (group speed %.2f m/s)",
               start, end_time, group_speed));
    report.notes.push_back(
        format("tolerance: %.0f%% of H at every gauge: the surface is found to "
               "a particle radius (r = %.4f m, H / r = %.0f), and the wave "
               "loses height as it runs (numerical damping)",
               100.0 * tolerance, r, expected / r));
    report.x_label = "t [s]";
    report.y_label = "surface at the first gauge [m]";
    return report;
}

}  // namespace

const std::vector<FrontSample>& martin_moyce_front() {
    // Martin & Moyce (1952), Phil. Trans. R. Soc. A 244:312-324, Tables 2 and 6: column
    // a = 2.25 in wide and 2a high; T = t sqrt(2 g / a), Z = x / a from the back wall. Read
    // uncertainty about +-0.05 in T.
    static const std::vector<FrontSample> table = {
        {0.41, 1.11}, {0.84, 1.22}, {1.19, 1.44}, {1.43, 1.67}, {1.63, 1.89},
        {1.83, 2.11}, {1.98, 2.33}, {2.20, 2.56}, {2.32, 2.78}, {2.51, 3.00},
        {2.65, 3.22}, {2.83, 3.44}, {2.98, 3.67}, {3.11, 3.89}, {3.33, 4.11}};
    return table;
}

const std::vector<ValidationCase>& validation_cases() {
    static const std::vector<ValidationCase> cases = {
        {"dam-break",
         "Martin & Moyce (1952) dam break: surge front against the measured table (scene "
         "martin-moyce-2d)"},
        {"hydrostatic",
         "tank at rest: pressure profile, density error and kinetic energy (scene "
         "hydrostatic-2d)"},
        {"hydrostatic-3d", "the same in 3D (scene hydrostatic-3d)"},
        {"hydrostatic-tank-3d",
         "the same in a round tank with a hemispherical bottom, a container mesh (scene "
         "hydrostatic-tank-3d)"},
        {"wave-maker",
         "piston wave maker: wave height against Biesel's transfer function (scene "
         "wave-tank-2d)"},
        {"water-entry",
         "a half-buoyant cylinder entering water at 2.955 m/s: penetration against Greenhow & "
         "Lin (1983) (scene water-entry-2d)"},
        {"archimedes",
         "floating squares of 0.3, 0.5 and 0.7 rho0: drafts against Archimedes, at two "
         "resolutions (scene archimedes-2d)"}};
    return cases;
}

ValidationReport run_validation(const std::string& name, const std::vector<std::string>& overrides,
                                WorkerPool& pool, const ValidationProgress& progress) {
    if (name == "dam-break") return validate_dam_break(overrides, pool, progress);
    if (name == "wave-maker") return validate_wave_maker(overrides, pool, progress);
    if (name == "archimedes") return validate_archimedes(overrides, pool, progress);
    if (name == "water-entry") return validate_water_entry(overrides, pool, progress);
    if (name == "hydrostatic") {
        return validate_hydrostatic(name, "hydrostatic-2d", 1.5, 0.5, overrides, pool, progress);
    }
    if (name == "hydrostatic-3d") {
        return validate_hydrostatic(name, name, 1.0, 0.4, overrides, pool, progress);
    }
    if (name == "hydrostatic-tank-3d") {
        // Longer: the fluid starts from a lattice that the round walls cut, with gaps along
        // them that it settles into.
        return validate_hydrostatic(name, name, 2.0, 0.4, overrides, pool, progress);
    }
    std::string known;
    for (const ValidationCase& c : validation_cases())
        known += (known.empty() ? "" : ", ") + c.name;
    throw SceneError("no validation case named \"" + name + "\" (known: " + known + ")");
}

}  // namespace flume
