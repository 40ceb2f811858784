// flume-cli: the headless front end for batch runs, export and benchmarks.
//
//   flume-cli list                         built-in scenes and their particle counts
//   flume-cli params                       every scene parameter: key, default, range, meaning
//   flume-cli run SCENE [options]          run a built-in scene or a JSON file
//   mpirun -np N flume-cli run SCENE ...   the same over N processes (FLUME_MPI builds; rank 0
//                                          prints and writes; mpi_communicator.hpp)
//
// Exit status: 0 success, 2 bad input (message on stderr), 3 the simulation became invalid.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checkpoint.hpp"
#include "cli/mpi_communicator.hpp"
#include "core/communicator.hpp"
#include "core/errors.hpp"
#include "core/parameters.hpp"
#include "core/scene_library.hpp"
#include "core/simulation.hpp"
#include "io/output_file.hpp"
#include "io/surface_mesh.hpp"
#include "io/vtk_writer.hpp"
#include "plot.hpp"
#include "validation/validation.hpp"

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitInvalidSimulation = 3;
constexpr int kExitOutputFailed = 4;
constexpr int kExitValidationFailed = 1;

struct RunOptions {
    std::string scene;
    std::optional<std::uint64_t> steps;
    std::optional<double> until;
    int threads = flume::WorkerPool::hardware_threads();
    std::vector<std::string> overrides;
    std::string stats_path;
    std::string probes_path;
    double probe_every = 0.0;  // s of simulated time; 0: every step
    std::string export_dir;
    std::uint64_t export_every = 0;
    bool hash = false;
    bool quiet = false;
    std::string checkpoint_dir;
    double checkpoint_every = 0.0;  // s of simulated time; 0: a tenth of the run
    int checkpoint_keep = 3;
    std::string surface_dir;          // --export-surface
    std::uint64_t surface_every = 0;  // steps; 0: as --every, or 100
    std::string surface_format = "ply";
    flume::SurfaceOptions surface;  // --surface-voxel, --surface-smoothing
};

// The run's processes: one, or the ranks of mpirun (set in main).
flume::Communicator* g_ranks = nullptr;

// SIGINT or SIGTERM during a run with --checkpoint: the run writes a checkpoint and stops.
volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void on_stop_signal(int signal) {
    g_stop_signal = signal;
}

std::string hex64(std::uint64_t v) {
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016" PRIx64, v);
    return buffer;
}

// What a rank is about to run, to compare with the others before the first step: its build (a
// hash of its executable), what it built (the simulation's deep hash at the start) and how
// far it will go.
std::string rank_fingerprint(const flume::Simulation& sim, const RunOptions& options) {
    std::uint64_t h = 1469598103934665603ull;
    std::ifstream exe("/proc/self/exe", std::ios::binary);
    char buffer[1 << 16];
    while (exe.read(buffer, sizeof buffer) || exe.gcount() > 0) {
        for (std::streamsize i = 0; i < exe.gcount(); ++i)
            h = (h ^ static_cast<unsigned char>(buffer[i])) * 1099511628211ull;
    }
    std::string run = options.steps   ? std::to_string(*options.steps) + " steps"
                      : options.until ? "until " + std::to_string(*options.until)
                                      : "to end_time";
    return "build " + hex64(h) + "\nscene " + hex64(sim.deep_hash()) + "\nrun " + run;
}

// Under mpirun: every rank builds the simulation (`build`), then they compare. A rank that could
// not (its message said once, with the ranks it came from), or that differs from rank 0 in its
// build, what it built or how far it will run, stops them all before the first step. Returns
// the exit status to stop with, or 0.
template <class Build>
int build_on_every_rank(flume::Communicator& ranks, Build&& build, const RunOptions& options,
                        const std::unique_ptr<flume::Simulation>& sim) {
    std::string mine;
    int code = 0;
    try {
        build();
        mine = "ok\n" + rank_fingerprint(*sim, options);
    } catch (const flume::SceneError& e) {
        code = kExitBadInput;
        mine = e.what();
    } catch (const flume::StateError& e) {
        code = kExitBadInput;
        mine = e.what();
    } catch (const flume::OutputError& e) {
        code = kExitOutputFailed;
        mine = e.what();
    } catch (const std::bad_alloc&) {
        code = 1;
        mine = "out of memory while building the simulation";
    } catch (const std::exception& e) {
        code = 1;
        mine = std::string("error: ") + e.what();
    }
    if (code != 0) mine = "failed " + std::to_string(code) + "\n" + mine;
    const std::vector<std::string> all = ranks.all_gather(mine);
    const bool lead = ranks.rank() == 0;
    int status = 0;
    std::vector<std::pair<std::string, std::string>> failures;  // message, the ranks it came from
    for (std::size_t r = 0; r < all.size(); ++r) {
        if (all[r].rfind("failed ", 0) != 0) continue;
        const std::size_t eol = all[r].find('\n');
        if (status == 0) status = std::atoi(all[r].c_str() + 7);
        const std::string message = all[r].substr(eol + 1);
        auto same = std::find_if(failures.begin(), failures.end(),
                                 [&](const auto& f) { return f.first == message; });
        if (same == failures.end()) {
            failures.emplace_back(message, "rank " + std::to_string(r));
        } else {
            if (same->second.rfind("ranks", 0) != 0) same->second.insert(4, "s");
            same->second += ", " + std::to_string(r);
        }
    }
    if (status != 0) {
        for (const auto& [message, who] : failures) {
            if (lead) std::fprintf(stderr, "flume-cli: %s: %s\n", who.c_str(), message.c_str());
        }
        return status;
    }
    for (std::size_t r = 1; r < all.size(); ++r) {
        if (all[r] == all[0]) continue;
        if (lead) {
            std::string what;
            for (const char* key : {"build", "scene", "run"}) {
                auto line = [&](const std::string& text) {
                    const std::size_t at = text.find(std::string("\n") + key + " ");
                    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
                };
                if (line(all[r]) != line(all[0]))
                    what += (what.empty() ? "" : "; ") + line(all[r]) + " where rank 0 has " +
                            line(all[0]);
            }
            std::fprintf(stderr,
                         "flume-cli: rank %zu does not run what rank 0 runs (%s): every rank "
                         "needs the same flume-cli, scene, overrides and length of run\n",
                         r, what.c_str());
        }
        return kExitBadInput;
    }
    return 0;
}

