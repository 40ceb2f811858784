#include "core/motion.hpp"

#include <algorithm>
#include <cmath>

#include "core/math/portable.hpp"

namespace flume {

namespace {

// The largest distance from the axis through `center` of a corner of [lo, hi].
double reach(const glm::dvec3& axis, const glm::dvec3& center, const glm::dvec3& lo,
             const glm::dvec3& hi) {
    double r = 0.0;
    for (int corner = 0; corner < 8; ++corner) {
        const glm::dvec3 p((corner & 1) ? hi.x : lo.x, (corner & 2) ? hi.y : lo.y,
                           (corner & 4) ? hi.z : lo.z);
        const glm::dvec3 d = p - center;
        r = std::max(r, glm::length(d - axis * glm::dot(d, axis)));
    }
    return r;
}

}  // namespace

Pose Motion::at(double t) const {
    Pose pose;
    pose.center = center;
    switch (type) {
        case MotionType::None:
            break;
        case MotionType::Oscillate: {
            const double grow = ramp > 0.0 ? std::min(t / ramp, 1.0) : 1.0;
            const double degrees = 360.0 * t / period + phase;
            pose.offset = axis * (grow * amplitude * portable::sin_cos_degrees(degrees)[0]);
            break;
        }
        case MotionType::Rotate:
            pose.rotation = portable::rotation(axis, 6.0 * rpm * t);  // 360 rpm t / 60
            break;
        case MotionType::Keyframes: {
            if (keys.empty()) break;
            std::size_t k = 0;
            while (k + 1 < keys.size() && keys[k + 1].time <= t)
                ++k;
            MotionKey now = keys[k];
            if (k + 1 < keys.size() && t > keys[k].time) {
                const MotionKey& next = keys[k + 1];
                const double s = (t - now.time) / (next.time - now.time);
                now.position = now.position + (next.position - now.position) * s;
                now.angle = now.angle + (next.angle - now.angle) * s;
            }
            pose.offset = now.position;
            pose.rotation = portable::rotation(axis, now.angle);
            break;
        }
    }
    return pose;
}

double Motion::max_speed(const glm::dvec3& lo, const glm::dvec3& hi) const {
    switch (type) {
        case MotionType::None:
            return 0.0;
        case MotionType::Oscillate:
            // The ramp's growth adds amplitude / ramp at most.
            return amplitude * (2.0 * portable::kPi / period + (ramp > 0.0 ? 1.0 / ramp : 0.0));
        case MotionType::Rotate:
            return std::abs(rpm) * 2.0 * portable::kPi / 60.0 * reach(axis, center, lo, hi);
        case MotionType::Keyframes: {
            double fastest = 0.0;
            for (std::size_t k = 0; k + 1 < keys.size(); ++k) {
                const double dt = keys[k + 1].time - keys[k].time;
                const double linear = glm::length(keys[k + 1].position - keys[k].position) / dt;
                const double turn =
                    std::abs(keys[k + 1].angle - keys[k].angle) * portable::kPi / 180.0 / dt;
                fastest = std::max(fastest, linear + turn * reach(axis, center, lo, hi));
            }
            return fastest;
        }
    }
    return 0.0;
}

}  // namespace flume
