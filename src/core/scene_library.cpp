#include "core/scene_library.hpp"

#include <filesystem>

#include "core/errors.hpp"

namespace flume {

namespace embedded {
std::span<const EmbeddedFile> scene_files();  // generated from scenes/*.json
}

std::span<const EmbeddedFile> builtin_scenes() {
    return embedded::scene_files();
}

Scene load_builtin_scene(std::string_view name) {
    for (const EmbeddedFile& f : builtin_scenes()) {
        if (f.name == name) return parse_scene(f.text, "built-in scene " + std::string(name));
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

Scene load_scene(const std::string& name_or_path) {
    for (const EmbeddedFile& f : builtin_scenes()) {
        if (f.name == name_or_path) return load_builtin_scene(name_or_path);
    }
    std::error_code ec;
    const bool looks_like_path = name_or_path.find('/') != std::string::npos ||
                                 name_or_path.ends_with(".json") ||
                                 std::filesystem::exists(name_or_path, ec);
    if (looks_like_path) return load_scene_file(name_or_path);
    return load_builtin_scene(name_or_path);  // throws with the list of names
}

}  // namespace flume
