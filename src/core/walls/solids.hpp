// The walls and obstacles as the put-back sees them: a room of the simulation. The last line of
// defence of the walls (Solids::keep_out, in the step's bookkeeping), the signed distance to an
// obstacle, whether a point is inside a solid or in a seam where two solids meet. The obstacles'
// distance fields (meshes, polygons) live here; moving obstacles are seen at their pose at the
// step's end (MovingWalls).
//
//   Solids<D> solids;
//   solids.set_up(domain_walls, lower, upper, particle_radius, &moving_walls);
//   solids.add(obstacle, std::move(its_distance_field));   // in the scene's order
//   moved += solids.keep_out(x, v, dt);                    // per particle, after the step
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "core/geometry/distance_field.hpp"
#include "core/math/vec.hpp"
#include "core/motion.hpp"
#include "core/walls/moving_walls.hpp"

namespace flume {

template <int D>
class Solids {
  public:
    // One of the scene's obstacles, as the put-back tests it.
    struct Obstacle {
        bool sphere = false;
        Vec<D> lower{0.0f}, upper{0.0f};  // box
        Vec<D> centre{0.0f};              // sphere
        float radius = 0.0f;
        const DistanceField* field = nullptr;  // mesh
        bool invert = false;                   // mesh: a container
        bool moves = false;                    // on a prescribed path (scene's motion)
        std::uint32_t index = 0;               // its mover (moving walls): obstacle or body
        std::int32_t body = -1;                // a rigid body's index, else -1
        // A body: the centre of its bounding sphere (rest frame) and its radius, so that the
        // put-back skips it for the particles far from it (place_bodies sets where it is).
        Vec<D> bound_centre{0.0f};
        float bound_radius = 0.0f;
    };

    // What the put-back did to a particle at a body: the body (or kNoBody) and the particle's
    // change of velocity, whose opposite the body takes (so that momentum is kept).
    static constexpr std::uint32_t kNoBody = 0xFFFFFFFFu;
    struct BodyPush {
        std::uint32_t body = kNoBody;
        Vec<D> dv{0.0f};
    };

    void set_up(bool walls, const Vec<D>& lower, const Vec<D>& upper, float particle_radius,
                const MovingWalls<D>* moving) {
        walls_ = walls;
        domain_lower_ = lower;
        domain_upper_ = upper;
        particle_radius_ = particle_radius;
        moving_ = moving;
    }

    // The next obstacle, in the scene's order, with the distance field it points to (a mesh's).
    void add(const Obstacle& o, std::unique_ptr<DistanceField> field) {
        obstacles_.push_back(o);
        bound_world_.push_back(o.bound_centre);
        if (field) fields_.push_back(std::move(field));
    }

    // Where the bodies' bounding spheres are at the step's end (before keep_out).
    void place_bodies() {
        for (std::size_t i = 0; i < obstacles_.size(); ++i) {
            const Obstacle& o = obstacles_[i];
            if (o.body < 0) continue;
            bound_world_[i] = to_vec<D>(moving_->after(o.index).apply(to_dvec3(o.bound_centre)));
        }
    }

    bool walls() const { return walls_; }  // the domain's walls are solid (domain_walls)
    const std::vector<Obstacle>& obstacles() const { return obstacles_; }

    std::size_t memory_bytes() const {
        std::size_t bytes = 0;
        for (const auto& f : fields_)
            bytes += f->memory_bytes();
        return bytes;
    }

