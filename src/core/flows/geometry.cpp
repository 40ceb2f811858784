#include "core/flows/geometry.hpp"

#include <algorithm>
#include <cmath>

namespace flume {

EmitterFrame emitter_frame(const EmitterDesc& e, int dimension) {
    EmitterFrame f;
    f.direction = e.direction;
    if (dimension == 2) {
        f.across = glm::dvec3(-e.direction.y, e.direction.x, 0.0);
        return f;
    }
    // +y across the direction, unless the direction is (nearly) along y: then +z.
    const glm::dvec3 y(0.0, 1.0, 0.0), z(0.0, 0.0, 1.0);
    const glm::dvec3 reference = std::abs(e.direction.y) > 0.99 ? z : y;
    f.up = glm::normalize(reference - glm::dot(reference, e.direction) * e.direction);
    f.across = glm::cross(f.up, e.direction);
    return f;
}

namespace {

// Points 2r apart centred on 0 across `length`: as many as fit whole.
std::vector<double> row(double length, double spacing) {
    const auto n = static_cast<long>(std::floor(length / spacing + 1.0e-6));
    std::vector<double> offsets;
    for (long i = 0; i < n; ++i)
        offsets.push_back((static_cast<double>(i) + 0.5 - 0.5 * static_cast<double>(n)) * spacing);
    return offsets;
}

}  // namespace

std::vector<glm::dvec3> emitter_layer(const EmitterDesc& e, int dimension, double spacing) {
    const EmitterFrame f = emitter_frame(e, dimension);
    std::vector<glm::dvec3> points;
    if (dimension == 2) {
        for (double a : row(e.width, spacing))
            points.push_back(a * f.across);
        return points;
    }
    if (e.shape == EmitterShape::Disc) {
        const auto n = static_cast<long>(std::floor(e.radius / spacing));
        for (long j = -n; j <= n; ++j) {
            for (long i = -n; i <= n; ++i) {
                const double a = static_cast<double>(i) * spacing;
                const double b = static_cast<double>(j) * spacing;
                if (a * a + b * b < e.radius * e.radius) points.push_back(a * f.across + b * f.up);
            }
        }
        return points;
    }
    const std::vector<double> across = row(e.width, spacing), up = row(e.height, spacing);
    for (double b : up) {
        for (double a : across)
            points.push_back(a * f.across + b * f.up);
    }
    return points;
}

glm::dvec3 emitter_reach(const EmitterDesc& e, int dimension) {
    const EmitterFrame f = emitter_frame(e, dimension);
    if (e.shape == EmitterShape::Disc) {
        glm::dvec3 reach(0.0);
        for (int k = 0; k < 3; ++k)
            reach[k] = e.radius * std::sqrt(std::max(0.0, 1.0 - e.direction[k] * e.direction[k]));
        return reach;
    }
    return glm::abs(f.across) * (0.5 * e.width) + glm::abs(f.up) * (0.5 * e.height);
}

double emitter_output(const EmitterDesc& e, std::size_t per_layer, double spacing) {
    if (!std::isfinite(e.end)) return std::numeric_limits<double>::infinity();
    const double layers = std::floor((e.end - e.start) * e.velocity / spacing) + 1.0;
    return static_cast<double>(per_layer) * layers;
}

bool inside_simple_outlet(const OutletDesc& o, const glm::dvec3& x, int dimension) {
    if (o.plane) return glm::dot(x - o.point, o.normal) > 0.0;
    const ShapeDesc& s = o.region;
    if (s.shape == Shape::Sphere) {
        double d2 = 0.0;
        for (int k = 0; k < dimension; ++k)
            d2 += (x[k] - s.center[k]) * (x[k] - s.center[k]);
        return d2 < s.radius * s.radius;
    }
    for (int k = 0; k < dimension; ++k) {
        if (!(x[k] >= s.min[k] && x[k] <= s.max[k])) return false;
    }
    return true;
}

}  // namespace flume
