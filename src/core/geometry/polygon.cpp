#include "core/geometry/polygon.hpp"

#include <algorithm>
#include <cmath>

namespace flume {

namespace {

double cross(const glm::dvec2& a, const glm::dvec2& b, const glm::dvec2& c) {
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

bool on_segment(const glm::dvec2& a, const glm::dvec2& b, const glm::dvec2& p) {
    return std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x) && std::min(a.y, b.y) <= p.y &&
           p.y <= std::max(a.y, b.y);
}

// Whether segments ab and cd share a point.
bool segments_meet(const glm::dvec2& a, const glm::dvec2& b, const glm::dvec2& c,
                   const glm::dvec2& d) {
    const double d1 = cross(c, d, a), d2 = cross(c, d, b), d3 = cross(a, b, c), d4 = cross(a, b, d);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
        return true;
    return (d1 == 0 && on_segment(c, d, a)) || (d2 == 0 && on_segment(c, d, b)) ||
           (d3 == 0 && on_segment(a, b, c)) || (d4 == 0 && on_segment(a, b, d));
}

}  // namespace

std::vector<glm::dvec2> checked_polygon(std::vector<glm::dvec2> points, const std::string& name) {
    const std::size_t n = points.size();
    if (n < 3)
        throw MeshError(name + ": a polygon needs at least 3 corners, found " + std::to_string(n));
    if (n > kMaxPolygonPoints) {
        throw MeshError(name + ": " + std::to_string(n) + " corners, more than the limit of " +
                        std::to_string(kMaxPolygonPoints));
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (points[i] == points[(i + 1) % n]) {
            throw MeshError(name + ": corners " + std::to_string(i) + " and " +
                            std::to_string((i + 1) % n) + " are the same point");
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            const bool neighbours = j == i + 1 || (i == 0 && j == n - 1);
            if (neighbours) continue;
            if (segments_meet(points[i], points[(i + 1) % n], points[j], points[(j + 1) % n])) {
                throw MeshError(name + ": the polygon crosses itself: edges " + std::to_string(i) +
                                " and " + std::to_string(j) + " meet");
            }
        }
    }
    double twice_area = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const glm::dvec2 &a = points[i], &b = points[(i + 1) % n];
        twice_area += a.x * b.y - b.x * a.y;
    }
    if (twice_area == 0.0) throw MeshError(name + ": the polygon encloses no area");
    if (twice_area < 0.0) std::reverse(points.begin(), points.end());
    return points;
}

TriangleMesh extrude_polygon(const std::vector<glm::dvec2>& points, double half_height) {
    const auto n = static_cast<std::uint32_t>(points.size());
    TriangleMesh mesh;
    for (double z : {-half_height, half_height}) {
        for (const glm::dvec2& p : points)
            mesh.vertices.emplace_back(p.x, p.y, z);
    }
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t j = (i + 1) % n;
        // The side wall under edge i -> j, facing outwards (to the right of a CCW edge).
        mesh.triangles.emplace_back(i, j, n + j);
        mesh.triangles.emplace_back(i, n + j, n + i);
    }
    for (std::uint32_t i = 1; i + 1 < n; ++i) {
        mesh.triangles.emplace_back(0, i + 1, i);          // bottom, facing -z
        mesh.triangles.emplace_back(n, n + i, n + i + 1);  // top, facing +z
    }
    return mesh;
}

double polygon_perimeter(const std::vector<glm::dvec2>& points) {
    double sum = 0.0;
    for (std::size_t i = 0; i < points.size(); ++i)
        sum += glm::length(points[(i + 1) % points.size()] - points[i]);
    return sum;
}

}  // namespace flume