    // The last line of defence of the walls. The boundary pressure force vanishes for a lone
    // particle (a splash) at a wall: with the wall's contribution its density is still below
    // rho0, so its pressure is zero, and a fast one could cross the surface before the density
    // rises. A particle whose centre is past a wall or inside an obstacle is put back on the
    // surface and the velocity component into it removed. Returns 1 if it moved the particle.
    std::uint32_t keep_out(Vec<D>& x, Vec<D>& v, float dt, BodyPush* push = nullptr) const {
        const Vec<D> start = x - v * dt;  // where the particle began the step
        std::uint32_t moved = 0;
        if (walls_) {
            for (int k = 0; k < D; ++k) {
                if (x[k] < domain_lower_[k]) {
                    x[k] = domain_lower_[k];
                    v[k] = std::max(v[k], 0.0f);
                    moved = 1;
                } else if (x[k] > domain_upper_[k]) {
                    x[k] = domain_upper_[k];
                    v[k] = std::min(v[k], 0.0f);
                    moved = 1;
                }
            }
        }
        const float eps = seam_tolerance();
        int touching = 0;  // solids x is on (or within eps of) after its corrections
        if (walls_) {
            for (int k = 0; k < D; ++k) {
                if (x[k] < domain_lower_[k] + eps || x[k] > domain_upper_[k] - eps) {
                    touching = 1;
                    break;
                }
            }
        }
        for (std::size_t i = 0; i < obstacles_.size(); ++i) {
            const Obstacle& o = obstacles_[i];
            if (o.body >= 0) {
                const float reach = o.bound_radius + eps;
                if (length_squared<D>(x - bound_world_[i]) > reach * reach) continue;
            }
            bool touches = false;
            const Vec<D> before = v;
            const std::uint32_t out = o.moves ? keep_out_of_moving(o, x, v, dt, eps, touches)
                                              : keep_out_of(o, x, v, eps, touches);
            if (out && push && o.body >= 0) {
                push->body = static_cast<std::uint32_t>(o.body);
                push->dv += v - before;
            }
            moved |= out;
            touching += touches;
        }
        // A particle put back on (or left on) a surface where two solids meet with no fluid
        // between them (a box standing on the floor, two boxes side by side) would be in the
        // seam under or between them: it goes to the nearest free place, at rest.
        if (touching >= 2 && in_seam(x)) {
            x = out_of_seam(x, start);
            v = Vec<D>(0.0f);
            moved = 1;
        }
        return moved;
    }

    // The nearest free point to x (in a seam) of where the particle began the step and the
    // faces of the boxes it touches; x itself if none is free.
    Vec<D> out_of_seam(const Vec<D>& x, const Vec<D>& start) const {
        Vec<D> best = x;
        float best_d2 = std::numeric_limits<float>::max();
        auto consider = [&](const Vec<D>& c) {
            const float d2 = length_squared<D>(c - x);
            if (d2 < best_d2 && !inside_any(c) && !in_seam(c)) best = c, best_d2 = d2;
        };
        consider(start);
        const float eps = seam_tolerance();
        for (const Obstacle& o : obstacles_) {
            if (o.field || o.sphere || o.moves) continue;
            bool near = true;
            for (int k = 0; k < D; ++k)
                near = near && x[k] > o.lower[k] - eps && x[k] < o.upper[k] + eps;
            if (!near) continue;
            for (int k = 0; k < D; ++k) {
                for (const float face : {o.lower[k], o.upper[k]}) {
                    Vec<D> c = x;
                    for (int j = 0; j < D; ++j)
                        c[j] = std::clamp(c[j], o.lower[j], o.upper[j]);
                    c[k] = face;
                    consider(c);
                }
            }
        }
        return best;
    }

    // How close to a solid's surface a point counts as touching it: a thousandth of a particle
    // radius, and at least a few float steps of the domain's coordinates.
    float seam_tolerance() const {
        float extent = 0.0f;
        for (int k = 0; k < D; ++k)
            extent = std::max({extent, std::abs(domain_lower_[k]), std::abs(domain_upper_[k])});
        return std::max(1.0e-3f * particle_radius_,
                        8.0f * std::numeric_limits<float>::epsilon() * extent);
    }

    // x in an obstacle's rest frame at the end of the step (itself for one that does not move).
    Vec<D> rest_frame(const Obstacle& o, const Vec<D>& x) const {
        if (!o.moves) return x;
        return to_vec<D>(moving_->after(o.index).unapply(to_dvec3(x)));
    }
    // A direction from o's rest frame to the world.
    Vec<D> world_direction(const Obstacle& o, const Vec<D>& n) const {
        if (!o.moves) return n;
        return to_vec<D>(moving_->after(o.index).rotation * to_dvec3(n));
    }

