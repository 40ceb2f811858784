// flume-bench: how fast Flume's core steps, per case and thread count. A benchmark, not a test:
// it measures and prints; nothing here asserts on time.
//
//   flume-bench                       all three tables (about 100k particles a case), 1..N threads
//   flume-bench --quick               small cases, for a smoke run
//   flume-bench --threads 1,2 --repeats 5 --steps 20 --csv out.csv --validate-hash
//   flume-bench --only runs --until 0.25 --run-csv runs.csv
//   flume-bench --only load           a mesh of 100k triangles read, checked and sampled
//
// Three tables. Whole runs (what a user waits for): each solver from t = 0 to --until, through the
// collapse and the run-up of the dam break, timed as a whole: wall seconds per simulated second
// (also per 100k particles), steps, mean time step, pressure passes per step (mean and max; for
// DFSPH also the divergence passes), the average density error over the steps and each stage's
// share. First steps (a per-step view): min and median ms per step over the repeats of --steps
// steps after --warmup steps from rest, where the adaptive step is at its largest, so they read
// better per simulated second than a whole run does; particle-steps per second, the mean time
// step and passes, stage shares, neighbours per particle, bytes of simulation memory per
// particle. The neighbour-search cases time one grid build and neighbour lists. Mesh loading: a
// sphere of 99,904 triangles (OBJ text) read, welded, checked, its distance field built and its
// shell sampled into 96,840 boundary samples (r = 5 mm), best of the repeats.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/neighbours/grid.hpp"
#include "core/neighbours/lists.hpp"
#include "core/scene_library.hpp"
#include "core/simulation.hpp"
#include "core/sph/solvers/solver_table.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Case {
    std::string name;
    std::string scene;  // empty: the neighbour search alone
    std::vector<std::string> overrides;
    std::size_t search_particles = 0;  // neighbour-search cases
    bool without_bodies = false;       // the scene with its rigid bodies left out (their cost)
};

flume::Scene scene_of(const Case& c) {
    flume::Scene scene = flume::load_scene(c.scene, c.overrides);
    if (c.without_bodies) scene.bodies.clear();
    return scene;
}

// A whole run from t = 0 to `until`.
struct RunResult {
    std::string name;
    int threads = 1;
    std::size_t particles = 0;  // fluid particles at the start
    double until = 0.0;         // simulated seconds reached
    std::uint64_t steps = 0;
    double wall_s = 0.0;  // median over the repeats
    double mean_dt_ms = 0.0;
    double passes_mean = 0.0, divergence_passes_mean = 0.0;
    int passes_max = 0, divergence_passes_max = 0;
    double density_error = 0.0;  // mean over the steps of the average density error
    std::map<std::string, double> stage_share;
    std::uint64_t hash = 0;

    double wall_per_simulated_s() const { return until > 0.0 ? wall_s / until : 0.0; }
    double per_100k() const {
        return particles ? wall_per_simulated_s() * 1e5 / static_cast<double>(particles) : 0.0;
    }
};

