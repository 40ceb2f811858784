#include "app/scene_display.hpp"

#include <filesystem>
#include <string_view>

namespace flume {

namespace {

// Scene::source of a built-in scene (core/scene_library.cpp); a file's path otherwise.
constexpr std::string_view kBuiltinSource = "built-in scene ";

}  // namespace

std::string scene_label(const Scene& scene) {
    // The source names the built-in (or the file) and then each mesh dropped on it: " + NAME".
    if (std::string_view(scene.source).starts_with(kBuiltinSource)) {
        return scene.source.substr(kBuiltinSource.size());
    }
    const std::string file = std::filesystem::path(scene.source).filename().string();
    return "from file: " + (file.empty() ? scene.source : file);
}

std::string state_file_name(const Scene& scene, std::uint64_t step) {
    std::string stem = scene.name;
    if (stem.empty()) {
        const std::string file = scene.source.substr(0, scene.source.find(" + "));
        stem = std::filesystem::path(file).stem().string();
    }
    if (stem.empty()) stem = "flume";
    for (char& c : stem) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!plain) c = '-';
    }
    return stem + "-" + std::to_string(step) + std::string(kStateFileExtension);
}

bool draws_domain_walls(const Scene& scene) {
    return scene.params.boolean("domain_walls");
}

}  // namespace flume
