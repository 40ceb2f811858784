// What shows a scene's open flows on screen (the app draws it over the fluid, in both views):
//
//   emitter  its patch (2D: a bar along the segment; 3D: the rectangle or disc, translucent,
//            outlined) and an arrow along its direction; dimmed while it is not emitting
//   outlet   its region: 2D, filled under the particles and outlined; 3D, translucent faces and
//            outlined edges (a box, a sphere, a mesh); a plane as its cut through the domain
#pragma once

#include <glm/glm.hpp>
#include <span>
#include <vector>

#include "app/renderer.hpp"
#include "core/scene.hpp"
#include "core/simulation.hpp"

namespace flume {

// Shapes of one colour: filled triangles and line segments.
struct MarkLayer {
    Mesh fill;
    std::vector<glm::vec3> lines;
};

struct FlowMarks {
    MarkLayer emitting, idle, outlets;  // emitters while they emit and while they do not
    Mesh outlet_floor;                  // 2D: the outlets' regions, under the particles
};

// `pixel`: world units per pixel (2D; bars are at least a few pixels thick); `status` per
// emitter (an emitter without one counts as emitting).
FlowMarks flow_marks(const Scene& scene, std::span<const EmitterStatus> status, float pixel);

// The colours: bright green emitters, grey-green idle ones, red outlets.
inline constexpr glm::vec3 kEmitterColor{0.3f, 0.92f, 0.42f};
inline constexpr glm::vec3 kIdleEmitterColor{0.4f, 0.55f, 0.44f};
inline constexpr glm::vec3 kOutletColor{0.98f, 0.3f, 0.28f};
inline constexpr glm::vec3 kOutletFloorColor{0.3f, 0.11f, 0.12f};

}  // namespace flume
