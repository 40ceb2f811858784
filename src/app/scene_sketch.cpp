#include "scene_sketch.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <glm/gtc/matrix_transform.hpp>

#include "app/camera.hpp"

namespace flume {

namespace {

using Kind = SketchShape::Kind;

// The convex hull of points (Andrew's monotone chain), counter-clockwise in a y-up frame.
std::vector<glm::vec2> convex_hull(std::vector<glm::vec2> p) {
    std::sort(p.begin(), p.end(), [](const glm::vec2& a, const glm::vec2& b) {
        return a.x < b.x || (a.x == b.x && a.y < b.y);
    });
    if (p.size() < 3) return p;
    auto cross = [](const glm::vec2& o, const glm::vec2& a, const glm::vec2& b) {
        return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
    };
    std::vector<glm::vec2> hull(2 * p.size());
    std::size_t k = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        while (k >= 2 && cross(hull[k - 2], hull[k - 1], p[i]) <= 0.0f)
            --k;
        hull[k++] = p[i];
    }
    for (std::size_t i = p.size() - 1, lower = k + 1; i-- > 0;) {
        while (k >= lower && cross(hull[k - 2], hull[k - 1], p[i]) <= 0.0f)
            --k;
        hull[k++] = p[i];
    }
    hull.resize(k - 1);
    return hull;
}

// Projects world points onto the thumbnail: the scene's view, then the domain fitted inside.
class Projector {
  public:
    Projector(const Scene& scene, float aspect) : dimension_(scene.dimension), aspect_(aspect) {
        if (dimension_ == 3) {
            OrbitCamera camera;
            camera.fit(glm::vec3(scene.domain_min), glm::vec3(scene.domain_max));
            view_projection_ = camera.projection(aspect) * camera.view();
        }
        // The domain's corners, projected, give the frame that is fitted into the thumbnail.
        glm::vec2 lo(1e30f), hi(-1e30f);
        for (const glm::vec3& c : box_corners(scene.domain_min, scene.domain_max)) {
            const glm::vec2 p = raw(c);
            lo = glm::min(lo, p);
            hi = glm::max(hi, p);
        }
        const glm::vec2 extent = glm::max(hi - lo, glm::vec2(1e-6f));
        // Units of the thumbnail's height; 8% margin.
        scale_ = 0.84f * std::min(aspect_ / extent.x, 1.0f / extent.y);
        offset_ = glm::vec2(0.5f * aspect_, 0.5f) - scale_ * 0.5f * (lo + hi);
    }

    // In [0, 1]^2, y down.
    glm::vec2 operator()(const glm::dvec3& world) const {
        const glm::vec2 p = offset_ + scale_ * raw(glm::vec3(world));
        return {p.x / aspect_, 1.0f - p.y};
    }

    std::vector<glm::vec2> points(const std::vector<glm::vec3>& world) const {
        std::vector<glm::vec2> out;
        out.reserve(world.size());
        for (const glm::vec3& w : world)
            out.push_back((*this)(glm::dvec3(w)));
        return out;
    }

    // The thumbnail's units per world unit near `world` (a sphere's radius on the thumbnail).
    float units_per_world(const glm::dvec3& world, const glm::dvec3& side) const {
        const glm::vec2 a = (*this)(world), b = (*this)(world + side);
        return glm::length(glm::vec2((b.x - a.x) * aspect_, b.y - a.y));
    }

    int dimension() const { return dimension_; }
    static std::array<glm::vec3, 8> box_corners(const glm::dvec3& lo, const glm::dvec3& hi) {
        std::array<glm::vec3, 8> c;
        for (int i = 0; i < 8; ++i) {
            c[static_cast<std::size_t>(i)] =
                glm::vec3(i & 1 ? hi.x : lo.x, i & 2 ? hi.y : lo.y, i & 4 ? hi.z : lo.z);
        }
        return c;
    }

  private:
    glm::vec2 raw(const glm::vec3& w) const {
        if (dimension_ == 2) return {w.x, w.y};
        const glm::vec4 clip = view_projection_ * glm::vec4(w, 1.0f);
        return glm::vec2(clip) / std::max(clip.w, 1e-6f) * glm::vec2(aspect_, 1.0f);
    }

