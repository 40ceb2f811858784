// What the app shows of the running scene, decided without GL or ImGui (the unit tests call it):
// the Scene panel's name for it, whether its domain walls are drawn, the name of a saved state,
// the scene the apps open on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/scene.hpp"

namespace flume {

// The scene the apps open on when none is named (scripts/run.sh, the browser page without
// ?scene=): a 3D scene that shows the fluid surface at a frame rate a laptop sustains (chosen by
// measuring the browser's threaded build: docs/apps.md, "The start scene").
inline constexpr std::string_view kStartScene = "mixer-3d";

// The longest description a built-in scene has: the Scene panel shows it under the list.
inline constexpr std::size_t kMaxSceneDescription = 160;

// The Scene panel's name for `scene`: a built-in scene's name, or "from file: NAME" (the file's
// name without its folder) for a scene opened from a file: the command line, the path field, a
// dropped .json, the browser's ?scene=URL. A mesh dropped on a scene adds " + MESH" to either
// ("ramp-3d + cube.obj", "from file: pour.json + cube.obj"): the scene is no longer the one named.
std::string scene_label(const Scene& scene);

// Where a state saved at `step` goes: SCENE-STEP.flume-state, SCENE the scene's name (its file's
// stem when it has none), with characters other than letters, digits, '.', '_' and '-' made '-'.
std::string state_file_name(const Scene& scene, std::uint64_t step);

// A state file, by its extension (case-insensitive): .flume-state.
inline constexpr std::string_view kStateFileExtension = ".flume-state";

// Whether the domain's walls are drawn (the wireframe box, the surface view's room; see
// scene_drawing.hpp): only when the scene has them (`domain_walls`). Obstacles are drawn either
// way.
bool draws_domain_walls(const Scene& scene);

}  // namespace flume
