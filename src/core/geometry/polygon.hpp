// Closed polygons for 2D scenes: checked, turned counter-clockwise, and extruded into a prism so
// that the 3D distance field serves them (its nodes in the plane z = 0 see only the side walls).
#pragma once

#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "core/geometry/triangle_mesh.hpp"

namespace flume {

// The most corners a polygon may have (its check is quadratic in them).
inline constexpr std::size_t kMaxPolygonPoints = 10000;

// Requires at least 3 corners, no edge of length 0, no two edges that cross or touch (other than
// neighbours at their shared corner) and a non-zero area; throws MeshError naming `name` and
// the problem ("the polygon crosses itself: edges 2 and 5"). Returns the corners
// counter-clockwise.
std::vector<glm::dvec2> checked_polygon(std::vector<glm::dvec2> points, const std::string& name);

// The prism over a counter-clockwise polygon from z = -half_height to +half_height, closed by
// fans (whose triangles may overlap for a concave polygon: only the side walls are near z = 0),
// its triangles facing outwards.
TriangleMesh extrude_polygon(const std::vector<glm::dvec2>& points, double half_height);

double polygon_perimeter(const std::vector<glm::dvec2>& points);

}  // namespace flume
