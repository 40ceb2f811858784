// Checkpoints of a batch run (flume-cli run --checkpoint DIR, flume-cli resume FILE): the
// simulation's saved state (core/state/state_file.hpp), the scene it was built from (a built-in
// scene's name, or a scene file's text with the meshes it names, so that a checkpoint resumes on
// any machine, natively or in WebAssembly, without the files) and the run's progress (its end,
// its outputs and how far they got), in one checksummed file:
//
//   "FLUMECKP" (8 bytes), format version (u32), payload length (u64), FNV-1a checksum (u64),
//   payload: sections "RUN " (the run as JSON), "SCEN" (the scene), "SIM " (the state file)
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/scene.hpp"

namespace flume::cli {

inline constexpr std::uint32_t kCheckpointVersion = 1;

// Where a run's scene came from, enough to build it again.
struct SceneSource {
    std::string name_or_path;  // as the run was given it
    bool builtin = false;
    std::string text;                                        // a scene file's JSON
    std::vector<std::pair<std::string, std::string>> files;  // the meshes it names: name, bytes
    std::vector<std::string> overrides;                      // --set, in order
};

// Reads a scene file and the meshes it names (a built-in scene: its name alone). Throws
// SceneError.
SceneSource capture_scene_source(const std::string& name_or_path,
                                 const std::vector<std::string>& overrides);

// The scene again, from what capture_scene_source kept. Throws SceneError.
Scene load_scene_source(const SceneSource& source);

struct Checkpoint {
    SceneSource scene;
    nlohmann::json run;  // the run's options and progress
    std::string state;   // Simulation::save_state()
};

std::string encode_checkpoint(const Checkpoint& checkpoint);

// Throws StateError naming `name` and what is wrong (not a checkpoint, truncated, corrupted, a
// newer format).
Checkpoint decode_checkpoint(std::string_view bytes, const std::string& name);

// Writes `bytes` to `path` through a temporary file beside it (written, flushed, closed, then
// renamed over `path`): a reader sees the old file or the new one, never a part. Throws
// OutputError naming the file; the temporary file is removed and `path` left as it was.
void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace flume::cli