// One line per mesh obstacle: its triangles and boundary samples, after `indent` (a format
// that takes an empty string).
void print_meshes(const flume::Simulation& sim, const char* indent) {
    for (const flume::ObstacleSummary& o : sim.obstacles()) {
        if (o.triangles == 0 && o.name.rfind("polygon", 0) != 0) continue;
        std::printf(indent, "");
        if (o.triangles > 0) {
            std::printf("%s: %zu triangles, %zu boundary samples\n", o.name.c_str(), o.triangles,
                        o.boundary_samples);
        } else {
            std::printf("%s: %zu boundary samples\n", o.name.c_str(), o.boundary_samples);
        }
    }
}

int list_scenes() {
    flume::WorkerPool pool(flume::WorkerPool::hardware_threads());
    std::printf("%-20s %3s %10s %10s  %s\n", "scene", "dim", "fluid", "boundary", "description");
    for (const flume::EmbeddedFile& f : flume::builtin_scenes()) {
        const flume::Scene scene = flume::load_builtin_scene(f.name);
        const auto sim = flume::Simulation::create(scene, pool);
        std::printf("%-20s %3d %10zu %10zu  %s\n", std::string(f.name).c_str(), scene.dimension,
                    sim->stats().fluid_particles, sim->stats().boundary_particles,
                    scene.description.c_str());
        print_meshes(*sim, "%-20s     ");
    }
    return 0;
}

int list_parameters() {
    const flume::ParameterSet defaults(3);
    for (const flume::ParamDecl& d : flume::parameter_declarations()) {
        std::string range;
        switch (d.kind) {
            case flume::ParamKind::Choice:
                for (auto c : d.choices) {
                    if (!range.empty()) range += '|';
                    range += c;
                }
                break;
            case flume::ParamKind::Bool:
                range = "true|false";
                break;
            default: {
                nlohmann::json lo = d.min, hi = d.max;
                range = (d.min_exclusive ? "(" : "[") + lo.dump() + ", " + hi.dump() + "]";
                if (d.allows_auto) range += "|auto";
            }
        }
        std::printf("%-16s default %-14s %-22s %s%s%s%s\n", std::string(d.key).c_str(),
                    defaults.to_json(d.key).dump().c_str(), range.c_str(),
                    std::string(d.description).c_str(), d.unit.empty() ? "" : " [",
                    std::string(d.unit).c_str(), d.unit.empty() ? "" : "]");
    }
    std::printf("\n(gravity has one component per dimension; in 2D the default is [0, -9.81].)\n");
    return 0;
}

class Progress {
  public:
    explicit Progress(bool enabled) : enabled_(enabled), start_(Clock::now()), last_(start_) {}

    void update(double fraction, std::uint64_t step, double time, bool force = false) {
        if (!enabled_) return;
        const auto now = Clock::now();
        if (!force && now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        const double seconds = std::chrono::duration<double>(now - start_).count();
        const int width = 30;
        const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * width);
        std::fprintf(stdout, "\r[%s%s] %3.0f%%  step %" PRIu64 "  t = %.4f s  %.0f steps/s ",
                     std::string(static_cast<std::size_t>(filled), '#').c_str(),
                     std::string(static_cast<std::size_t>(width - filled), ' ').c_str(),
                     100.0 * std::clamp(fraction, 0.0, 1.0), step, time,
                     seconds > 0.0 ? static_cast<double>(step) / seconds : 0.0);
        std::fflush(stdout);
    }
    void finish() {
        if (enabled_) std::fprintf(stdout, "\n");
    }

  private:
    using Clock = std::chrono::steady_clock;
    bool enabled_;
    Clock::time_point start_, last_;
};

// The file name stem of an export series: the scene's name in a fixed character set, never a
// path (a scene file's name must not decide where files go).
std::string export_stem(const std::string& scene_name) {
    std::string stem;
    for (char c : scene_name.substr(0, 64)) {
        const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '_';
        stem += safe ? c : '_';
    }
    return stem.empty() ? "flume" : stem;
}

// Saves a state that would otherwise be lost (the run stops) as `stem`-STEP.vtp in `dir`, and
// tells the user where it is, or that it could not be saved.
void save_state(const std::filesystem::path& dir, const std::string& stem,
                const flume::ParticleSnapshot& state, const char* what) {
    const std::string path = (dir / (stem + "-" + std::to_string(state.step) + ".vtp")).string();
    try {
        flume::write_vtp(path, state.view());
        std::fprintf(stderr, "flume-cli: the %s (step %" PRIu64 ", t = %.6f s) is in %s\n", what,
                     state.step, state.time, path.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flume-cli: could not save the %s: %s\n", what, e.what());
    }
}

// The emitters' and outlets' counts, and a note when the capacity stopped the emitters.
void print_flows(const flume::Simulation& sim) {
    for (std::size_t k = 0; k < sim.emitters().size(); ++k) {
        const flume::EmitterStatus& e = sim.emitters()[k];
        std::printf("  emitter %zu: %" PRIu64 " particles emitted (%zu per layer), %.3g m/s%s\n", k,
                    e.emitted, e.per_layer, e.velocity, e.enabled ? "" : ", switched off");
    }
    for (std::size_t k = 0; k < sim.outlets().size(); ++k) {
        const flume::OutletStatus& o = sim.outlets()[k];
        std::printf("  outlet %zu (%s): %" PRIu64 " particles removed\n", k, o.name.c_str(),
                    o.removed);
    }
    const flume::StepStats& s = sim.stats();
    if (s.capacity_reached) {
        std::printf(
            "  the emitters stopped at the particle capacity: max_particles = %zu "
            "(raise it with --set max_particles=N)\n",
            s.capacity);
    }
}

void write_stats_header(std::ofstream& out, const flume::StepStats& s) {
    out << "step,time,dt,fluid_particles,average_density_error,max_density_error,max_speed,"
           "kinetic_energy,potential_energy,removed_particles,emitted_particles,outlet_particles,"
           "wall_corrections,pressure_iterations,divergence_iterations,step_retries";
    for (std::size_t i = 0; i < s.stage_count; ++i)
        out << ",ms_" << s.stages[i].name;
    out << "\n";
}

void write_stats_row(std::ofstream& out, const flume::StepStats& s) {
    out << s.step << ',' << s.time << ',' << s.dt << ',' << s.fluid_particles << ','
        << s.average_density_error << ',' << s.max_density_error << ',' << s.max_speed << ','
        << s.kinetic_energy << ',' << s.potential_energy << ',' << s.removed_particles << ','
        << s.emitted_particles << ',' << s.outlet_particles << ',' << s.wall_corrections << ','
        << s.pressure_iterations << ',' << s.divergence_iterations << ',' << s.step_retries;
    for (std::size_t i = 0; i < s.stage_count; ++i)
        out << ',' << s.stages[i].milliseconds;
    out << '\n';
}

// A CSV file that a resumed run goes on writing: its header and the rows whose first column
// (a step or a time) is at most `last` are kept, the others (written after the checkpoint the
// run resumes from) dropped, so that the resumed rows follow with no gap and no duplicate.
void keep_rows_up_to(const std::string& path, double last) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw flume::OutputError(path + ": cannot read it to go on writing it");
    std::string line, kept;
    bool header = true;
    while (std::getline(in, line)) {
        // Times are written with 9 significant digits: a row of this step may read a little
        // above its time.
        if (header || std::strtod(line.c_str(), nullptr) <= last * (1.0 + 1.0e-8) + 1.0e-12)
            kept += line + "\n";
        header = false;
    }
    flume::cli::write_file_atomically(path, kept);
}

