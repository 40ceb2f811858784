// Which rigid body the mouse is on (App: a left press on a body grabs it), without GL: the bodies'
// boxes, spheres, polygons and meshes are tested in their rest frames (the scene's description of
// each, placed in the world by the frame's pose), so a turned box is hit where it is drawn.
#pragma once

#include <glm/glm.hpp>
#include <optional>
#include <span>

#include "app/camera.hpp"
#include "core/scene.hpp"

namespace flume {

struct BodyHit {
    std::size_t body = 0;
    glm::vec3 anchor{0.0f};  // the point hit, in the body's rest frame
    glm::vec3 point{0.0f};   // the same point in the world
};

// 3D: the body that `ray` meets first (in front of its origin), if any. `poses[i]` maps body i's
// rest frame to the world (Frame::body_poses); bodies without a pose are skipped.
std::optional<BodyHit> pick_body(std::span<const BodyDesc> bodies, std::span<const glm::mat4> poses,
                                 const Ray& ray);

// 2D: the body that contains the world point `point` (z ignored), if any; the last one drawn
// (the highest index) when they overlap.
std::optional<BodyHit> pick_body_2d(std::span<const BodyDesc> bodies,
                                    std::span<const glm::mat4> poses, const glm::vec2& point);

// The centre of body `desc`'s shape in its rest frame (a box's middle, a sphere's centre, the
// middle of a polygon's or mesh's bounding box): where --drag holds it.
glm::vec3 body_shape_center(const BodyDesc& desc);

}  // namespace flume
