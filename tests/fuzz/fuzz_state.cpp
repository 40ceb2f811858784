// libFuzzer target: the saved-state reader (Simulation::restore_state) on hostile bytes. The
// input is the payload of a state file (its sections); the target wraps it in a valid header and
// checksum, so that the fuzzer reaches the sections' reading rather than the checksum's refusal,
// restores it into a small 2D simulation with an emitter, an outlet, a moving wall and a force
// probe, and takes a step from what it restored. Anything but a StateError, or a SimulationError
// from the step, is a finding; after each input the simulation is put back as it was. Its seeds
// are the simulation's own states after 0, 7 and 25 steps, written (when FLUME_FUZZ_STATE_SEEDS
// names a folder) before the first input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "core/scene.hpp"
#include "core/simulation.hpp"
#include "core/state/state_file.hpp"
#include "core/worker_pool.hpp"

namespace {

constexpr const char* kScene = R"({
  "dimension": 2, "particle_radius": 0.05, "solver": "dfsph",
  "domain": {"min": [0, 0], "max": [1, 1]},
  "fluid": [{"min": [0, 0], "max": [0.4, 0.3]}],
  "emitters": [{"shape": "segment", "center": [0.2, 0.8], "direction": [0, -1], "width": 0.2,
                "velocity": 1}],
  "outlets": [{"shape": "box", "min": [0.9, 0], "max": [1, 0.1]}],
  "obstacles": [{"shape": "box", "min": [0.6, 0], "max": [0.7, 0.2],
                 "motion": {"type": "oscillate", "axis": [1, 0], "amplitude": 0.05,
                            "period": 0.5}}],
  "probes": [{"type": "force", "name": "box", "obstacle": 0}]
})";

struct Subject {
    flume::WorkerPool pool{1};
    std::unique_ptr<flume::Simulation> sim;
    std::string pristine;  // its state before any input
};

Subject& subject() {
    static Subject s;
    if (!s.sim) {
        s.sim = flume::Simulation::create(flume::parse_scene(kScene, "fuzz-state.json"), s.pool);
        s.pristine = s.sim->save_state();
    }
    return s;
}

// The payload of a state file: what follows its header.
std::string payload_of(const std::string& file) {
    return std::string(flume::read_state_file(file, "seed").payload);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    Subject& s = subject();
    const char* dir = std::getenv("FLUME_FUZZ_STATE_SEEDS");
    if (!dir) return 0;
    std::filesystem::create_directories(dir);
    int taken = 0;
    for (int steps : {0, 7, 25}) {
        while (taken < steps) {
            s.sim->step();
            ++taken;
        }
        std::ofstream(std::filesystem::path(dir) / ("state-" + std::to_string(steps)),
                      std::ios::binary)
            << payload_of(s.sim->save_state());
    }
    s.sim->restore_state(s.pristine, "pristine");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Subject& s = subject();
    flume::StateHeader header;
    header.dimension = 2;
    header.build = "fuzz";
    const std::string file = flume::write_state_file(
        header, std::string_view(reinterpret_cast<const char*>(data), size));
    try {
        s.sim->restore_state(file, "fuzz");
        try {
            s.sim->step();
        } catch (const flume::SimulationError&) {
        }
    } catch (const flume::StateError&) {
    }
    s.sim->restore_state(s.pristine, "pristine");
    return 0;
}
