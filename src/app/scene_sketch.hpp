// A scene drawn small from its description alone, without simulating it: the domain's outline,
// the fluid it starts with, its obstacles (at t = 0), rigid bodies and emitters, seen as the app
// first shows the scene (2D: the x-y plane; 3D: the orbit camera's start direction). The Scene
// panel draws one as each built-in scene's thumbnail: it needs no GL, no particles and no file,
// costs a scene parse, and is never out of date with the scene's JSON.
//
//   const SceneSketch s = sketch_scene(scene, aspect);   // once per scene
//   for (const SketchShape& shape : s.shapes) ...        // points in [0, 1]^2, y down
#pragma once

#include <glm/glm.hpp>
#include <vector>

#include "core/scene.hpp"

namespace flume {

struct SketchShape {
    enum class Kind { Domain, Fluid, Obstacle, Container, Body, Emitter };
    Kind kind = Kind::Fluid;
    // Filled: a convex polygon. Outlined: a polyline (closed when `closed`); a domain's edges
    // come as pairs of points, one segment each.
    bool filled = true;
    bool closed = true;
    std::vector<glm::vec2> points;  // in [0, 1] x [0, 1] of the thumbnail, y downwards
};

struct SceneSketch {
    std::vector<SketchShape>
        shapes;  // in drawing order: domain, obstacles, fluid, bodies, emitters
};

// `aspect`: the thumbnail's width over its height; the domain is fitted inside with a margin.
SceneSketch sketch_scene(const Scene& scene, float aspect);

}  // namespace flume
