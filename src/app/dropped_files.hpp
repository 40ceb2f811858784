// Files dropped on the window (desktop) or the page (browser), made into scenes: a mesh (.obj,
// .stl) becomes one more obstacle of the running scene, a scene .json loads with the meshes it
// names, a state (.flume-state) is put back into the running simulation. Nothing here draws;
// App::drop_files calls it and shows the errors.
//
//   Scene next = scene_with_dropped_mesh(running, bytes, "funnel.obj", view_centre);
//   Scene other = load_dropped_scene("/drops/pour.json");   // its meshes beside it
#pragma once

#include <glm/glm.hpp>
#include <string>
#include <string_view>

#include "core/scene.hpp"

namespace flume {

enum class DroppedFile { Scene, Mesh, State, Unknown };

// What a dropped file is, by its extension (case-insensitive): .json, .obj, .stl or
// .flume-state.
DroppedFile dropped_file_kind(std::string_view path);

// `scene` with the mesh in `bytes` (named `name`) added as an obstacle: scaled so that its largest
// extent is a quarter of the domain's smallest, centred at `center` but moved as little as needed
// to lie inside the domain. Throws MeshError (the mesh cannot be read or is not closed) or
// SceneError (a 2D scene, or the scene refuses it: sample limits). The result's source is the
// scene's with " + NAME" added, so that the Scene panel says the scene was changed.
Scene scene_with_dropped_mesh(const Scene& scene, std::string_view bytes, const std::string& name,
                              const glm::dvec3& center);

// Reads a dropped scene file and the meshes it names relative to its folder; a mesh missing
// there is looked for beside the scene under its bare file name (the browser puts the files
// dropped together in one folder). Throws SceneError naming the file that is missing.
Scene load_dropped_scene(const std::string& path);

}  // namespace flume
