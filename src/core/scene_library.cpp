#include "core/scene_library.hpp"

#include <algorithm>
#include <filesystem>

#include "core/errors.hpp"

namespace flume {

namespace embedded {
std::span<const EmbeddedFile> scene_files();  // generated from scenes/*.json
std::span<const EmbeddedFile> mesh_files();   // generated from scenes/meshes/*.obj
}  // namespace embedded

std::span<const EmbeddedFile> builtin_scenes() {
    return embedded::scene_files();
}

std::string builtin_file(const std::string& name) {
    // Embedded as "ramp_obj" for "meshes/ramp.obj".
    std::string key = name.starts_with("meshes/") ? name.substr(7) : "";
    std::replace(key.begin(), key.end(), '.', '_');
    for (const EmbeddedFile& f : embedded::mesh_files()) {
        if (!key.empty() && f.name == key) return std::string(f.text);
    }
    throw SceneError(name + ": no such file among the built-in meshes (scenes/meshes/)");
}

Scene load_builtin_scene(std::string_view name) {
    for (const EmbeddedFile& f : builtin_scenes()) {
        if (f.name == name)
            return parse_scene(f.text, "built-in scene " + std::string(name), builtin_file);
    }
    std::vector<std::string_view> names;
    std::string list;
    for (const EmbeddedFile& f : builtin_scenes()) {
        names.push_back(f.name);
        list += (list.empty() ? "" : ", ") + std::string(f.name);
    }
    std::string msg = "no built-in scene named \"" + std::string(name) + "\"";
    if (auto near = closest_match(name, names)) msg += " (did you mean \"" + *near + "\"?)";
    throw SceneError(msg + "; built-in scenes: " + list);
}

namespace {

Scene load_by_name_or_path(std::string_view name_or_path) {
    for (const EmbeddedFile& f : builtin_scenes()) {
        if (f.name == name_or_path) return load_builtin_scene(name_or_path);
    }
    const std::string path(name_or_path);
    std::error_code ec;
    const bool looks_like_path = path.find('/') != std::string::npos || path.ends_with(".json") ||
                                 std::filesystem::exists(path, ec);
    if (looks_like_path) return load_scene_file(path);
    return load_builtin_scene(name_or_path);  // throws with the list of names
}

}  // namespace

Scene load_scene(std::string_view name_or_path, const std::vector<std::string>& overrides) {
    Scene scene = load_by_name_or_path(name_or_path);
    scene.apply_overrides(overrides);
    return scene;
}

}  // namespace flume