    // The signed distance from x (rest frame) to obstacle o's solid, negative inside; for a box,
    // with the outward normal of the nearest face (of the nearest point, for a sphere or mesh).
    double distance(const Obstacle& o, const Vec<D>& x, Vec<D>* normal) const {
        if (o.field) {
            const double d = solid_distance(o, x);
            if (normal) {
                // The field's gradient, by central differences a fraction of its cell wide.
                const double h = 0.05 * o.field->grid().step.x;
                for (int k = 0; k < D; ++k) {
                    Vec<D> a = x, b = x;
                    a[k] += static_cast<float>(h);
                    b[k] -= static_cast<float>(h);
                    (*normal)[k] = static_cast<float>(solid_distance(o, a) - solid_distance(o, b));
                }
                const float length = std::sqrt(length_squared<D>(*normal));
                if (length > 0.0f) *normal = *normal / length;
            }
            return d;
        }
        if (o.sphere) {
            const Vec<D> d = x - o.centre;
            const float length = std::sqrt(length_squared<D>(d));
            if (normal) *normal = length > 0.0f ? d / length : Vec<D>(0.0f);
            return static_cast<double>(length - o.radius);
        }
        // A box: inside, the depth below the nearest face; outside, the largest gap to a face
        // (exact near a face, which is all this is asked about).
        double best = -std::numeric_limits<double>::max();
        for (int k = 0; k < D; ++k) {
            const double below = static_cast<double>(o.lower[k] - x[k]);
            const double above = static_cast<double>(x[k] - o.upper[k]);
            if (below > best) {
                best = below;
                if (normal) *normal = Vec<D>(0.0f), (*normal)[k] = -1.0f;
            }
            if (above > best) {
                best = above;
                if (normal) *normal = Vec<D>(0.0f), (*normal)[k] = 1.0f;
            }
        }
        return best;
    }

    // True when x lies strictly inside a solid: outside the domain's walls or in an obstacle.
    bool inside_any(const Vec<D>& x) const {
        if (walls_) {
            for (int k = 0; k < D; ++k) {
                if (x[k] < domain_lower_[k] || x[k] > domain_upper_[k]) return true;
            }
        }
        for (const Obstacle& o : obstacles_) {
            if (distance(o, rest_frame(o, x), nullptr) < 0.0) return true;
        }
        return false;
    }

    // True when x is on the surface of a solid (within seam_tolerance) and every solid it
    // touches has another solid just outside it: no side of x is fluid. A container that
    // coincides with the domain's walls is no seam (the fluid side is free); a box standing on
    // the floor is, along its bottom face.
    bool in_seam(const Vec<D>& x) const {
        const float eps = seam_tolerance();
        int touched = 0;
        auto blocked = [&](const Vec<D>& outward) {
            return inside_any(x + outward * (2.0f * eps));
        };
        if (walls_) {
            for (int k = 0; k < D; ++k) {
                Vec<D> inward(0.0f);
                if (x[k] < domain_lower_[k] + eps) {
                    inward[k] = 1.0f;
                } else if (x[k] > domain_upper_[k] - eps) {
                    inward[k] = -1.0f;
                } else {
                    continue;
                }
                ++touched;
                if (!blocked(inward)) return false;
            }
        }
        for (const Obstacle& o : obstacles_) {
            const Vec<D> xr = rest_frame(o, x);
            // Cheap first: only a point near the obstacle asks for its normal.
            if (distance(o, xr, nullptr) > eps) continue;
            Vec<D> normal(0.0f);
            distance(o, xr, &normal);
            ++touched;
            if (!blocked(world_direction(o, normal))) return false;
        }
        return touched >= 2;
    }

    // A moving obstacle: the same in its rest frame at the end of the step, with the velocity
    // relative to the wall's there.
    std::uint32_t keep_out_of_moving(const Obstacle& o, Vec<D>& x, Vec<D>& v, float dt, float eps,
                                     bool& touches) const {
        const Pose& start = moving_->now(o.index);
        const Pose& end = moving_->after(o.index);
        const glm::dvec3 rest = end.unapply(to_dvec3(x));
        const glm::dvec3 wall = (end.apply(rest) - start.apply(rest)) / static_cast<double>(dt);
        Vec<D> xr = to_vec<D>(rest);
        Vec<D> vr = to_vec<D>(glm::transpose(end.rotation) * (to_dvec3(v) - wall));
        if (!keep_out_of(o, xr, vr, eps, touches)) return 0;
        x = to_vec<D>(end.apply(to_dvec3(xr)));
        v = to_vec<D>(end.rotation * to_dvec3(vr) + wall);
        return 1;
    }