struct Result {
    std::string name;
    int threads = 1;
    std::size_t particles = 0;
    int steps = 0;
    double min_ms = 0.0, median_ms = 0.0;
    double neighbours = 0.0;
    double bytes_per_particle = 0.0;
    double mean_dt_ms = 0.0;  // simulated time per step: the iterative solvers take longer steps
    double iterations = 0.0;  // mean pressure-solve passes per step (iterative solvers)
    std::map<std::string, double> stage_share;  // name -> fraction of the step
    std::uint64_t hash = 0;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// Average neighbours (within the kernel support, self included) of the fluid particles.
double neighbours_per_particle(const flume::ParticleView& p, float support,
                               flume::WorkerPool& pool) {
    auto count = [&]<int D>() {
        std::vector<flume::Vec<D>> x(p.count);
        flume::Vec<D> lo(1e30f), hi(-1e30f);
        for (std::size_t i = 0; i < p.count; ++i) {
            for (int k = 0; k < D; ++k) {
                x[i][k] = p.position[i * D + k];
                lo[k] = std::min(lo[k], x[i][k]);
                hi[k] = std::max(hi[k], x[i][k]);
            }
        }
        flume::NeighbourGrid<D> grid;
        grid.configure(lo - flume::Vec<D>(support), hi + flume::Vec<D>(support), support);
        grid.sort(x, pool);
        std::vector<flume::Vec<D>> sorted(p.count);
        for (std::size_t k = 0; k < p.count; ++k)
            sorted[k] = x[grid.order()[k]];
        std::size_t total = 0;
        for (std::size_t i = 0; i < p.count; ++i) {
            grid.for_each_neighbour(sorted[i], sorted.data(), support,
                                    [&](std::uint32_t, const flume::Vec<D>&, float) { ++total; });
        }
        return p.count ? static_cast<double>(total) / static_cast<double>(p.count) : 0.0;
    };
    return p.dimension == 2 ? count.template operator()<2>() : count.template operator()<3>();
}

Result run_simulation_case(const Case& c, int threads, int warmup, int steps, int repeats) {
    const flume::Scene scene = scene_of(c);
    Result r;
    r.name = c.name;
    r.threads = threads;
    r.steps = steps;
    std::vector<double> samples;
    std::map<std::string, double> stage_ms;
    double step_ms_total = 0.0;
    double dt_sum = 0.0, iteration_sum = 0.0;
    for (int rep = 0; rep < repeats; ++rep) {
        flume::WorkerPool pool(threads);
        auto sim = flume::Simulation::create(scene, pool);
        for (int s = 0; s < warmup; ++s)
            sim->step();
        const auto start = Clock::now();
        for (int s = 0; s < steps; ++s) {
            sim->step();
            const flume::StepStats& st = sim->stats();
            dt_sum += st.dt;
            iteration_sum += st.pressure_iterations;
            for (std::size_t k = 0; k < st.stage_count; ++k) {
                stage_ms[std::string(st.stages[k].name)] += st.stages[k].milliseconds;
                step_ms_total += st.stages[k].milliseconds;
            }
        }
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        samples.push_back(ms / steps);
        if (rep == 0) {
            r.particles = sim->stats().fluid_particles;
            r.hash = sim->state_hash();
            r.bytes_per_particle =
                static_cast<double>(sim->memory_bytes()) / static_cast<double>(r.particles);
            r.neighbours = neighbours_per_particle(sim->fluid(), sim->constants().support, pool);
        }
    }
    r.min_ms = *std::min_element(samples.begin(), samples.end());
    r.median_ms = median(samples);
    r.mean_dt_ms = 1e3 * dt_sum / (static_cast<double>(steps) * repeats);
    r.iterations = iteration_sum / (static_cast<double>(steps) * repeats);
    for (const auto& [name, ms] : stage_ms)
        r.stage_share[name] = step_ms_total > 0 ? ms / step_ms_total : 0.0;
    return r;
}

RunResult run_whole_case(const Case& c, int threads, double until, int repeats) {
    const flume::Scene scene = scene_of(c);
    RunResult r;
    r.name = c.name;
    r.threads = threads;
    std::vector<double> walls;
    for (int rep = 0; rep < repeats; ++rep) {
        flume::WorkerPool pool(threads);
        auto sim = flume::Simulation::create(scene, pool);
        std::map<std::string, double> stage_ms;
        double stage_total = 0.0, dt_sum = 0.0, error_sum = 0.0;
        double passes = 0.0, divergence_passes = 0.0;
        int passes_max = 0, divergence_max = 0;
        std::uint64_t steps = 0;
        const std::size_t particles = sim->stats().fluid_particles;
        const auto start = Clock::now();
        while (sim->stats().time < until) {
            sim->step();
            const flume::StepStats& st = sim->stats();
            ++steps;
            dt_sum += st.dt;
            error_sum += st.average_density_error;
            passes += st.pressure_iterations;
            divergence_passes += st.divergence_iterations;
            passes_max = std::max(passes_max, st.pressure_iterations);
            divergence_max = std::max(divergence_max, st.divergence_iterations);
            for (std::size_t k = 0; k < st.stage_count; ++k) {
                stage_ms[std::string(st.stages[k].name)] += st.stages[k].milliseconds;
                stage_total += st.stages[k].milliseconds;
            }
        }
        walls.push_back(std::chrono::duration<double>(Clock::now() - start).count());
        if (rep == 0) {  // the run is deterministic: every repeat takes the same steps
            const double n = static_cast<double>(std::max<std::uint64_t>(steps, 1));
            r.particles = particles;
            r.until = sim->stats().time;
            r.steps = steps;
            r.mean_dt_ms = 1e3 * dt_sum / n;
            r.passes_mean = passes / n;
            r.passes_max = passes_max;
            r.divergence_passes_mean = divergence_passes / n;
            r.divergence_passes_max = divergence_max;
            r.density_error = error_sum / n;
            for (const auto& [name, ms] : stage_ms)
                r.stage_share[name] = stage_total > 0 ? ms / stage_total : 0.0;
            r.hash = sim->state_hash();
        }
    }
    r.wall_s = median(walls);
    return r;
}

// The neighbour search alone, as a step does it: a jittered 3D lattice of n particles (spacing
// 2r, support 4r) in random memory order, one grid build (counting sort), the particles copied
// into cell order, and every particle's neighbour list built (NeighbourLists).
Result run_search_case(const Case& c, int threads, int repeats) {
    const float r = 0.01f, spacing = 2.0f * r, support = 4.0f * r;
    const int side = static_cast<int>(std::cbrt(static_cast<double>(c.search_particles)) + 0.5);
    // std::mt19937's output is the same everywhere; the standard distributions and std::shuffle
    // are not (libstdc++ and Emscripten's libc++ differ), so both are written out here.
    std::mt19937 rng(7);
    auto uniform = [&] { return static_cast<float>(rng() >> 8) * (1.0f / 16777216.0f); };
    std::vector<flume::Vec<3>> x;
    x.reserve(static_cast<std::size_t>(side) * side * side);
    for (int k = 0; k < side; ++k)
        for (int j = 0; j < side; ++j)
            for (int i = 0; i < side; ++i) {
                flume::Vec<3> p(static_cast<float>(i), static_cast<float>(j),
                                static_cast<float>(k));
                for (int a = 0; a < 3; ++a)
                    p[a] = spacing * p[a] + 0.2f * r * (uniform() - 0.5f);
                x.push_back(p);
            }
    for (std::size_t i = x.size(); i > 1; --i) {  // Fisher-Yates: memory order unrelated to space
        std::swap(x[i - 1], x[rng() % i]);
    }
    Result res;
    res.name = c.name;
    res.threads = threads;
    res.particles = x.size();
    res.steps = 1;
    std::vector<double> samples;
    for (int rep = 0; rep < repeats; ++rep) {
        flume::WorkerPool pool(threads);
        flume::NeighbourGrid<3> grid, no_boundary;
        grid.configure(flume::Vec<3>(-support),
                       flume::Vec<3>(spacing * static_cast<float>(side) + support), support);
        no_boundary.configure(flume::Vec<3>(0.0f), flume::Vec<3>(1.0f), 1.0f);
        std::vector<flume::Vec<3>> sorted(x.size());
        flume::NeighbourLists<3> lists;
        auto search = [&] {
            grid.sort(x, pool);
            pool.parallel_for(0, x.size(), 4096, [&](const flume::WorkerPool::Range& rg, int) {
                for (std::size_t k = rg.begin; k < rg.end; ++k)
                    sorted[k] = x[grid.order()[k]];
            });
            lists.build(grid, sorted, no_boundary, {}, support, 256, pool);
        };
        search();  // warm-up: the lists size their storage, as in a simulation's first step
        const auto start = Clock::now();
        search();
        samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (rep == 0) {
            const std::size_t total = lists.entry_count();
            res.neighbours = static_cast<double>(total) / static_cast<double>(x.size());
            res.bytes_per_particle =
                static_cast<double>(grid.memory_bytes() +
                                    (x.size() + sorted.size()) * sizeof(flume::Vec<3>) +
                                    lists.memory_bytes()) /
                static_cast<double>(x.size());
            res.hash = total;  // the neighbour count must not depend on the thread count
        }
    }
    res.min_ms = *std::min_element(samples.begin(), samples.end());
    res.median_ms = median(samples);
    return res;
}

std::vector<int> parse_threads(const std::string& text) {
    std::vector<int> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t comma = text.find(',', pos);
        out.push_back(std::stoi(text.substr(pos, comma - pos)));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

// "name 12% ..." for the table, or "name=0.120000;..." for CSV.
std::string format_shares(const std::map<std::string, double>& shares, bool csv) {
    std::string out;
    for (const auto& [name, share] : shares) {
        if (csv) {
            out += name + "=" + std::to_string(share) + ";";
        } else {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%s %.0f%% ", name.c_str(), 100.0 * share);
            out += buf;
        }
    }
    return out;
}

// With --validate-hash: every thread count of a case must end where the first one did.
bool same_hash(bool validate, std::uint64_t hash, std::uint64_t first_hash, int threads,
               int first_threads) {
    if (!validate || hash == first_hash) return true;
    std::printf("  HASH MISMATCH: %d threads gave %016" PRIx64 ", %d thread(s) gave %016" PRIx64
                "\n",
                threads, hash, first_threads, first_hash);
    return false;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// A UV sphere of radius 0.63 m with `segments` segments around and as many rings (2 s (s - 1)
// triangles), as OBJ text, closed and facing outwards.
std::string sphere_obj(int segments) {
    const double radius = 0.63, pi = 3.14159265358979323846;
    std::string obj;
    char line[96];
    auto vertex = [&](double x, double y, double z) {
        std::snprintf(line, sizeof line, "v %.9g %.9g %.9g\n", x, y, z);
        obj += line;
    };
    vertex(0.0, -radius, 0.0);
    for (int i = 1; i < segments; ++i) {
        const double theta = pi * i / segments;
        for (int j = 0; j < segments; ++j) {
            const double phi = 2.0 * pi * j / segments;
            vertex(radius * std::sin(theta) * std::cos(phi), -radius * std::cos(theta),
                   radius * std::sin(theta) * std::sin(phi));
        }
    }
    vertex(0.0, radius, 0.0);
    auto ring = [&](int i, int j) { return 2 + (i - 1) * segments + j % segments; };  // 1-based
    auto face = [&](int a, int b, int c) {
        std::snprintf(line, sizeof line, "f %d %d %d\n", a, b, c);
        obj += line;
    };
    for (int j = 0; j < segments; ++j)
        face(1, ring(1, j + 1), ring(1, j));
    for (int i = 1; i + 1 < segments; ++i) {
        for (int j = 0; j < segments; ++j) {
            face(ring(i, j), ring(i, j + 1), ring(i + 1, j + 1));
            face(ring(i, j), ring(i + 1, j + 1), ring(i + 1, j));
        }
    }
    const int top = 2 + (segments - 1) * segments;
    for (int j = 0; j < segments; ++j)
        face(top, ring(segments - 1, j), ring(segments - 1, j + 1));
    return obj;
}

// Loading a scene with that sphere as an obstacle: reading and checking the mesh, its distance
// field, its shell's samples and volumes; the best of `repeats` per thread count.
void print_load_table(int segments, double particle_radius, const std::vector<int>& thread_counts,
                      int repeats) {
    const std::string obj = sphere_obj(segments);
    char json[512];
    std::snprintf(json, sizeof json,
                  R"({"dimension": 3, "particle_radius": %g, "domain_walls": false,
                      "domain": {"min": [-1, -1, -1], "max": [1, 1, 1]},
                      "fluid": [{"min": [-1, 0.8, -1], "max": [-0.9, 0.9, -0.9]}],
                      "obstacles": [{"shape": "mesh", "file": "sphere.obj"}]})",
                  particle_radius);
    std::printf("Mesh loading: a sphere of OBJ text, read and sampled (best of %d)\n", repeats);
    std::printf("%-8s %10s %10s %10s %12s %12s %10s\n", "threads", "triangles", "samples",
                "read ms", "field ms", "samples ms", "total ms");
    for (int threads : thread_counts) {
        flume::WorkerPool pool(threads);
        double best_read = 1e300, best_field = 1e300, best_samples = 1e300, best_total = 1e300;
        std::size_t triangles = 0, samples = 0;
        for (int r = 0; r < repeats; ++r) {
            const auto start = Clock::now();
            const flume::Scene scene =
                flume::parse_scene(json, "mesh-load", [&](const std::string&) { return obj; });
            const auto read = Clock::now();
            const auto sim = flume::Simulation::create(scene, pool);
            const auto end = Clock::now();
            const flume::LoadTimes& t = sim->load_times();
            best_read = std::min(best_read, ms_between(start, read));
            best_field = std::min(best_field, t.distance_fields_ms);
            best_samples = std::min(best_samples, t.boundary_ms);
            best_total = std::min(best_total, ms_between(start, end));
            triangles = sim->obstacles()[0].triangles;
            samples = sim->obstacles()[0].boundary_samples;
        }
        std::printf("%-8d %10zu %10zu %10.1f %12.1f %12.1f %10.1f\n", threads, triangles, samples,
                    best_read, best_field, best_samples, best_total);
        std::fflush(stdout);
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"flume-bench: speed of Flume's simulation core (a benchmark, not a test)",
                 "flume-bench"};
    std::string threads_text;
    int repeats = 3, steps = 20, warmup = 5;
    int run_repeats = 1;
    double until = 0.25;
    std::string csv_path, run_csv_path, tables = "all";
    std::vector<std::string> only, settings;
    bool validate_hash = false, quick = false;
    app.add_option("--threads", threads_text, "Thread counts, e.g. 1,2 (default: 1..hardware)");
    app.add_option("--repeats", repeats, "Repeats per case and thread count")
        ->check(CLI::Range(1, 1000));
    app.add_option("--steps", steps, "Measured steps per repeat")->check(CLI::Range(1, 100000));
    app.add_option("--warmup", warmup, "Steps before measuring")->check(CLI::Range(0, 100000));
    app.add_option("--csv", csv_path, "Write the first-steps results as CSV");
    app.add_option("--until", until, "Whole runs: simulated seconds from t = 0")
        ->check(CLI::Range(1e-4, 100.0));
    app.add_option("--run-repeats", run_repeats, "Whole runs: repeats per case and thread count")
        ->check(CLI::Range(1, 100));
    app.add_option("--run-csv", run_csv_path, "Write the whole-run results as CSV");
    app.add_option("--only", tables, "Which table: runs, steps, load (meshes) or all")
        ->check(CLI::IsMember({"runs", "steps", "load", "all"}));
    app.add_option("--case", only, "Run only these cases (repeatable)");
    app.add_flag("--validate-hash", validate_hash,
                 "Check that every case ends in the same state for every thread count");
    app.add_flag("--quick", quick, "Small cases and few steps (a smoke run)");
    app.add_option("--set", settings,
                   "Override a scene parameter in every simulation case, key=value, e.g. "
                   "neighbour_lists=false (see `flume-cli params`)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }

    std::vector<int> thread_counts;
    try {
        thread_counts = threads_text.empty() ? std::vector<int>{} : parse_threads(threads_text);
    } catch (const std::exception&) {
        std::fprintf(stderr, "flume-bench: --threads: expected a list like 1,2,4, found \"%s\"\n",
                     threads_text.c_str());
        return 2;
    }
    if (thread_counts.empty()) {
        for (int t = 1; t <= flume::WorkerPool::hardware_threads(); ++t)
            thread_counts.push_back(t);
    }
    for (int t : thread_counts) {
        if (t < 1 || t > 256) {
            std::fprintf(stderr, "flume-bench: --threads: %d is not in [1, 256]\n", t);
            return 2;
        }
    }

    std::vector<Case> cases, runs;
    if (quick) {
        cases = {
            {"dam-break-3d-wcsph", "dam-break-3d", {"particle_radius=0.05"}, 0},
            {"dam-break-2d-wcsph", "dam-break-2d", {"particle_radius=0.02"}, 0},
            {"dam-break-2d-pcisph", "dam-break-2d", {"particle_radius=0.02", "solver=pcisph"}, 0},
            {"dam-break-2d-dfsph", "dam-break-2d", {"particle_radius=0.02", "solver=dfsph"}, 0},
            {"dam-break-2d-pbf", "dam-break-2d", {"particle_radius=0.02", "solver=pbf"}, 0},
            {"neighbour-search-8k", "", {}, 8000}};
        runs = {{"run-2d-wcsph", "dam-break-2d", {"particle_radius=0.04"}, 0},
                {"run-2d-dfsph", "dam-break-2d", {"particle_radius=0.04", "solver=dfsph"}, 0}};
        steps = std::min(steps, 3);
        warmup = std::min(warmup, 1);
        repeats = std::min(repeats, 2);
        until = std::min(until, 0.05);
    } else {
        // The scenes of docs/performance.md: 3D r = 0.0106 (103,823 particles here: the block
        // is sampled 47 per axis), 2D r = 0.0025 (90,000); every solver on the 3D one. The
        // iterative solvers take longer steps than WCSPH: compare them by the simulated time per
        // second (mean dt / ms per step), not by particle-steps alone.
        cases = {
            {"dam-break-3d-wcsph", "dam-break-3d", {"particle_radius=0.0106"}, 0},
            {"dam-break-3d-pcisph", "dam-break-3d", {"particle_radius=0.0106", "solver=pcisph"}, 0},
            {"dam-break-3d-dfsph", "dam-break-3d", {"particle_radius=0.0106", "solver=dfsph"}, 0},
            {"dam-break-3d-pbf", "dam-break-3d", {"particle_radius=0.0106", "solver=pbf"}, 0},
            {"dam-break-2d-wcsph", "dam-break-2d", {"particle_radius=0.0025"}, 0},
            // Ten bodies in 105k particles, and the same pool without them: their cost.
            {"bodies-3d-dfsph", "flotilla-3d", {"particle_radius=0.0106"}, 0},
            {"no-bodies-3d-dfsph", "flotilla-3d", {"particle_radius=0.0106"}, 0, true},
            {"neighbour-search-100k", "", {}, 100000},
            {"neighbour-search-1m", "", {}, 1000000}};
        // The same scenes run whole: the 3D one as scripts/side-by-side.py runs
        // it beside SPlisHSPlasH.
        for (const flume::SolverEntry& solver : flume::solver_table()) {
            const std::string name(solver.name);
            const std::string set = "solver=" + name;
            runs.push_back({"run-3d-" + name, "dam-break-3d", {"particle_radius=0.0106", set}, 0});
        }
        for (const flume::SolverEntry& solver : flume::solver_table()) {
            const std::string name(solver.name);
            const std::string set = "solver=" + name;
            runs.push_back({"run-2d-" + name, "dam-break-2d", {"particle_radius=0.0025", set}, 0});
        }
    }
    const bool load_table = (tables == "all" || tables == "load") && only.empty();
    if (tables == "runs" || tables == "load") cases.clear();
    if (tables == "steps" || tables == "load") runs.clear();
    for (std::vector<Case>* list : {&cases, &runs}) {
        for (Case& c : *list)
            if (!c.scene.empty())
                c.overrides.insert(c.overrides.end(), settings.begin(), settings.end());
        if (!only.empty()) {
            std::erase_if(*list, [&](const Case& c) {
                return std::find(only.begin(), only.end(), c.name) == only.end();
            });
        }
    }
    if (cases.empty() && runs.empty() && !load_table) {
        std::fprintf(stderr, "flume-bench: no case matches --case and --only\n");
        return 2;
    }

    bool hashes_ok = true;
    std::vector<RunResult> run_results;
    if (!runs.empty()) {
        std::printf("Whole runs, t = 0 to %g s (what a user waits for)\n", until);
        std::printf("%-16s %7s %9s %6s %9s %10s %11s %8s %11s %11s %8s  %s\n", "case", "threads",
                    "particles", "steps", "wall s", "s/sim-s", "per 100k", "dt ms", "passes",
                    "div. passes", "avg err", "stage shares");
    }
    try {
        for (const Case& c : runs) {
            std::uint64_t first_hash = 0;
            for (std::size_t t = 0; t < thread_counts.size(); ++t) {
                const RunResult r = run_whole_case(c, thread_counts[t], until, run_repeats);
                const std::string shares = format_shares(r.stage_share, false);
                char passes[32] = "-", divergence[32] = "-";
                if (r.passes_max > 0)
                    std::snprintf(passes, sizeof passes, "%.2f/%d", r.passes_mean, r.passes_max);
                if (r.divergence_passes_max > 0)
                    std::snprintf(divergence, sizeof divergence, "%.2f/%d",
                                  r.divergence_passes_mean, r.divergence_passes_max);
                std::printf("%-16s %7d %9zu %6" PRIu64
                            " %9.2f %10.1f %11.1f %8.4f %11s %11s %7.3f%%  %s\n",
                            r.name.c_str(), r.threads, r.particles, r.steps, r.wall_s,
                            r.wall_per_simulated_s(), r.per_100k(), r.mean_dt_ms, passes,
                            divergence, 100.0 * r.density_error, shares.c_str());
                std::fflush(stdout);
                if (t == 0) first_hash = r.hash;
                hashes_ok &=
                    same_hash(validate_hash, r.hash, first_hash, r.threads, thread_counts[0]);
                run_results.push_back(r);
            }
        }
    } catch (const flume::SceneError& e) {
        std::fprintf(stderr, "flume-bench: %s\n", e.what());
        return 2;
    }
    if (!runs.empty() && !cases.empty())
        std::printf("\nFirst steps, %d after %d from rest (a per-step view)\n", steps, warmup);

    if (!cases.empty())
        std::printf("%-22s %7s %9s %6s %10s %10s %12s %8s %6s %8s %8s  %s\n", "case", "threads",
                    "particles", "steps", "min ms", "median ms", "M part-st/s", "dt ms", "iter.",
                    "neighb.", "B/part", "stage shares");
    std::vector<Result> results;
    try {
        for (const Case& c : cases) {
            std::uint64_t first_hash = 0;
            for (std::size_t t = 0; t < thread_counts.size(); ++t) {
                const Result r = c.scene.empty() ? run_search_case(c, thread_counts[t], repeats)
                                                 : run_simulation_case(c, thread_counts[t], warmup,
                                                                       steps, repeats);
                const std::string shares = format_shares(r.stage_share, false);
                std::printf("%-22s %7d %9zu %6d %10.3f %10.3f %12.3f %8.4f %6.1f %8.1f %8.0f  %s\n",
                            r.name.c_str(), r.threads, r.particles, r.steps, r.min_ms, r.median_ms,
                            static_cast<double>(r.particles) / r.median_ms * 1e-3, r.mean_dt_ms,
                            r.iterations, r.neighbours, r.bytes_per_particle, shares.c_str());
                std::fflush(stdout);
                if (t == 0) first_hash = r.hash;
                hashes_ok &=
                    same_hash(validate_hash, r.hash, first_hash, r.threads, thread_counts[0]);
                results.push_back(r);
            }
        }
    } catch (const flume::SceneError& e) {
        std::fprintf(stderr, "flume-bench: %s\n", e.what());
        return 2;
    }
    if (load_table) {
        if (!runs.empty() || !cases.empty()) std::printf("\n");
        print_load_table(quick ? 40 : 224, quick ? 0.02 : 0.005, thread_counts, repeats);
    }
    if (validate_hash)
        std::printf("hash check: %s\n",
                    hashes_ok ? "same final state for every thread count" : "FAILED");

    if (!csv_path.empty()) {
        std::ofstream csv(csv_path);
        if (!csv) {
            std::fprintf(stderr, "flume-bench: %s: cannot open for writing\n", csv_path.c_str());
            return 2;
        }
        csv << "case,threads,particles,steps,min_ms,median_ms,particle_steps_per_s,mean_dt_ms,"
               "pressure_iterations,neighbours_per_particle,bytes_per_particle,stage_shares,hash\n";
        for (const Result& r : results) {
            const std::string shares = format_shares(r.stage_share, true);
            char hash[17];
            std::snprintf(hash, sizeof hash, "%016" PRIx64, r.hash);
            csv << r.name << ',' << r.threads << ',' << r.particles << ',' << r.steps << ','
                << r.min_ms << ',' << r.median_ms << ','
                << static_cast<double>(r.particles) / r.median_ms * 1e3 << ',' << r.mean_dt_ms
                << ',' << r.iterations << ',' << r.neighbours << ',' << r.bytes_per_particle << ','
                << shares << ',' << hash << '\n';
        }
    }
    if (!run_csv_path.empty()) {
        std::ofstream csv(run_csv_path);
        if (!csv) {
            std::fprintf(stderr, "flume-bench: %s: cannot open for writing\n",
                         run_csv_path.c_str());
            return 2;
        }
        csv << "case,threads,particles,until_s,steps,wall_s,wall_s_per_simulated_s,"
               "wall_s_per_simulated_s_per_100k,mean_dt_ms,passes_mean,passes_max,"
               "divergence_passes_mean,divergence_passes_max,average_density_error,stage_shares,"
               "hash\n";
        for (const RunResult& r : run_results) {
            const std::string shares = format_shares(r.stage_share, true);
            char hash[17];
            std::snprintf(hash, sizeof hash, "%016" PRIx64, r.hash);
            csv << r.name << ',' << r.threads << ',' << r.particles << ',' << r.until << ','
                << r.steps << ',' << r.wall_s << ',' << r.wall_per_simulated_s() << ','
                << r.per_100k() << ',' << r.mean_dt_ms << ',' << r.passes_mean << ','
                << r.passes_max << ',' << r.divergence_passes_mean << ',' << r.divergence_passes_max
                << ',' << r.density_error << ',' << shares << ',' << hash << '\n';
        }
    }
    return hashes_ok ? 0 : 1;
}