    int dimension_;
    float aspect_;
    glm::mat4 view_projection_{1.0f};
    float scale_ = 1.0f;
    glm::vec2 offset_{0.0f};
};

// A circle of `radius` thumbnail units (of its height) around `center`.
std::vector<glm::vec2> circle(const glm::vec2& center, float radius, float aspect) {
    std::vector<glm::vec2> out;
    constexpr int kSides = 20;
    for (int i = 0; i < kSides; ++i) {
        const float a = 6.2831853f * static_cast<float>(i) / kSides;
        out.emplace_back(center.x + radius * std::cos(a) / aspect, center.y + radius * std::sin(a));
    }
    return out;
}

// A shape's outline on the thumbnail, turned by `turn` about `pivot` (a body's start rotation).
std::vector<glm::vec2> shape_outline(const ShapeDesc& s, const Projector& project, float aspect,
                                     const glm::mat4& turn = glm::mat4(1.0f),
                                     const glm::vec3& pivot = glm::vec3(0.0f)) {
    auto moved = [&](const glm::vec3& p) {
        return pivot + glm::vec3(turn * glm::vec4(p - pivot, 1.0f));
    };
    switch (s.shape) {
        case Shape::Sphere: {
            const glm::vec2 c = project(glm::dvec3(moved(glm::vec3(s.center))));
            const float r = project.units_per_world(s.center, {s.radius, 0.0, 0.0});
            // In 3D the sideways world offset foreshortens little at the start view's yaw: take
            // the larger of two directions so the ball is not drawn flat.
            const float r3 =
                project.dimension() == 3
                    ? std::max(r, project.units_per_world(s.center, {0.0, s.radius, 0.0}))
                    : r;
            return circle(c, r3, aspect);
        }
        case Shape::Box: {
            std::vector<glm::vec3> corners;
            for (const glm::vec3& c : Projector::box_corners(s.min, s.max))
                corners.push_back(moved(c));
            if (project.dimension() == 2) corners.resize(4);
            return convex_hull(project.points(corners));
        }
        case Shape::Mesh: {
            if (!s.mesh) return {};
            std::vector<glm::vec3> points;
            if (!s.mesh->outline.empty()) {  // a polygon (2D): its corners, in order
                for (const glm::dvec2& p : s.mesh->outline)
                    points.push_back(moved(glm::vec3(p.x, p.y, 0.0)));
                return project.points(points);
            }
            for (const glm::dvec3& v : s.mesh->mesh.vertices)
                points.push_back(moved(glm::vec3(v)));
            return convex_hull(project.points(points));
        }
    }
    return {};
}

bool is_polygon(const ShapeDesc& s) {
    return s.shape == Shape::Mesh && s.mesh && !s.mesh->outline.empty();
}

}  // namespace

SceneSketch sketch_scene(const Scene& scene, float aspect) {
    const Projector project(scene, aspect);
    SceneSketch sketch;

    // The domain: its 12 edges (3D) or its rectangle (2D).
    {
        SketchShape domain{Kind::Domain, false, false, {}};
        const auto c = Projector::box_corners(scene.domain_min, scene.domain_max);
        if (scene.dimension == 2) {
            domain.closed = true;
            for (const int i : {0, 1, 3, 2})
                domain.points.push_back(project(glm::dvec3(c[static_cast<std::size_t>(i)])));
        } else {
            for (int i = 0; i < 8; ++i) {
                for (int bit : {1, 2, 4}) {
                    if (i & bit) continue;
                    domain.points.push_back(project(glm::dvec3(c[static_cast<std::size_t>(i)])));
                    domain.points.push_back(
                        project(glm::dvec3(c[static_cast<std::size_t>(i | bit)])));
                }
            }
        }
        sketch.shapes.push_back(std::move(domain));
    }

    for (const ShapeDesc& o : scene.obstacles) {
        const bool container = o.shape == Shape::Mesh && o.mesh && o.mesh->invert;
        // A polygon may be concave: outlined, as a container is.
        const bool outlined = container || is_polygon(o);
        sketch.shapes.push_back({container ? Kind::Container : Kind::Obstacle, !outlined, true,
                                 shape_outline(o, project, aspect)});
    }
    for (const FluidBlock& f : scene.fluid) {
        sketch.shapes.push_back(
            {Kind::Fluid, !is_polygon(f.region), true, shape_outline(f.region, project, aspect)});
    }
    for (const BodyDesc& b : scene.bodies) {
        const glm::vec3 pivot(0.5 * (b.shape.lower() + b.shape.upper()));
        const glm::mat4 turn =
            b.rotation_degrees != 0.0
                ? glm::rotate(glm::mat4(1.0f), glm::radians(static_cast<float>(b.rotation_degrees)),
                              glm::vec3(b.rotation_axis))
                : glm::mat4(1.0f);
        sketch.shapes.push_back({Kind::Body, !is_polygon(b.shape), true,
                                 shape_outline(b.shape, project, aspect, turn, pivot)});
    }
    // Emitters: an arrow from the patch's centre along its direction.
    const glm::dvec3 extent = scene.domain_max - scene.domain_min;
    const double arrow = 0.15 * std::max({extent.x, extent.y, extent.z});
    for (const EmitterDesc& e : scene.emitters) {
        sketch.shapes.push_back({Kind::Emitter,
                                 false,
                                 false,
                                 {project(e.center), project(e.center + arrow * e.direction)}});
    }
    return sketch;
}

}  // namespace flume
