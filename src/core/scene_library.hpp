// The built-in scenes: one library that the CLI, the tests, the benchmarks and the apps all use,
// so that what is benchmarked is what is shown. Every file in scenes/*.json is compiled into the
// binary and registered under its file name (scenes/dam-break-2d.json -> "dam-break-2d").
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/embedded_file.hpp"
#include "core/scene.hpp"

namespace flume {

// Names and JSON text of every built-in scene, sorted by name.
std::span<const EmbeddedFile> builtin_scenes();

// The bytes of a file that the built-in scenes name ("meshes/ramp.obj": scenes/meshes/ramp.obj,
// compiled in). Throws SceneError if there is none. A FileReader.
std::string builtin_file(const std::string& name);

// The built-in scene `name`. Throws SceneError listing the known names if there is none.
Scene load_builtin_scene(std::string_view name);

// A built-in scene name, or else a path to a JSON file, with `key=value` overrides applied in
// order (Scene::apply_overrides). Throws SceneError. The one way every front end loads a scene.
Scene load_scene(std::string_view name_or_path, const std::vector<std::string>& overrides = {});

}  // namespace flume
