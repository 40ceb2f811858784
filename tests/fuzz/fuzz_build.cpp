// libFuzzer target: parse, build and step, the path that allocates. Input as fuzz_scene.cpp.
// Scenes within the documented limits but too large to build many times a second (over 20,000
// fluid particles, 50,000 boundary samples or a million grid cells) are skipped: the limits
// themselves are tested in scene_limits_test.cpp. Anything but a SceneError or a
// SimulationError is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/errors.hpp"
#include "core/scene.hpp"
#include "core/simulation.hpp"
#include "core/worker_pool.hpp"
#include "fuzz_input.hpp"

namespace {

bool small_enough(const flume::Scene& scene) {
    if (flume::estimate_fluid_particles(scene) > 20000.0) return false;
    const flume::BoundaryEstimate b = flume::estimate_boundary_samples(scene);
    double samples = b.walls;
    for (double o : b.obstacles)
        samples += o;
    if (samples > 50000.0) return false;
    const double support = 4.0 * scene.params.number("particle_radius");
    double cells = 1.0;
    for (int k = 0; k < scene.dimension; ++k)
        cells *= (scene.domain_max[k] - scene.domain_min[k]) / support + 3.0;
    return cells <= 1.0e6;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static flume::WorkerPool pool(2);
    const flume::fuzz::Input input = flume::fuzz::split_input(data, size);
    try {
        flume::Scene scene = flume::parse_scene(input.scene, "fuzz.json");
        for (std::string_view assignment : input.overrides)
            scene.apply_override(assignment);
        scene.validate();
        if (!small_enough(scene)) return 0;
        const auto sim = flume::Simulation::create(scene, pool);
        for (int step = 0; step < 3; ++step)
            sim->step();
    } catch (const flume::SceneError&) {
    } catch (const flume::SimulationError&) {
    }
    return 0;
}
