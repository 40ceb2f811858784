// Prescribed motion of an obstacle: a rigid path in time that the fluid cannot change.
//
//   "motion": {"type": "oscillate", "axis": [1, 0, 0], "amplitude": 0.05, "period": 1.2,
//              "phase": 0, "ramp": 1.0}
//   "motion": {"type": "rotate", "axis": [0, 1, 0], "center": [0.5, 0, 0.5], "rpm": 30}
//   "motion": {"type": "keyframes", "axis": [0, 0, 1], "center": [...],
//              "keys": [{"time": 0, "position": [0, 0, 0], "angle": 0}, ...]}
//
// oscillate: the offset amplitude sin(2 pi t / period + phase) along the axis, its amplitude
// growing linearly from 0 over the first `ramp` seconds (a wave maker that starts smoothly);
// rotate: turns about the axis through `center` at `rpm`; keyframes: offset and angle (degrees,
// about the axis through `center`) interpolated linearly between keys, held before the first and
// after the last. In 2D the axis of rotation is z and is not given.
//
// A pose maps the shape as the scene describes it (its rest frame) to the world at time t:
//   x -> R (x - center) + center + offset
// computed in double precision with + - * / and sqrt only (portable sin and cos), so that moving
// walls are the same bits natively and in wasm.
#pragma once

#include <vector>

#include <glm/glm.hpp>

namespace flume {

struct Pose {
    glm::dmat3 rotation{1.0};
    glm::dvec3 center{0.0};
    glm::dvec3 offset{0.0};

    glm::dvec3 apply(const glm::dvec3& x) const {
        return rotation * (x - center) + center + offset;
    }
    // The inverse: from the world to the rest frame.
    glm::dvec3 unapply(const glm::dvec3& x) const {
        return glm::transpose(rotation) * (x - center - offset) + center;
    }
    glm::dvec3 apply_to_direction(const glm::dvec3& v) const { return rotation * v; }
};

// A rigid body's motion at the start of a step (core/bodies/): its pose now and where its
// velocities would take it over the step, the point they turn about (its centre of mass, in the
// world), and their rates. Moving walls carry the body's samples with it.
struct RigidMotion {
    Pose now, next;
    glm::dvec3 centre{0.0};
    glm::dvec3 velocity{0.0}, angular_velocity{0.0};

    // Velocity of the body's point at x (world).
    glm::dvec3 velocity_at(const glm::dvec3& x) const {
        return velocity + glm::cross(angular_velocity, x - centre);
    }
    // Its acceleration as the walls' pressure sees it: the centripetal part of the turn alone.
    // The body's own acceleration, which the fluid's force of the last step gave it, is left
    // out: fed back into the pressure of its walls, it drove the squeeze under a heavy body
    // resting on the floor unstable (the incompressible solvers' pressure grew without bound).
    glm::dvec3 acceleration_at(const glm::dvec3& x) const {
        return glm::cross(angular_velocity, glm::cross(angular_velocity, x - centre));
    }
};

enum class MotionType { None, Oscillate, Rotate, Keyframes };

struct MotionKey {
    double time = 0.0;
    glm::dvec3 position{0.0};
    double angle = 0.0;  // degrees
};

struct Motion {
    MotionType type = MotionType::None;
    glm::dvec3 axis{0.0, 0.0, 1.0};  // unit: oscillate's direction, or the axis of rotation
    glm::dvec3 center{0.0};          // a point on the axis of rotation
    double amplitude = 0.0, period = 1.0, phase = 0.0, ramp = 0.0;  // oscillate
    double rpm = 0.0;                                               // rotate
    std::vector<MotionKey> keys;                                    // keyframes, by time

    bool moves() const { return type != MotionType::None; }
    Pose at(double t) const;
    // The fastest any point of the box [lo, hi] (rest frame) moves, bounded over all time.
    double max_speed(const glm::dvec3& lo, const glm::dvec3& hi) const;
};

}  // namespace flume
