#include "flow_marks.hpp"

#include <algorithm>
#include <cmath>

#include <glm/gtc/matrix_transform.hpp>

#include "core/flows/geometry.hpp"

namespace flume {

namespace {

constexpr float kTau = 6.2831853f;
constexpr int kCircleSegments = 48;
// A normal that faces the mesh shader's sun: the fill is drawn at its colour, unshaded.
const glm::vec3 kFacingLight = glm::normalize(glm::vec3(0.4f, 0.8f, 0.45f));
constexpr float kFloorDepth = -0.5f;  // 2D: behind the particles (z = 0)

void add_triangle(Mesh& mesh, const glm::vec3& a, const glm::vec3& b, const glm::vec3& c,
                  const glm::vec3& normal) {
    for (const glm::vec3& p : {a, b, c}) {
        mesh.positions.push_back(p);
        mesh.normals.push_back(normal);
    }
}

// A convex polygon's fill (a fan) and outline.
void add_polygon(MarkLayer* layer, Mesh* fill, const std::vector<glm::vec3>& corners,
                 const glm::vec3& normal) {
    for (std::size_t k = 0; k < corners.size(); ++k) {
        if (layer) {
            layer->lines.push_back(corners[k]);
            layer->lines.push_back(corners[(k + 1) % corners.size()]);
        }
        if (fill && k >= 2) add_triangle(*fill, corners[0], corners[k - 1], corners[k], normal);
    }
}

std::vector<glm::vec3> circle(const glm::vec3& center, const glm::vec3& u, const glm::vec3& v,
                              float radius) {
    std::vector<glm::vec3> points;
    for (int k = 0; k < kCircleSegments; ++k) {
        const float a = kTau * static_cast<float>(k) / kCircleSegments;
        points.push_back(center + radius * (std::cos(a) * u + std::sin(a) * v));
    }
    return points;
}

// A bar from `a` to `b`, `half` wide on each side (2D).
void add_bar(Mesh& mesh, const glm::vec3& a, const glm::vec3& b, float half) {
    const glm::vec3 along = glm::normalize(b - a);
    const glm::vec3 side = half * glm::vec3(-along.y, along.x, 0.0f);
    add_polygon(nullptr, &mesh, {a - side, b - side, b + side, a + side}, kFacingLight);
}

// The arrow's length: about the patch's extent, or a little of the domain if that is longer
// (3D: longer, seen in perspective).
float arrow_length(const Scene& scene, const EmitterDesc& e) {
    const double extent = e.shape == EmitterShape::Disc ? 2.0 * e.radius : e.width;
    const double diagonal = glm::length(scene.domain_max - scene.domain_min);
    return static_cast<float>(scene.dimension == 2 ? std::max(0.6 * extent, 0.06 * diagonal)
                                                   : std::max(extent, 0.08 * diagonal));
}

void add_emitter_2d(MarkLayer& layer, const Scene& scene, const EmitterDesc& e, float pixel) {
    const EmitterFrame frame = emitter_frame(e, 2);
    const glm::vec3 c(e.center), d(frame.direction), across(frame.across);
    const float half_width = 0.5f * static_cast<float>(e.width), length = arrow_length(scene, e);
    add_bar(layer.fill, c - half_width * across, c + half_width * across, 2.5f * pixel);
    const float head = std::min(14.0f * pixel, 0.4f * length);
    const glm::vec3 tip = c + length * d, base = tip - head * d;
    add_bar(layer.fill, c, base, 1.5f * pixel);
    add_polygon(nullptr, &layer.fill,
                {tip, base + 6.0f * pixel * across, base - 6.0f * pixel * across}, kFacingLight);
}

void add_emitter_3d(MarkLayer& layer, const Scene& scene, const EmitterDesc& e) {
    const EmitterFrame frame = emitter_frame(e, 3);
    const glm::vec3 c(e.center), d(frame.direction), across(frame.across), up(frame.up);
    if (e.shape == EmitterShape::Disc) {
        add_polygon(&layer, &layer.fill, circle(c, across, up, static_cast<float>(e.radius)), d);
    } else {
        const glm::vec3 w = 0.5f * static_cast<float>(e.width) * across;
        const glm::vec3 h = 0.5f * static_cast<float>(e.height) * up;
        add_polygon(&layer, &layer.fill, {c - w - h, c + w - h, c + w + h, c - w + h}, d);
    }
    const float length = arrow_length(scene, e);
    const glm::vec3 tip = c + length * d, base = tip - 0.3f * length * d;
    layer.lines.insert(layer.lines.end(), {c, tip});
    for (const glm::vec3& side : {across, -across, up, -up})
        layer.lines.insert(layer.lines.end(), {tip, base + 0.12f * length * side});
}

// The corners of the domain's rectangle (2D) on the side of the plane that `normal` points to.
std::vector<glm::vec3> clip_domain_2d(const Scene& scene, const glm::dvec3& point,
                                      const glm::dvec3& normal) {
    const glm::dvec3 lo = scene.domain_min, hi = scene.domain_max;
    const glm::dvec3 corners[4] = {lo, {hi.x, lo.y, 0.0}, {hi.x, hi.y, 0.0}, {lo.x, hi.y, 0.0}};
    std::vector<glm::vec3> kept;
    for (int k = 0; k < 4; ++k) {  // Sutherland-Hodgman against one plane
        const glm::dvec3 &a = corners[k], &b = corners[(k + 1) % 4];
        const double da = glm::dot(a - point, normal), db = glm::dot(b - point, normal);
        if (da >= 0.0) kept.emplace_back(a);
        if ((da >= 0.0) != (db >= 0.0)) kept.emplace_back(a + (b - a) * (da / (da - db)));
    }
    return kept;
}

// The polygon where a plane cuts the domain's box (3D), its corners in order round it.
std::vector<glm::vec3> plane_section(const Scene& scene, const glm::dvec3& point,
                                     const glm::dvec3& normal) {
    const glm::dvec3 lo = scene.domain_min, hi = scene.domain_max;
    auto corner = [&](int bits) {
        return glm::dvec3(bits & 1 ? hi.x : lo.x, bits & 2 ? hi.y : lo.y, bits & 4 ? hi.z : lo.z);
    };
    std::vector<glm::dvec3> cuts;
    for (int a = 0; a < 8; ++a) {
        for (int axis = 0; axis < 3; ++axis) {
            const int b = a | (1 << axis);
            if (b == a) continue;
            const double da = glm::dot(corner(a) - point, normal);
            const double db = glm::dot(corner(b) - point, normal);
            if ((da < 0.0) != (db < 0.0))
                cuts.push_back(corner(a) + (corner(b) - corner(a)) * (da / (da - db)));
        }
    }
    if (cuts.size() < 3) return {};
    glm::dvec3 mid(0.0);
    for (const glm::dvec3& p : cuts)
        mid += p / static_cast<double>(cuts.size());
    const glm::dvec3 u = glm::normalize(cuts[0] - mid), v = glm::cross(normal, u);
    std::sort(cuts.begin(), cuts.end(), [&](const glm::dvec3& p, const glm::dvec3& q) {
        return std::atan2(glm::dot(p - mid, v), glm::dot(p - mid, u)) <
               std::atan2(glm::dot(q - mid, v), glm::dot(q - mid, u));
    });
    return std::vector<glm::vec3>(cuts.begin(), cuts.end());
}

std::vector<glm::vec3> at_depth(std::vector<glm::vec3> points, float z) {
    for (glm::vec3& p : points)
        p.z = z;
    return points;
}

void add_outlet_2d(FlowMarks& marks, const Scene& scene, const OutletDesc& o) {
    std::vector<glm::vec3> outline;
    if (o.plane) {
        outline = clip_domain_2d(scene, o.point, o.normal);
    } else if (o.region.shape == Shape::Box) {
        const glm::vec3 lo(o.region.min), hi(o.region.max);
        outline = {lo, {hi.x, lo.y, 0.0f}, hi, {lo.x, hi.y, 0.0f}};
    } else if (o.region.shape == Shape::Sphere) {
        outline = circle(glm::vec3(o.region.center), {1, 0, 0}, {0, 1, 0},
                         static_cast<float>(o.region.radius));
    } else if (!o.region.mesh->outline.empty()) {
        for (const glm::dvec2& p : o.region.mesh->outline)
            outline.emplace_back(glm::vec2(p), 0.0f);
        append_polygon_fill(marks.outlet_floor, o.region.mesh->outline,
                            glm::translate(glm::mat4(1.0f), glm::vec3(0.0f, 0.0f, kFloorDepth)));
        add_polygon(&marks.outlets, nullptr, outline, kFacingLight);
        return;
    }
    add_polygon(&marks.outlets, nullptr, outline, kFacingLight);
    add_polygon(nullptr, &marks.outlet_floor, at_depth(outline, kFloorDepth), kFacingLight);
}

void add_outlet_3d(MarkLayer& layer, const Scene& scene, const OutletDesc& o) {
    if (o.plane) {
        add_polygon(&layer, &layer.fill, plane_section(scene, o.point, o.normal),
                    glm::vec3(o.normal));
    } else if (o.region.shape == Shape::Box) {
        append_box_faces(layer.fill, glm::vec3(o.region.min), glm::vec3(o.region.max), false);
        append_box_edges(layer.lines, glm::vec3(o.region.min), glm::vec3(o.region.max), 3);
    } else if (o.region.shape == Shape::Sphere) {
        const glm::vec3 c(o.region.center);
        const float r = static_cast<float>(o.region.radius);
        append_sphere(layer.fill, c, r);
        const glm::vec3 x(1, 0, 0), y(0, 1, 0), z(0, 0, 1);
        for (const auto& [u, v] : {std::pair{x, y}, {y, z}, {z, x}})
            add_polygon(&layer, nullptr, circle(c, u, v, r), x);
    } else {
        append_triangle_mesh(layer.fill, o.region.mesh->mesh, false);
    }
}

}  // namespace

FlowMarks flow_marks(const Scene& scene, std::span<const EmitterStatus> status, float pixel) {
    FlowMarks marks;
    for (std::size_t k = 0; k < scene.emitters.size(); ++k) {
        MarkLayer& layer = k >= status.size() || status[k].emitting ? marks.emitting : marks.idle;
        if (scene.dimension == 2) {
            add_emitter_2d(layer, scene, scene.emitters[k], pixel);
        } else {
            add_emitter_3d(layer, scene, scene.emitters[k]);
        }
    }
    for (const OutletDesc& o : scene.outlets) {
        if (scene.dimension == 2) {
            add_outlet_2d(marks, scene, o);
        } else {
            add_outlet_3d(marks.outlets, scene, o);
        }
    }
    return marks;
}

}  // namespace flume