std::ofstream open_append(const std::string& path) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    if (!out) throw flume::OutputError(path + ": cannot open it to go on writing it");
    return out;
}

// The scene's probes over time (--probes): a header with units, a row at t = 0, then one at the
// first step at or after each multiple of `every` seconds (every step when 0).
class ProbeLog {
  public:
    // A new file: the header and a row now. Resuming (`next` given): the rows of `path` up to
    // now are kept, and the next row comes at `next`.
    // `writes`: false on the ranks other than 0 under mpirun, which read the probes at the same
    // times (a collective where the ranks split the fluid) and write nothing.
    ProbeLog(const flume::Simulation& sim, const std::string& path, double every,
             std::optional<double> next = std::nullopt, bool writes = true)
        : sim_(sim),
          path_(path),
          every_(every),
          values_(sim.probe_columns().size()),
          writes_(writes) {
        if (values_.empty()) {
            throw flume::SceneError(
                "--probes: the scene has no probes (add a \"probes\" array; "
                "see README.md)");
        }
        if (!writes_) {
            if (next) {
                next_ = *next;
            } else {
                write_row();
            }
            return;
        }
        if (next) {
            keep_rows_up_to(path, sim.stats().time);
            out_ = open_append(path);
            out_.precision(9);
            next_ = *next;
            return;
        }
        out_ = flume::open_output(path);
        out_.precision(9);
        out_ << "time [s]";
        for (const flume::ProbeColumn& c : sim.probe_columns())
            out_ << ',' << c.name << " [" << c.unit << ']';
        out_ << '\n';
        write_row();
    }

    double next() const { return next_; }
    void flush() {
        if (!writes_) return;
        out_.flush();
        flume::check_output(out_, path_);
    }

    // After a step: a row if its time has come.
    void after_step() {
        if (sim_.stats().time + 1.0e-12 >= next_) write_row();
    }

    void close() {
        if (writes_) flume::close_output(out_, path_);
    }

  private:
    void write_row() {
        const double t = sim_.stats().time;
        sim_.read_probes(values_);
        if (writes_) {
            out_ << t;
            for (double v : values_)
                out_ << ',' << v;
            out_ << '\n';
            flume::check_output(out_, path_);
        }
        if (every_ > 0.0) {
            while (next_ <= t + 1.0e-12)
                next_ += every_;
        }
    }

    const flume::Simulation& sim_;
    std::string path_;
    double every_;
    double next_ = 0.0;
    std::vector<double> values_;
    bool writes_ = true;
    std::ofstream out_;
};

// A checkpoint's file name: the scene's stem and the step, so that they sort in order.
std::string checkpoint_name(const std::string& stem, std::uint64_t step) {
    char name[64];
    std::snprintf(name, sizeof name, "-%012" PRIu64 ".flume-checkpoint", step);
    return stem + name;
}

// Removes the oldest of the run's checkpoints in `dir` beyond the newest `keep`.
void keep_newest_checkpoints(const std::filesystem::path& dir, const std::string& stem, int keep) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(stem + "-", 0) == 0 && name.ends_with(".flume-checkpoint"))
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (std::size_t k = 0; k + static_cast<std::size_t>(keep) < files.size(); ++k)
        std::filesystem::remove(files[k], ec);
}

std::string absolute_path(const std::string& path) {
    return path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
}

