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
//                   {"shape": "sphere", "center": [...], "radius": 0.2},
//                   {"shape": "mesh", "file": "funnel.obj", "scale": 0.5,
//                    "rotate": {"axis": [0, 1, 0], "degrees": 30}, "translate": [1, 0, 0.5]},
//                   {"shape": "mesh", "file": "tank.stl", "invert": true},
//                   {"shape": "polygon", "points": [[0, 0], [1, 0], [0.5, 0.4]]},  <- 2D
//                   {"shape": "box", "min": [...], "max": [...],
//                    "motion": {"type": "oscillate", "axis": [1, 0, 0], "amplitude": 0.05,
//                               "period": 1.2}}],
//     "bodies": [{"shape": "box", "min": [...], "max": [...], "density": 500}],  <- core/bodies/
//     "probes": [{"type": "point", "name": "P1", "position": [...]}, ...]  <- core/probes.hpp
//   }
//
// A mesh (3D scenes; OBJ or STL, closed) or a polygon (2D scenes) is an obstacle, a container
// ("invert": true: the fluid stays inside it) or, in "fluid", a volume filled with fluid. Its file
// is read through the FileReader given to parse_scene, relative to the scene: from disk for a scene
// file, from the binary for a built-in scene, from fetched or dropped bytes in the browser.
//
// Errors (SceneError) name the file, the JSON path of the offending value (/fluid/0/min), what was
// expected and what was found; unknown keys are refused with the closest valid key suggested;
// values out of range are refused, never clamped.
#pragma once

#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <glm/glm.hpp>

#include "core/geometry/triangle_mesh.hpp"
#include "core/motion.hpp"
#include "core/parameters.hpp"
#include "core/probes.hpp"

namespace flume {

enum class Shape { Box, Sphere, Mesh };

// A mesh as the scene placed it: read, checked closed, transformed (its triangles face outwards).
// In 2D, a polygon: its corners (counter-clockwise) and the prism over them (geometry/polygon.hpp).
struct MeshShape {
    std::string file;  // as the scene names it; "polygon" for a polygon
    TriangleMesh mesh;
    std::vector<glm::dvec2> outline;    // a polygon's corners (empty for a mesh)
    bool invert = false;                // a container: the solid is outside the mesh
    glm::dvec3 lower{0.0}, upper{0.0};  // bounding box (a polygon's: z = 0)
    double area = 0.0;                  // of the surface (a polygon: its perimeter)
};

// A box, sphere or mesh; 2D scenes leave the z components at 0.
struct ShapeDesc {
    Shape shape = Shape::Box;
    glm::dvec3 min{0.0};                    // box
    glm::dvec3 max{0.0};                    // box
    glm::dvec3 center{0.0};                 // sphere
    double radius = 0.0;                    // sphere
    std::shared_ptr<const MeshShape> mesh;  // mesh (shared: scenes are copied)
    Motion motion;                          // obstacles: a prescribed path (core/motion.hpp)
    glm::dvec3 lower() const;               // bounding box
    glm::dvec3 upper() const;
};

struct FluidBlock {
    ShapeDesc region;
    glm::dvec3 velocity{0.0};
};

// An inflow (core/flows/emitters.hpp): layers of fluid particles on the lattice spacing, from a
// flat patch facing `direction`: a rectangle or a disc in 3D, a segment in 2D.
enum class EmitterShape { Rectangle, Disc, Segment };

struct EmitterDesc {
    EmitterShape shape = EmitterShape::Rectangle;
    glm::dvec3 center{0.0};
    glm::dvec3 direction{0.0, 1.0, 0.0};  // unit
    double width = 0.0;                   // rectangle, segment
    double height = 0.0;                  // rectangle
    double radius = 0.0;                  // disc
    double velocity = 1.0;                // m/s along direction, >= 0
    double start = 0.0;                   // s
    double end = std::numeric_limits<double>::infinity();
    bool enabled = true;
    Motion motion;  // a prescribed path of the patch (core/motion.hpp), as obstacles have
};

// An outflow: fluid that enters the region is removed (and counted). A box, sphere, mesh or
// polygon, or a plane: the half-space on the side `normal` points to.
struct OutletDesc {
    ShapeDesc region;  // unless a plane
    bool plane = false;
    glm::dvec3 point{0.0};   // plane
    glm::dvec3 normal{0.0};  // plane, unit
};

// A rigid body two-way coupled with the fluid (core/bodies/rigid_bodies.hpp): a box or a sphere
// (a disc in 2D) as the scene places it at t = 0 before its initial rotation about its centre,
// its mass from a density or given, its initial velocities. A fixed body stays where it is and
// feels the fluid's force; a free one moves under that force and gravity, and bounces off the
// domain's walls.
struct BodyDesc {
    ShapeDesc shape;
    double density = 0.0;                     // kg/m^3; 0 when `mass` is given
    double mass = 0.0;                        // kg (kg per metre of depth in 2D); 0: density
    glm::dvec3 rotation_axis{0.0, 0.0, 1.0};  // unit (2D: z)
    double rotation_degrees = 0.0;            // the turn at t = 0, about the shape's centre
    glm::dvec3 velocity{0.0};                 // m/s, of its centre at t = 0
    glm::dvec3 angular_velocity{0.0};         // rad/s, world axes (2D: z only)
    bool fixed = false;                       // held in place (it still feels the fluid)
    // Which ways it may move and turn ("axes": ["x", "y", "rz"]: along x and y, about z), 1 or 0
    // per world axis; all that the dimension has unless the scene says.
    glm::dvec3 moves{1.0, 1.0, 1.0}, turns{1.0, 1.0, 1.0};
    double restitution = 0.2;  // of its bounces off the domain's walls, [0, 1]
    double friction = 0.5;     // Coulomb's, against the domain's walls

