#include "app/body_picking.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace flume {

namespace {

// The nearest t >= 0 at which origin + t * direction enters the box [lo, hi] (0 when it starts
// inside), if it meets it.
std::optional<float> ray_box(const glm::vec3& origin, const glm::vec3& direction,
                             const glm::vec3& lo, const glm::vec3& hi) {
    float t_near = 0.0f, t_far = std::numeric_limits<float>::max();
    for (int k = 0; k < 3; ++k) {
        if (std::abs(direction[k]) < 1.0e-12f) {
            if (origin[k] < lo[k] || origin[k] > hi[k]) return std::nullopt;
            continue;
        }
        float t0 = (lo[k] - origin[k]) / direction[k], t1 = (hi[k] - origin[k]) / direction[k];
        if (t0 > t1) std::swap(t0, t1);
        t_near = std::max(t_near, t0);
        t_far = std::min(t_far, t1);
        if (t_near > t_far) return std::nullopt;
    }
    return t_near;
}

// The same for the sphere of `radius` about `center` (direction of unit length).
std::optional<float> ray_sphere(const glm::vec3& origin, const glm::vec3& direction,
                                const glm::vec3& center, float radius) {
    const glm::vec3 to = origin - center;
    const float b = glm::dot(to, direction);
    const float c = glm::dot(to, to) - radius * radius;
    const float discriminant = b * b - c;
    if (discriminant < 0.0f) return std::nullopt;
    const float root = std::sqrt(discriminant);
    if (-b + root < 0.0f) return std::nullopt;  // behind
    return std::max(-b - root, 0.0f);
}

// The nearest t >= 0 at which the ray meets a triangle of `mesh` (Moller and Trumbore 1997).
std::optional<float> ray_mesh(const glm::vec3& origin, const glm::vec3& direction,
                              const TriangleMesh& mesh) {
    std::optional<float> nearest;
    for (const glm::u32vec3& t : mesh.triangles) {
        const glm::vec3 a(mesh.vertices[t.x]), b(mesh.vertices[t.y]), c(mesh.vertices[t.z]);
        const glm::vec3 ab = b - a, ac = c - a;
        const glm::vec3 p = glm::cross(direction, ac);
        const float det = glm::dot(ab, p);
        if (std::abs(det) < 1.0e-12f) continue;  // along the triangle's plane
        const glm::vec3 to = origin - a;
        const float u = glm::dot(to, p) / det;
        if (u < 0.0f || u > 1.0f) continue;
        const glm::vec3 q = glm::cross(to, ab);
        const float v = glm::dot(direction, q) / det;
        if (v < 0.0f || u + v > 1.0f) continue;
        const float hit = glm::dot(ac, q) / det;
        if (hit >= 0.0f && (!nearest || hit < *nearest)) nearest = hit;
    }
    return nearest;
}

}  // namespace

glm::vec3 body_shape_center(const BodyDesc& desc) {
    const ShapeDesc& s = desc.shape;
    return s.shape == Shape::Sphere ? glm::vec3(s.center)
                                    : glm::vec3(0.5 * (s.lower() + s.upper()));
}

std::optional<BodyHit> pick_body(std::span<const BodyDesc> bodies, std::span<const glm::mat4> poses,
                                 const Ray& ray) {
    std::optional<BodyHit> best;
    float best_t = std::numeric_limits<float>::max();
    for (std::size_t i = 0; i < std::min(bodies.size(), poses.size()); ++i) {
        // A rigid motion: distances along the ray are the same in the rest frame.
        const glm::mat4 to_rest = glm::inverse(poses[i]);
        const glm::vec3 origin = glm::vec3(to_rest * glm::vec4(ray.origin, 1.0f));
        const glm::vec3 direction = glm::normalize(glm::mat3(to_rest) * ray.direction);
        const ShapeDesc& s = bodies[i].shape;
        std::optional<float> t;
        if (s.shape == Shape::Box) {
            t = ray_box(origin, direction, glm::vec3(s.min), glm::vec3(s.max));
        } else if (s.shape == Shape::Sphere) {
            t = ray_sphere(origin, direction, glm::vec3(s.center), static_cast<float>(s.radius));
        } else if (s.shape == Shape::Mesh) {
            t = ray_mesh(origin, direction, s.mesh->mesh);
        }
        if (t && *t < best_t) {
            best_t = *t;
            best = BodyHit{i, origin + direction * *t, ray.origin + ray.direction * *t};
        }
    }
    return best;
}

std::optional<BodyHit> pick_body_2d(std::span<const BodyDesc> bodies,
                                    std::span<const glm::mat4> poses, const glm::vec2& point) {
    for (std::size_t i = std::min(bodies.size(), poses.size()); i-- > 0;) {
        const glm::vec3 rest = glm::vec3(glm::inverse(poses[i]) * glm::vec4(point, 0.0f, 1.0f));
        const ShapeDesc& s = bodies[i].shape;
        bool inside = false;
        if (s.shape == Shape::Box) {
            inside =
                rest.x >= s.min.x && rest.x <= s.max.x && rest.y >= s.min.y && rest.y <= s.max.y;
        } else if (s.shape == Shape::Sphere) {
            inside =
                glm::length(glm::vec2(rest) - glm::vec2(s.center)) <= static_cast<float>(s.radius);
        } else if (s.shape == Shape::Mesh) {  // a polygon: crossings of a ray along +x
            const std::vector<glm::dvec2>& c = s.mesh->outline;
            for (std::size_t k = 0, j = c.size() - 1; k < c.size(); j = k++) {
                if ((c[k].y > rest.y) != (c[j].y > rest.y) &&
                    rest.x < (c[j].x - c[k].x) * (rest.y - c[k].y) / (c[j].y - c[k].y) + c[k].x)
                    inside = !inside;
            }
        }
        if (inside) return BodyHit{i, glm::vec3(rest.x, rest.y, 0.0f), glm::vec3(point, 0.0f)};
    }
    return std::nullopt;
}

}  // namespace flume