// Runs a scene, or resumes a checkpoint (`resume`: its record of the run says how the outputs
// it wrote go on).
int run(const RunOptions& options, const flume::cli::Checkpoint* resume = nullptr,
        const std::string& resume_path = "") {
    namespace cli = flume::cli;
    const nlohmann::json record = resume ? resume->run : nlohmann::json::object();
    const bool checkpoints = !options.checkpoint_dir.empty();
    cli::SceneSource source;
    if (resume) {
        source = resume->scene;
    } else if (checkpoints) {
        source = cli::capture_scene_source(options.scene, options.overrides);
    }
    flume::Communicator& ranks = *g_ranks;
    const bool lead = ranks.rank() == 0;  // under mpirun, rank 0 alone speaks and writes
    flume::WorkerPool pool(options.threads);
    std::optional<flume::Scene> loaded;
    std::unique_ptr<flume::Simulation> built;
    auto build = [&] {
        loaded.emplace(resume || checkpoints ? cli::load_scene_source(source)
                                             : flume::load_scene(options.scene, options.overrides));
        // Surface meshes need a 3D scene and OpenVDB's module (loaded here, on first use): said
        // before anything is built or written.
        if (!options.surface_dir.empty()) {
            if (loaded->dimension != 3)
                throw flume::SceneError("--export-surface: surface meshes are of 3D scenes; " +
                                        loaded->source + " is 2D");
            if (!flume::surface_meshes_available())
                throw flume::OutputError("--export-surface: " +
                                         flume::surface_unavailable_reason());
        }
        built = flume::Simulation::create(
            *loaded, pool,
            [lead](std::string_view message) {
                if (lead)
                    std::fprintf(stderr, "note: %.*s\n", static_cast<int>(message.size()),
                                 message.data());
            },
            ranks.size() > 1 ? &ranks : nullptr);
        if (resume) built->restore_state(resume->state, resume_path);
    };
    if (ranks.size() == 1) {
        build();
    } else if (const int code = build_on_every_rank(ranks, build, options, built); code != 0) {
        return code;
    }
    const flume::Scene& scene = *loaded;
    const std::unique_ptr<flume::Simulation>& sim = built;
    const std::uint64_t first_step = sim->stats().step;
    // Under mpirun the ranks split the fluid: every rank takes part in each output (the
    // particles are gathered from all of them), and rank 0 writes it.
    const bool split = sim->rank_share().has_value();
    // An output a resumed run goes on writing: the same file as the checkpoint's run wrote.
    auto continues = [&](const char* key, const std::string& path) {
        return resume && !path.empty() && record.value(key, std::string()) == absolute_path(path);
    };

    std::ofstream stats_file;
    bool stats_header = false;
    if (!options.stats_path.empty()) {
        if (continues("stats", options.stats_path)) {
            keep_rows_up_to(options.stats_path, static_cast<double>(first_step));
            stats_file = open_append(options.stats_path);
            stats_header = true;
        } else {
            stats_file = flume::open_output(options.stats_path);
        }
        stats_file.precision(9);
    }
    std::optional<ProbeLog> probe_log;
    if (!options.probes_path.empty()) {
        std::optional<double> next;
        if (continues("probes", options.probes_path)) next = record.value("probe_next", 0.0);
        probe_log.emplace(*sim, options.probes_path, options.probe_every, next, lead);
    }
    std::optional<flume::PvdSeries> series;
    // Scenes with bodies: their own series beside the fluid's, STEM-bodies.pvd of bodies_STEP.vtp
    // at the same times.
    std::optional<flume::PvdSeries> body_series;
    const std::filesystem::path export_dir = options.export_dir;
    const std::filesystem::path save_dir = options.export_dir.empty() ? "." : export_dir;
    const bool exporting = !options.export_dir.empty();
    auto export_frame = [&] {
        const flume::ParticleView all = sim->whole_fluid();
        if (!lead) return;
        char name[64];
        std::snprintf(name, sizeof name, "frame_%06" PRIu64 ".vtp", sim->stats().step);
        flume::write_vtp((export_dir / name).string(), all);
        series->add(sim->stats().time, name);
        if (body_series) {
            std::snprintf(name, sizeof name, "bodies_%06" PRIu64 ".vtp", sim->stats().step);
            flume::write_bodies_vtp((export_dir / name).string(), sim->bodies());
            body_series->add(sim->stats().time, name);
        }
    };
    if (exporting && !lead) {
        if (!continues("export", options.export_dir)) export_frame();  // rank 0 writes it
    } else if (exporting) {
        std::error_code ec;
        std::filesystem::create_directories(export_dir, ec);
        if (ec)
            throw flume::OutputError(options.export_dir +
                                     ": cannot create the folder: " + ec.message());
        const std::string pvd = (export_dir / (export_stem(scene.name) + ".pvd")).string();
        const std::string body_pvd =
            (export_dir / (export_stem(scene.name) + "-bodies.pvd")).string();
        if (continues("export", options.export_dir)) {
            std::vector<std::pair<double, std::string>> frames, body_frames;
            for (const auto& f : record.value("frames", nlohmann::json::array())) {
                frames.emplace_back(f.at(0).get<double>(), f.at(1).get<std::string>());
                const std::string& file = frames.back().second;
                std::string body_file("bodies_");
                body_file.append(file, std::min<std::size_t>(file.size(), 6));  // after frame_
                body_frames.emplace_back(frames.back().first, body_file);
            }
            series.emplace(pvd, std::move(frames));
            if (!sim->bodies().empty()) body_series.emplace(body_pvd, std::move(body_frames));
        } else {
            series.emplace(pvd);
            if (!sim->bodies().empty()) body_series.emplace(body_pvd);
            export_frame();
        }
    }

    // Surface meshes (3D, OpenVDB builds): surface_STEP.ply or .obj, with the time per frame.
    const std::filesystem::path surface_dir = options.surface_dir;
    double surface_ms = 0.0;
    std::uint64_t surfaces = 0;
    auto export_surface = [&] {
        const flume::ParticleView all = sim->whole_fluid();
        if (!lead) return;
        const auto begin = std::chrono::steady_clock::now();
        const flume::SurfaceMesh mesh =
            flume::build_surface(all, sim->constants().particle_radius, options.surface);
        char name[64];
        std::snprintf(name, sizeof name, "surface_%06" PRIu64 ".%s", sim->stats().step,
                      options.surface_format.c_str());
        const std::string path = (surface_dir / name).string();
        if (options.surface_format == "obj") {
            flume::write_obj(path, mesh);
        } else {
            flume::write_ply(path, mesh);
        }
        surface_ms +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
                .count();
        ++surfaces;
    };
    if (!options.surface_dir.empty()) {
        std::error_code ec;
        if (lead) std::filesystem::create_directories(surface_dir, ec);
        if (ec)
            throw flume::OutputError(options.surface_dir +
                                     ": cannot create the folder: " + ec.message());
        if (!resume) export_surface();
    }
    const std::uint64_t surface_every = options.surface_every > 0  ? options.surface_every
                                        : options.export_every > 0 ? options.export_every
                                                                   : 100;

    // The end: a number of steps from here, a time, or (resuming) the interrupted run's.
    std::optional<std::uint64_t> target_step;
    double until = scene.params.number("end_time");
    if (options.steps) {
        target_step = first_step + *options.steps;
    } else if (options.until) {
        until = *options.until;
    } else if (resume && record.contains("target_step")) {
        target_step = record["target_step"].get<std::uint64_t>();
    } else if (resume && record.contains("until")) {
        until = record["until"].get<double>();
    }
    const double start_time = sim->stats().time;

    // Checkpoints: every checkpoint_every seconds of simulated time, and on SIGINT or SIGTERM.
    const std::filesystem::path checkpoint_dir = options.checkpoint_dir;
    const std::string stem = export_stem(scene.name);
    double checkpoint_every = options.checkpoint_every;
    if (checkpoint_every <= 0.0) checkpoint_every = std::max((until - start_time) / 10.0, 1.0e-3);
    double next_checkpoint = resume ? record.value("next_checkpoint", start_time) : start_time;
    while (next_checkpoint <= start_time + 1.0e-12)
        next_checkpoint += checkpoint_every;
    std::string last_checkpoint;
    auto write_checkpoint = [&] {
        const std::string state = sim->save_state();  // gathered from every rank
        const std::string path =
            (checkpoint_dir / checkpoint_name(stem, sim->stats().step)).string();
        last_checkpoint = path;
        if (!lead) return;
        if (stats_file.is_open()) {
            stats_file.flush();
            flume::check_output(stats_file, options.stats_path);
        }
        if (probe_log) probe_log->flush();
        cli::Checkpoint c;
        c.scene = source;
        c.state = state;
        nlohmann::json& r = c.run;
        if (target_step) {
            r["target_step"] = *target_step;
        } else {
            r["until"] = until;
        }
        r["stats"] = absolute_path(options.stats_path);
        r["probes"] = absolute_path(options.probes_path);
        r["probe_every"] = options.probe_every;
        if (probe_log) r["probe_next"] = probe_log->next();
        r["export"] = absolute_path(options.export_dir);
        r["export_every"] = options.export_every;
        r["frames"] = nlohmann::json::array();
        if (series) {
            for (const auto& [t, f] : series->frames())
                r["frames"].push_back({t, f});
        }
        r["surface"] = absolute_path(options.surface_dir);
        r["surface_every"] = options.surface_every;
        r["surface_format"] = options.surface_format;
        r["surface_voxel"] = options.surface.voxel;
        r["surface_smoothing"] = options.surface.smoothing;
        r["checkpoint"] = absolute_path(options.checkpoint_dir);
        r["checkpoint_every"] = options.checkpoint_every;
        r["checkpoint_keep"] = options.checkpoint_keep;
        r["next_checkpoint"] = next_checkpoint;
        cli::write_file_atomically(path, cli::encode_checkpoint(c));
        keep_newest_checkpoints(checkpoint_dir, stem, options.checkpoint_keep);
    };
    if (checkpoints) {
        std::error_code ec;
        if (lead) std::filesystem::create_directories(checkpoint_dir, ec);
        if (ec) {
            throw flume::OutputError(options.checkpoint_dir +
                                     ": cannot create the folder: " + ec.message());
        }
        std::signal(SIGINT, on_stop_signal);
        std::signal(SIGTERM, on_stop_signal);
    }

    // Split between ranks, an output that fails on rank 0 is said to every rank at the end of
    // the step (agree), so that all stop together, each output's gathering done; a stop signal
    // that reached any rank likewise.
    std::string failed_output;
    auto output = [&](auto&& write) {
        if (!split) return write();
        try {
            write();
        } catch (const flume::OutputError& e) {
            if (failed_output.empty()) failed_output = e.what();
        }
    };
    auto agree = [&] {
        if (!split) return;
        const std::vector<std::string> news =
            ranks.all_gather(std::to_string(g_stop_signal) + "\n" + failed_output);
        for (const std::string& n : news) {
            const std::size_t eol = n.find('\n');
            const int signal = std::atoi(n.substr(0, eol).c_str());
            if (signal != 0 && g_stop_signal == 0) g_stop_signal = signal;
            if (failed_output.empty()) failed_output = n.substr(eol + 1);
        }
        if (!failed_output.empty()) throw flume::OutputError(failed_output);
    };

    Progress progress(!options.quiet && isatty(STDOUT_FILENO));
    flume::ParticleSnapshot last_valid;
    std::uint64_t step_bytes = 0, step_messages = 0;  // what this rank sent inside the steps
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t steps = 0;
    auto running = [&] {
        return target_step ? sim->stats().step < *target_step : sim->stats().time < until;
    };
    try {
        while (running()) {
            // Split between ranks, each keeps its share; they are gathered if the step fails.
            last_valid.assign(sim->fluid(), sim->stats().step, sim->stats().time);
            const std::uint64_t bytes_before = ranks.bytes_sent;
            const std::uint64_t messages_before = ranks.messages_sent;
            try {
                sim->step();
            } catch (const flume::SimulationError& e) {
                // Every rank runs the same steps: each stops here, rank 0 says why.
                progress.finish();
                if (split) last_valid = cli::gather_snapshot(ranks, last_valid);
                if (!lead) return kExitInvalidSimulation;
                std::fprintf(stderr, "flume-cli: %s\n", e.what());
                save_state(save_dir, "last-valid-step", last_valid, "last valid state");
                return kExitInvalidSimulation;
            }
            ++steps;
            step_bytes += ranks.bytes_sent - bytes_before;
            step_messages += ranks.messages_sent - messages_before;
            const flume::StepStats& s = sim->stats();
            if (stats_file.is_open()) {
                output([&] {
                    if (!stats_header) write_stats_header(stats_file, s);
                    stats_header = true;
                    write_stats_row(stats_file, s);
                    flume::check_output(stats_file, options.stats_path);
                });
            }
            if (probe_log) output([&] { probe_log->after_step(); });
            if (exporting && options.export_every > 0 && s.step % options.export_every == 0)
                output(export_frame);
            if (!options.surface_dir.empty() && s.step % surface_every == 0) output(export_surface);
            if (checkpoints && s.time + 1.0e-12 >= next_checkpoint) {
                while (next_checkpoint <= s.time + 1.0e-12)
                    next_checkpoint += checkpoint_every;
                output(write_checkpoint);
            }
            agree();
            if (g_stop_signal != 0) {
                progress.finish();
                if (last_checkpoint.empty() ||
                    last_checkpoint.find(checkpoint_name(stem, s.step)) == std::string::npos)
                    write_checkpoint();
                if (stats_file.is_open()) flume::close_output(stats_file, options.stats_path);
                if (probe_log) probe_log->close();
                if (split && !lead) return 128 + g_stop_signal;
                std::fprintf(stderr,
                             "flume-cli: %s at step %" PRIu64
                             " (t = %.6f s): the run is saved in %s; go on with\n"
                             "  flume-cli resume %s\n",
                             g_stop_signal == SIGINT ? "interrupted" : "terminated", s.step, s.time,
                             last_checkpoint.c_str(), last_checkpoint.c_str());
                return 128 + g_stop_signal;
            }
            progress.update(target_step ? static_cast<double>(s.step - first_step) /
                                              static_cast<double>(*target_step - first_step)
                                        : (s.time - start_time) / (until - start_time),
                            s.step, s.time);
        }
        // The final state is always exported, whatever --every says.
        if (exporting &&
            (options.export_every == 0 || sim->stats().step % options.export_every != 0)) {
            output(export_frame);
        }
        if (!options.surface_dir.empty() && sim->stats().step % surface_every != 0)
            output(export_surface);
        agree();
        if (stats_file.is_open()) flume::close_output(stats_file, options.stats_path);
        if (probe_log) probe_log->close();
    } catch (const flume::OutputError& e) {
        // The run cannot deliver what was asked: stop, but keep the state it reached.
        progress.finish();
        flume::ParticleSnapshot current;
        current.assign(sim->whole_fluid(), sim->stats().step, sim->stats().time);
        if (split && !lead) return kExitOutputFailed;
        std::fprintf(stderr, "flume-cli: %s\n", e.what());
        save_state(save_dir, "stopped-at-step", current, "state reached");
        return kExitOutputFailed;
    }
    // Split between ranks: what each sent, for the summary.
    std::vector<std::string> sent;
    if (split) {
        sent = ranks.all_gather(std::to_string(step_bytes) + " " + std::to_string(step_messages) +
                                " " + std::to_string(sim->rank_share()->halo));
    }
    progress.update(1.0, sim->stats().step, sim->stats().time, true);
    progress.finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const flume::StepStats& s = sim->stats();
    const double steps_per_second = seconds > 0.0 ? static_cast<double>(steps) / seconds : 0.0;
    std::printf("%s: %" PRIu64
                " steps to t = %.5f s, %zu fluid + %zu boundary particles, "
                "%d thread(s), %.3f s wall, %.1f steps/s (%.3f M particle-steps/s), "
                "avg density error %.3f%%, max speed %.3f m/s, removed %" PRIu64 "\n",
                scene.name.empty() ? options.scene.c_str() : scene.name.c_str(), steps, s.time,
                s.fluid_particles, s.boundary_particles, options.threads, seconds, steps_per_second,
                steps_per_second * static_cast<double>(s.fluid_particles) * 1e-6,
                100.0 * s.average_density_error, s.max_speed, s.removed_particles);
    if (split) {
        const flume::RankShare share = *sim->rank_share();
        std::string shares;
        const double total = static_cast<double>(std::max<std::size_t>(s.fluid_particles, 1));
        for (std::size_t owned : share.owned_by_rank) {
            char text[32];
            std::snprintf(text, sizeof text, "%s%.1f%%", shares.empty() ? "" : " ",
                          100.0 * static_cast<double>(owned) / total);
            shares += text;
        }
        double bytes = 0.0, messages = 0.0, halo = 0.0;
        for (const std::string& line : sent) {
            std::istringstream in(line);
            double b = 0.0, m = 0.0, h = 0.0;
            in >> b >> m >> h;
            bytes += b;
            messages += m;
            halo += h;
        }
        const double per = std::max(1.0, static_cast<double>(steps) * ranks.size());
        std::printf("  %d ranks split the fluid: shares %s at the end, %" PRIu64
                    " cuts; per rank and step %.1f kB sent in %.1f messages, %.0f halo "
                    "particles\n",
                    ranks.size(), shares.c_str(), share.recuts, bytes / per * 1.0e-3,
                    messages / per, halo / static_cast<double>(ranks.size()));
    }
    print_meshes(*sim, "%s  ");
    if (surfaces > 0) {
        std::printf("  surface meshes: %" PRIu64 " in %s, %.0f ms each (OpenVDB)\n", surfaces,
                    options.surface_dir.c_str(), surface_ms / static_cast<double>(surfaces));
    }
    print_flows(*sim);
    if (!sim->obstacles().empty() && std::any_of(sim->obstacles().begin(), sim->obstacles().end(),
                                                 [](const flume::ObstacleSummary& o) {
                                                     return o.name != "box" && o.name != "sphere";
                                                 })) {
        const flume::LoadTimes& t = sim->load_times();
        std::printf(
            "  loaded in %.0f ms: distance fields %.0f ms, boundary samples %.0f ms, "
            "fluid %.0f ms\n",
            t.distance_fields_ms + t.boundary_ms + t.fluid_ms, t.distance_fields_ms, t.boundary_ms,
            t.fluid_ms);
    }
    if (options.hash) std::printf("state-hash: %s\n", hex64(sim->state_hash()).c_str());
    return 0;
}