    // Its mass: the density times the shape's volume (area in 2D), or as given.
    double body_mass(int dimension) const;
};

// The lightest body the explicit coupling keeps stable, as a fraction of the rest density: a
// lighter one would be accelerated by more than its own mass of fluid around it each step.
inline constexpr double kLightestBody = 0.2;

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
    std::vector<EmitterDesc> emitters;
    std::vector<OutletDesc> outlets;
    std::vector<BodyDesc> bodies;
    std::vector<ProbeDesc> probes;  // what to measure (core/probes.hpp)

    // Applies `key=value` overrides in order, each value checked as in the file, then re-checks
    // the cross-field rules (validate) once, on the final set. A value is parsed as JSON when it
    // is valid JSON, else taken as a string (so `solver=wcsph` works). Besides the declared
    // parameters, `emitters/N/velocity` (m/s) and `emitters/N/enabled` (true or false) set one
    // emitter's; `bodies/N/density`, `bodies/N/mass`, `bodies/N/fixed` and `bodies/N/velocity`
    // one body's.
    void apply_overrides(std::span<const std::string> assignments);

    // One override, as apply_overrides.
    void apply_override(std::string_view assignment);

    // Re-checks the cross-field rules: fluid inside the domain and not overlapping itself,
    // obstacles reaching into the domain, particle and boundary sample counts within the limits.
    void validate() const;

  private:
    void apply_one_override(std::string_view assignment);
    void check_flows() const;
    void check_bodies() const;
    void check_motions() const;
    void check_boundary_samples() const;
    void check_distance_fields() const;
};

// Returns the bytes of a file that a scene names (a mesh), given as the scene spells it. Throws
// SceneError when it cannot (the message names the file and why).
using FileReader = std::function<std::string(const std::string& name)>;

// Parses scene JSON text; `source` names it in messages; `read_file` reads the meshes it names
// (none given: a scene that names one is refused). Throws SceneError.
Scene parse_scene(std::string_view json_text, const std::string& source,
                  const FileReader& read_file = {});

// The files (meshes) that scene JSON text names, in order, without reading them: what the
// browser fetches before parse_scene. Empty when the text is not a scene.
std::vector<std::string> files_named_by_scene(std::string_view json_text);

// Reads and parses a scene file, and the meshes it names relative to its folder. Throws
// SceneError (also when a file cannot be read).
Scene load_scene_file(const std::string& path);

// Reads a whole file of at most `limit` bytes. Throws SceneError naming `path` and the problem.
std::string read_file_bytes(const std::string& path, std::size_t limit);

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
    std::vector<double> bodies;     // parallel to Scene::bodies
};
BoundaryEstimate estimate_boundary_samples(const Scene& scene);

// The most nodes of the distance field of one mesh (a grid of one node per particle spacing over
// its bounding box): 128 MB of floats.
inline constexpr double kMaxDistanceFieldNodes = 32.0e6;

// The nodes of a mesh's distance field at the particle spacing: one per spacing over its bounding
// box, kBoundaryLayers more each side (along the scene's `dimension` axes).
double distance_field_nodes(const ShapeDesc& s, int dimension, double spacing);

// A count estimated in floating point, as a message shows it: whole below 1e15, else as 2.4e+25.
std::string format_count(double n);

// The most emitters a scene may have: each fluid particle records the emitter whose inflow zone
// it is in as a byte (0: none).
inline constexpr std::size_t kMaxEmitters = 255;
inline constexpr std::size_t kMaxBodies = 255;

// The largest scene file (JSON text) that is read: far above any real scene, far below memory.
inline constexpr std::size_t kMaxSceneFileBytes = 4u << 20;

}  // namespace flume
