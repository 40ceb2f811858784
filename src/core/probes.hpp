// Probes and loads: what a scene asks the simulation to measure, its "probes" key.
//
//   "probes": [
//     {"type": "point", "name": "P1", "position": [0.5, 0.1]},        pressure, velocity, density
//     {"type": "gauge", "name": "H1", "position": [0.5]},             height of the free surface
//     {"type": "force", "name": "box", "obstacle": 0},                force and torque on obstacle
//     0
//     {"type": "force", "name": "side", "wall": "x+", "about": [...]} the same on a domain wall
//     {"type": "body", "name": "log", "body": 0}                      a body's motion and load
//   ]
//
// A gauge is a vertical line (along y, the scenes' up) at x (2D) or at x, z (3D: "position" has
// two numbers). Simulation::read_probes evaluates them (core/sph/probes.hpp says how); the
// columns below name what it writes, in order.
#pragma once

#include <glm/glm.hpp>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace flume {

struct Scene;

enum class ProbeType { Point, Gauge, Force, Body };

struct ProbeDesc {
    ProbeType type = ProbeType::Point;
    std::string name;
    glm::dvec3 position{0.0};  // point; a gauge's x (and z in 3D), y unused
    // Force: the obstacle (index in Scene::obstacles), or -1 and a face of the domain.
    int obstacle = -1;
    int body = -1;            // Body: its index in Scene::bodies
    int wall_axis = -1;       // 0, 1, 2 for "x", "y", "z"
    bool wall_upper = false;  // "+": the face at domain_max
    bool has_about = false;   // torque about `about` rather than the part's centre
    glm::dvec3 about{0.0};
};

// One number of a reading: "P1 pressure" in "Pa".
struct ProbeColumn {
    std::string name;
    std::string unit;
};

// Parses the scene's "probes" array (its domain, dimension and obstacles already read). Throws
// SceneError naming the JSON path: an unknown key or type, a probe or gauge outside the domain,
// an obstacle that does not exist, a name given twice.
std::vector<ProbeDesc> parse_probes(const nlohmann::json& probes, const Scene& scene);

// The rules that involve parameters, checked again whenever they change (Scene::validate): a
// force on a domain wall needs the walls (domain_walls).
void check_probes(const Scene& scene);

// The columns of a reading, probe after probe: a point's pressure [Pa], velocity (D components,
// [m/s]) and density [kg/m^3]; a gauge's level [m]; a force's D components [N] (per metre in 2D)
// and its torque, a scalar in 2D [N m/m], three components in 3D [N m]; a body's centre of mass
// (D, [m]), its turn (2D: the angle [deg]; 3D: the quaternion qw, qx, qy, qz), velocity (D,
// [m/s]), angular velocity (2D: one [rad/s]; 3D: three) and the fluid's force and torque on it
// over the last step (as a force probe's).
std::vector<ProbeColumn> probe_columns(const std::vector<ProbeDesc>& probes, int dimension);

}  // namespace flume