struct ValidateOptions {
    std::string name;
    int threads = flume::WorkerPool::hardware_threads();
    std::vector<std::string> overrides;
    std::string plot_path;
    bool list = false;
    bool quiet = false;
};

int list_validation_cases() {
    for (const flume::ValidationCase& c : flume::validation_cases())
        std::printf("%-12s %s\n", c.name.c_str(), c.description.c_str());
    return 0;
}

// Runs a validation case, prints its table and a PASS/FAIL line; exit 0 on pass, 1 on fail.
int validate(const ValidateOptions& options) {
    if (options.list || options.name.empty()) return list_validation_cases();
    flume::WorkerPool pool(options.threads);
    Progress progress(!options.quiet && isatty(STDOUT_FILENO));
    const auto start = std::chrono::steady_clock::now();
    flume::ValidationReport report;
    try {
        report = flume::run_validation(
            options.name, options.overrides, pool,
            [&](double time, double end_time) { progress.update(time / end_time, 0, time); });
    } catch (const flume::SimulationError& e) {
        progress.finish();
        std::fprintf(stderr, "flume-cli: %s\n", e.what());
        std::printf("FAIL %s: the simulation became invalid\n", options.name.c_str());
        return kExitValidationFailed;
    }
    progress.finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s: %s\n", report.name.c_str(), report.title.c_str());
    std::printf("%12s %12s %12s %12s\n", report.x_name.c_str(),
                ("sim " + report.value_name).c_str(), ("ref " + report.value_name).c_str(),
                report.error_name.c_str());
    for (const flume::ValidationRow& row : report.rows) {
        std::printf("%12.4g %12.4g %12.4g %+12.3f%s\n", row.x, row.simulated, row.reference,
                    row.error, row.within ? "" : "  <- outside tolerance");
    }
    for (const std::string& note : report.notes)
        std::printf("  %s\n", note.c_str());
    if (!options.plot_path.empty()) {
        flume::write_validation_plot(report, options.plot_path);  // OutputError: exit 4
        std::printf("  plot: %s\n", options.plot_path.c_str());
    }
    std::printf("%s %s (%.1f s wall, %d thread(s))\n", report.passed ? "PASS" : "FAIL",
                report.name.c_str(), seconds, options.threads);
    return report.passed ? 0 : kExitValidationFailed;
}

}  // namespace

