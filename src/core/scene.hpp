// Scene descriptions: what a JSON scene file holds, loaded and validated.
//
//   {
//     "name": "dam-break-2d", "description": "...",
//     "dimension": 2,
//     "particle_radius": 0.01, "solver": "wcsph", ...        <- declared parameters
//     "domain": {"min": [0, 0], "max": [4, 4]},
//     "fluid": [{"shape": "box", "min": [0, 0], "max": [1.5, 1.5], "velocity": [0, 0]},
//               {"shape": "sphere", "center": [2, 3], "radius": 0.3}],
//     "obstacles": [{"shape": "box", "min": [...], "max": [...]},
//                   {"shape": "sphere", "center": [...], "radius": 0.2}]
//   }
//
// Errors (SceneError) name the file, the JSON path of the offending value (/fluid/0/min), what was
// expected and what was found; unknown keys are refused with the closest valid key suggested;
// values out of range are refused, never clamped.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <glm/glm.hpp>

#include "core/parameters.hpp"

namespace flume {

enum class Shape { Box, Sphere };

// A box or sphere; 2D scenes leave the z components at 0.
struct ShapeDesc {
    Shape shape = Shape::Box;
    glm::dvec3 min{0.0};     // box
    glm::dvec3 max{0.0};     // box
    glm::dvec3 center{0.0};  // sphere
    double radius = 0.0;     // sphere
    bool contains(const glm::dvec3& p, int dimension) const;
    glm::dvec3 lower() const;  // bounding box
    glm::dvec3 upper() const;
};

struct FluidBlock {
    ShapeDesc region;
    glm::dvec3 velocity{0.0};
};

struct Scene {
    std::string name;
    std::string description;
    std::string source;  // file path or "built-in scene NAME", for messages
    int dimension = 3;
    ParameterSet params{3};
    glm::dvec3 domain_min{0.0};
    glm::dvec3 domain_max{1.0};
    std::vector<FluidBlock> fluid;
    std::vector<ShapeDesc> obstacles;

    // Applies `key=value` overrides in order, each value checked as in the file, then re-checks
    // the cross-field rules (validate) once, on the final set. A value is parsed as JSON when it
    // is valid JSON, else taken as a string (so `solver=wcsph` works).
    void apply_overrides(std::span<const std::string> assignments);

    // One override, as apply_overrides.
    void apply_override(std::string_view assignment);

    // Re-checks the cross-field rules: fluid inside the domain and not overlapping itself,
    // obstacles reaching into the domain, particle and boundary sample counts within the limits.
    void validate() const;

  private:
    void check_boundary_samples() const;
};

// Parses scene JSON text; `source` names it in messages. Throws SceneError.
Scene parse_scene(std::string_view json_text, const std::string& source);

// Reads and parses a scene file. Throws SceneError (also when the file cannot be read).
Scene load_scene_file(const std::string& path);

// The largest particle count a scene may ask for (fluid, estimated before sampling).
inline constexpr double kMaxFluidParticles = 20.0e6;

// The largest number of boundary samples (domain walls and obstacles, virtual samples of the
// volume computation included) a scene may ask for, estimated before sampling.
inline constexpr double kMaxBoundarySamples = 20.0e6;

// Lattice layers of a boundary shell: enough to fill the kernel support (4 r) on the solid side.
inline constexpr int kBoundaryLayers = 2;

// Fluid particles the scene's blocks will hold at most (their bounding volumes over the lattice
// cell), counted before sampling.
double estimate_fluid_particles(const Scene& scene);

// Boundary samples the scene will make, per source, counted in double before anything is
// allocated (so that no count overflows).
struct BoundaryEstimate {
    double walls = 0.0;
    std::vector<double> obstacles;  // parallel to Scene::obstacles
};
BoundaryEstimate estimate_boundary_samples(const Scene& scene);

// The largest scene file (JSON text) that is read: far above any real scene, far below memory.
inline constexpr std::size_t kMaxSceneFileBytes = 4u << 20;

}  // namespace flume