    // Puts x back on the surface of an obstacle (in its rest frame) if it is inside, and removes
    // the velocity into it. Returns 1 if it moved the particle; `touches` says whether x ends on
    // the obstacle's surface or within eps of it (for a mesh: may do).
    static std::uint32_t keep_out_of(const Obstacle& o, Vec<D>& x, Vec<D>& v, float eps,
                                     bool& touches) {
        if (o.field) return keep_out_of_mesh(o, x, v, eps, touches);
        if (o.sphere) {
            const Vec<D> d = x - o.centre;
            const float dist2 = length_squared<D>(d);
            touches = dist2 < (o.radius + eps) * (o.radius + eps);
            if (dist2 >= o.radius * o.radius || dist2 == 0.0f) return 0;
            const Vec<D> normal = d / std::sqrt(dist2);
            x = o.centre + normal * o.radius;
            const float vn = dot<D>(v, normal);
            if (vn < 0.0f) v -= normal * vn;
            return 1;
        }
        bool inside = true, near = true;
        for (int k = 0; k < D; ++k) {
            inside = inside && x[k] > o.lower[k] && x[k] < o.upper[k];
            near = near && x[k] > o.lower[k] - eps && x[k] < o.upper[k] + eps;
        }
        touches = near;
        if (!inside) return 0;
        int axis = 0;
        bool upper_side = false;
        float best = std::numeric_limits<float>::max();
        for (int k = 0; k < D; ++k) {
            if (x[k] - o.lower[k] < best) best = x[k] - o.lower[k], axis = k, upper_side = false;
            if (o.upper[k] - x[k] < best) best = o.upper[k] - x[k], axis = k, upper_side = true;
        }
        x[axis] = upper_side ? o.upper[axis] : o.lower[axis];
        v[axis] = upper_side ? std::max(v[axis], 0.0f) : std::min(v[axis], 0.0f);
        return 1;
    }

    static glm::dvec3 to_dvec3(const Vec<D>& x) {
        glm::dvec3 p(0.0);
        for (int k = 0; k < D; ++k)
            p[k] = x[k];
        return p;
    }

    // The signed distance from x to a mesh obstacle's solid: negative inside the solid.
    static double solid_distance(const Obstacle& o, const Vec<D>& x) {
        const double d = o.field->distance(to_dvec3(x));
        return o.invert ? -d : d;
    }

    // A particle inside a mesh's solid goes back to the nearest point of its surface. The
    // interpolated field finds the particles near the surface, the exact distance to the nearest
    // triangles decides.
    static std::uint32_t keep_out_of_mesh(const Obstacle& o, Vec<D>& x, Vec<D>& v, float eps,
                                          bool& touches) {
        const DistanceField& field = *o.field;
        const double step =
            std::max({field.grid().step.x, field.grid().step.y, field.grid().step.z});
        const double distance = solid_distance(o, x);
        touches = distance < 4.0 * static_cast<double>(eps);
        if (distance > step) return 0;
        const glm::dvec3 p = to_dvec3(x);
        DistanceField::Nearest near;
        if (!field.nearest(p, near)) return 0;
        const double depth = o.invert ? near.distance : -near.distance;
        if (!(depth > 0.0)) return 0;
        const glm::dvec3 out = (near.point - p) / depth;  // towards the fluid
        Vec<D> normal;
        for (int k = 0; k < D; ++k) {
            x[k] = static_cast<float>(near.point[k]);
            normal[k] = static_cast<float>(out[k]);
        }
        const float vn = dot<D>(v, normal);
        if (vn < 0.0f) v -= normal * vn;
        touches = true;
        return 1;
    }

  private:
    bool walls_ = true;
    Vec<D> domain_lower_{0.0f}, domain_upper_{0.0f};
    float particle_radius_ = 0.0f;
    const MovingWalls<D>* moving_ = nullptr;
    std::vector<Vec<D>> bound_world_;  // per obstacle: a body's bounding sphere's centre now
    std::vector<Obstacle> obstacles_;
    std::vector<std::unique_ptr<DistanceField>> fields_;  // of the mesh obstacles
};

}  // namespace flume