int main(int argc, char** argv) {
    const std::unique_ptr<flume::Communicator> ranks = flume::cli::start_communicator(argc, argv);
    g_ranks = ranks.get();
    CLI::App app{"flume-cli: headless SPH fluid simulation (batch runs, export, benchmarks)",
                 "flume-cli"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "flume-cli 0.1.0");

    app.add_subcommand("list", "List the built-in scenes and their particle counts");
    app.add_subcommand("params", "List every scene parameter (key, default, range, description)");

    RunOptions options;
    CLI::App* run_cmd = app.add_subcommand("run", "Run a scene");
    run_cmd->add_option("scene", options.scene, "Built-in scene name or path to a scene .json")
        ->required();
    auto* steps = run_cmd->add_option("--steps", options.steps, "Number of steps to take")
                      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    run_cmd
        ->add_option("--until", options.until,
                     "Simulated time to stop at, in s (default: the scene's end_time)")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                const double t = std::strtod(text.c_str(), nullptr);
                return std::isfinite(t) ? "" : "expected a finite time in seconds";
            },
            "TIME"))
        ->check(CLI::Range(0.0, 1.0e6))
        ->excludes(steps);
    run_cmd->add_option("--threads", options.threads, "Worker threads, the caller included")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    run_cmd
        ->add_option("--set", options.overrides,
                     "Override a scene parameter, key=value (see `flume-cli params`), or an "
                     "emitter's: emitters/N/velocity=V, emitters/N/enabled=false")
        ->type_name("KEY=VALUE");
    run_cmd->add_option("--stats", options.stats_path,
                        "Write per-step statistics to a CSV file (with the particles emitted and "
                        "removed by outlets so far)");
    auto* probes_opt = run_cmd->add_option(
        "--probes", options.probes_path,
        "Write the scene's probes (\"probes\" in the scene: pressure, velocity and density at "
        "points, water levels, forces and torques on obstacles and walls) to a CSV file: a "
        "header with units, a row at t = 0, then as --probe-every says");
    run_cmd
        ->add_option("--probe-every", options.probe_every,
                     "With --probes: a row every T seconds of simulated time (at the first step "
                     "at or after each multiple of T; default 0: every step)")
        ->needs(probes_opt)
        ->check(CLI::Range(0.0, 1.0e6));
    auto* export_opt = run_cmd->add_option("--export", options.export_dir,
                                           "Write .vtp frames and a .pvd series into this folder");
    run_cmd->add_option("--every", options.export_every, "Export every K steps (with --export)")
        ->needs(export_opt)
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    run_cmd->add_flag("--hash", options.hash,
                      "Print `state-hash: HEX` (positions and velocities, id order) last");
    run_cmd->add_flag("--quiet", options.quiet, "No progress bar");
    auto* surface_opt = run_cmd->add_option(
        "--export-surface", options.surface_dir,
        "Write the fluid's surface as a triangle mesh (surface_STEP.ply, or .obj) into this "
        "folder, for Blender or ParaView: 3D scenes, builds with OpenVDB (the native-release "
        "preset), whose code flume-cli loads on first use: libflume_surface_vdb.so beside it, "
        "where it is installed, or as $FLUME_SURFACE_MODULE names it");
    run_cmd
        ->add_option("--surface-every", options.surface_every,
                     "With --export-surface: every K steps (default: as --every, or 100); the "
                     "first and last state always")
        ->needs(surface_opt)
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    run_cmd
        ->add_option("--surface-format", options.surface_format,
                     "With --export-surface: ply (binary) or obj")
        ->needs(surface_opt)
        ->check(CLI::IsMember({"ply", "obj"}))
        ->capture_default_str();
    run_cmd
        ->add_option("--surface-voxel", options.surface.voxel,
                     "With --export-surface: the level set's voxel in particle radii (smaller: "
                     "finer and slower)")
        ->needs(surface_opt)
        ->check(CLI::Range(0.2, 4.0))
        ->capture_default_str();
    run_cmd
        ->add_option("--surface-smoothing", options.surface.smoothing,
                     "With --export-surface: mean-curvature smoothing passes")
        ->needs(surface_opt)
        ->check(CLI::Range(0, 20))
        ->capture_default_str();
    auto* checkpoint_opt = run_cmd->add_option(
        "--checkpoint", options.checkpoint_dir,
        "Write checkpoints into this folder (each written whole, then renamed into place; the "
        "newest --keep kept), and one on SIGINT or SIGTERM before stopping: `flume-cli resume "
        "FILE` goes on from one with the same outputs");
    run_cmd
        ->add_option("--checkpoint-every", options.checkpoint_every,
                     "With --checkpoint: one every T seconds of simulated time (default: a tenth "
                     "of the run)")
        ->needs(checkpoint_opt)
        ->check(CLI::Range(1.0e-6, 1.0e6));
    run_cmd->add_option("--keep", options.checkpoint_keep, "With --checkpoint: how many to keep")
        ->needs(checkpoint_opt)
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();

    // resume: the options of run that make sense on a resumed run; those not given are the
    // interrupted run's.
    RunOptions resume_options;
    std::string resume_file;
    CLI::App* resume_cmd = app.add_subcommand(
        "resume",
        "Go on with a run from a checkpoint (run --checkpoint): to the interrupted run's end "
        "unless --until or --steps says otherwise, continuing its stats, probes and export; the "
        "final state is the one the run would have reached uninterrupted");
    resume_cmd->add_option("checkpoint", resume_file, "A .flume-checkpoint file")->required();
    auto* resume_steps =
        resume_cmd->add_option("--steps", resume_options.steps, "Number of steps to take from here")
            ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    resume_cmd->add_option("--until", resume_options.until, "Simulated time to stop at, in s")
        ->check(CLI::Range(0.0, 1.0e6))
        ->excludes(resume_steps);
    resume_cmd
        ->add_option("--threads", resume_options.threads, "Worker threads, the caller included")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    auto* r_stats = resume_cmd->add_option("--stats", resume_options.stats_path,
                                           "Per-step statistics CSV (default: the run's)");
    auto* r_probes = resume_cmd->add_option("--probes", resume_options.probes_path,
                                            "Probes CSV (default: the run's)");
    auto* r_probe_every =
        resume_cmd->add_option("--probe-every", resume_options.probe_every, "As run's")
            ->check(CLI::Range(0.0, 1.0e6));
    auto* r_export = resume_cmd->add_option("--export", resume_options.export_dir,
                                            "Export folder (default: the run's)");
    auto* r_every = resume_cmd->add_option("--every", resume_options.export_every, "As run's")
                        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    auto* r_checkpoint = resume_cmd->add_option("--checkpoint", resume_options.checkpoint_dir,
                                                "Checkpoint folder (default: the run's)");
    auto* r_checkpoint_every =
        resume_cmd->add_option("--checkpoint-every", resume_options.checkpoint_every, "As run's")
            ->check(CLI::Range(1.0e-6, 1.0e6));
    auto* r_keep = resume_cmd->add_option("--keep", resume_options.checkpoint_keep, "As run's")
                       ->check(CLI::Range(1, 1000));
    resume_cmd->add_flag("--hash", resume_options.hash, "As run's");
    resume_cmd->add_flag("--quiet", resume_options.quiet, "No progress bar");

    ValidateOptions validate_options;
    CLI::App* validate_cmd = app.add_subcommand(
        "validate",
        "Run a validation case against exact or experimental data; prints a table and PASS/FAIL "
        "(exit 0 pass, 1 fail)");
    validate_cmd->add_option(
        "name", validate_options.name,
        "Case: dam-break (Martin & Moyce 1952) or hydrostatic; none lists them");
    validate_cmd->add_flag("--list", validate_options.list, "List the validation cases");
    validate_cmd
        ->add_option("--threads", validate_options.threads, "Worker threads, the caller included")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    validate_cmd
        ->add_option("--set", validate_options.overrides,
                     "Override a parameter of the case's scene, key=value (e.g. solver=wcsph)")
        ->type_name("KEY=VALUE");
    validate_cmd->add_option("--plot", validate_options.plot_path,
                             "Write a PNG plot of simulated against reference data");
    validate_cmd->add_flag("--quiet", validate_options.quiet, "No progress bar");

    // An error that ends this process: said, and under mpirun said with the rank and the
    // others ended with it (so that none waits for this one).
    auto stop = [&](int code, const std::string& message) {
        if (ranks->size() == 1) {
            std::fprintf(stderr, "flume-cli: %s\n", message.c_str());
            return code;
        }
        std::fprintf(stderr, "flume-cli: rank %d: %s\n", ranks->rank(), message.c_str());
        ranks->abort(code);
        return code;
    };
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        if (code != 0 && ranks->size() > 1) ranks->abort(kExitBadInput);
        return code == 0 ? 0 : kExitBadInput;
    }

    // Under mpirun, rank 0 alone speaks and writes; the others run the same simulation quietly
    // (and only `run` and `resume` run on them).
    const bool lead = ranks->rank() == 0;
    // The others keep the folders of the outputs that gather every rank's particles, and take
    // part in each (run()).
    auto quietly = [&](RunOptions o) {
        if (lead) return o;
        o.stats_path.clear();
        o.quiet = true;
        if (!std::freopen("/dev/null", "w", stdout)) std::fclose(stdout);
        return o;
    };
    if (!lead && !app.got_subcommand("run") && !app.got_subcommand("resume")) return 0;

    try {
        if (app.got_subcommand("list")) return list_scenes();
        if (app.got_subcommand("params")) return list_parameters();
        if (app.got_subcommand("validate")) return validate(validate_options);
        if (app.got_subcommand("resume")) {
            const std::string bytes =
                flume::read_file_bytes(resume_file, std::numeric_limits<std::size_t>::max());
            const flume::cli::Checkpoint c = flume::cli::decode_checkpoint(bytes, resume_file);
            RunOptions& o = resume_options;
            o.scene = c.scene.name_or_path;
            const nlohmann::json& r = c.run;
            if (!r_stats->count()) o.stats_path = r.value("stats", std::string());
            if (!r_probes->count()) o.probes_path = r.value("probes", std::string());
            if (!r_probe_every->count()) o.probe_every = r.value("probe_every", 0.0);
            if (!r_export->count()) o.export_dir = r.value("export", std::string());
            if (!r_every->count()) o.export_every = r.value("export_every", std::uint64_t{0});
            if (!r_checkpoint->count()) o.checkpoint_dir = r.value("checkpoint", std::string());
            if (!r_checkpoint_every->count()) o.checkpoint_every = r.value("checkpoint_every", 0.0);
            if (!r_keep->count()) o.checkpoint_keep = r.value("checkpoint_keep", 3);
            o.surface_dir = r.value("surface", std::string());
            o.surface_every = r.value("surface_every", std::uint64_t{0});
            o.surface_format = r.value("surface_format", std::string("ply"));
            o.surface.voxel = r.value("surface_voxel", o.surface.voxel);
            o.surface.smoothing = r.value("surface_smoothing", o.surface.smoothing);
            if (!o.export_dir.empty() && o.export_every == 0) o.export_every = 100;
            return run(quietly(o), &c, resume_file);
        }
        if (!options.export_dir.empty() && options.export_every == 0) options.export_every = 100;
        return run(quietly(options));
    } catch (const flume::SceneError& e) {
        return stop(kExitBadInput, e.what());
    } catch (const flume::StateError& e) {
        return stop(kExitBadInput, e.what());
    } catch (const flume::OutputError& e) {
        return stop(kExitOutputFailed, e.what());
    } catch (const std::bad_alloc&) {
        return stop(1,
                    "out of memory: the run needed more than this process could get, although "
                    "its estimate at load was within memory_limit (see `flume-cli params`); set "
                    "memory_limit to what this machine can spare, or use a larger "
                    "particle_radius or a smaller max_particles");
    } catch (const std::exception& e) {
        return stop(1, std::string("error: ") + e.what());
    }
}
