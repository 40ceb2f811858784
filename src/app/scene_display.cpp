#include "app/scene_display.hpp"

#include <filesystem>
#include <string_view>

namespace flume {

namespace {

// Scene::source of a built-in scene (core/scene_library.cpp); a file's path otherwise.
constexpr std::string_view kBuiltinSource = "built-in scene ";

}  // namespace

std::string scene_label(const Scene& scene) {
    if (std::string_view(scene.source).starts_with(kBuiltinSource)) {
        return scene.name.empty() ? scene.source.substr(kBuiltinSource.size()) : scene.name;
    }
    const std::string file = std::filesystem::path(scene.source).filename().string();
    return "from file: " + (file.empty() ? scene.source : file);
}

bool draws_domain_walls(const Scene& scene) {
    return scene.params.boolean("domain_walls");
}

}  // namespace flume
