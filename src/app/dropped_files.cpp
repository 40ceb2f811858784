#include "dropped_files.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>

#include "app/scene_display.hpp"
#include "core/errors.hpp"

namespace flume {

namespace {

// `tail` in lower case.
bool ends_with(std::string_view text, std::string_view tail) {
    return text.size() >= tail.size() &&
           std::equal(tail.begin(), tail.end(),
                      text.end() - static_cast<std::ptrdiff_t>(tail.size()),
                      [](char lower, char c) {
                          return std::tolower(static_cast<unsigned char>(c)) == lower;
                      });
}

// A quarter of the domain's smallest extent: large enough to see, small enough to leave room.
double dropped_mesh_size(const Scene& scene) {
    const glm::dvec3 extent = scene.domain_max - scene.domain_min;
    return 0.25 * std::min({extent.x, extent.y, extent.z});
}

}  // namespace

DroppedFile dropped_file_kind(std::string_view path) {
    if (ends_with(path, ".json")) return DroppedFile::Scene;
    if (ends_with(path, ".obj") || ends_with(path, ".stl")) return DroppedFile::Mesh;
    if (ends_with(path, kStateFileExtension)) return DroppedFile::State;
    return DroppedFile::Unknown;
}

Scene scene_with_dropped_mesh(const Scene& scene, std::string_view bytes, const std::string& name,
                              const glm::dvec3& center) {
    if (scene.dimension != 3) {
        throw SceneError(name + ": meshes are for 3D scenes (this scene is 2D)");
    }
    auto shape = std::make_shared<MeshShape>();
    shape->file = name;
    shape->mesh = read_mesh(bytes, name);
    const glm::dvec3 lower = shape->mesh.lower(), upper = shape->mesh.upper();
    const glm::dvec3 extent = upper - lower;
    const double largest = std::max({extent.x, extent.y, extent.z});
    if (!(largest > 0.0)) throw MeshError(name + " is flat: its bounding box has no extent");
    const double scale = dropped_mesh_size(scene) / largest;
    // Centred at `center`, then pushed inside the domain (it is smaller than the domain).
    const glm::dvec3 half = 0.5 * scale * extent;
    const glm::dvec3 placed = glm::clamp(center, scene.domain_min + half, scene.domain_max - half);
    MeshTransform t;
    t.scale = glm::dvec3(scale);
    t.translate = placed - scale * 0.5 * (lower + upper);
    transform(shape->mesh, t);
    check_closed(shape->mesh, name);
    shape->lower = shape->mesh.lower();
    shape->upper = shape->mesh.upper();
    shape->area = shape->mesh.area();

    Scene next = scene;
    // The Scene panel names the changed scene by its source (scene_display.hpp): "NAME + mesh".
    next.source = scene.source + " + " + name;
    ShapeDesc obstacle;
    obstacle.shape = Shape::Mesh;
    obstacle.mesh = std::move(shape);
    next.obstacles.push_back(obstacle);
    next.validate();
    return next;
}

Scene load_dropped_scene(const std::string& path) {
    namespace fs = std::filesystem;
    const std::string text = read_file_bytes(path, kMaxSceneFileBytes);
    const fs::path folder = fs::path(path).parent_path();
    const FileReader files = [&](const std::string& name) {
        const fs::path beside = folder / name;
        const fs::path flat = folder / fs::path(name).filename();
        std::error_code error;
        if (!fs::exists(beside, error) && fs::exists(flat, error))
            return read_file_bytes(flat.string(), kMaxMeshFileBytes);
        return read_file_bytes(beside.string(), kMaxMeshFileBytes);
    };
    return parse_scene(text, path, files);
}

}  // namespace flume
