// libFuzzer target: the scene parser and `--set` overrides, as a downloaded scene file and a
// user's command line would feed them. Input: the scene's JSON text, optionally followed by a
// line "--set" and one key=value override per line. Anything but a SceneError is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/errors.hpp"
#include "core/scene.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const flume::fuzz::Input input = flume::fuzz::split_input(data, size);
    try {
        flume::Scene scene = flume::parse_scene(input.scene, "fuzz.json");
        for (std::string_view assignment : input.overrides)
            scene.apply_override(assignment);
        scene.validate();
    } catch (const flume::SceneError&) {
    }
    return 0;
}
