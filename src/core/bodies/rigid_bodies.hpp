// Rigid bodies two-way coupled with the fluid: a room of the simulation. A body is a box, a sphere
// (a disc in 2D), a polygon (2D) or a closed mesh (3D), with the mass properties of its shape
// (bodies/mass_properties.hpp), whose boundary samples (Akinci et al. 2012) move with it as moving
// walls (core/walls/moving_walls.hpp), so that the fluid sees a moving wall; the reaction of the
// pressure force those samples put on the fluid (sph/body_reactions.hpp), folded in sample order,
// and gravity move the body (the coupling is explicit: the force of a step moves the body at its
// end; the walls' pressure sees the samples' velocity, not the body's acceleration, see
// RigidMotion): symplectic Euler on its centre of mass and on its orientation quaternion, the
// gyroscopic term included, in double precision with + - * / and sqrt only, so that a body moves by
// the same bits for any thread count and natively as in wasm. Contacts with the domain's walls are
// impulses at the shape's extreme points (the corners of a box or polygon, a mesh's vertices, a
// sphere's points nearest each wall) with restitution and Coulomb friction, then a projection out
// of the wall. The state (pose, velocities, last forces) saves itself: the BODY section of a saved
// state.
//
//   RigidBodies<D> bodies;
//   bodies.set_up(scene.bodies);                              // mass properties, t = 0
//   walls.move(obstacles, bodies.motions(dt), ...);           // each step's grid stage
//   bodies.collect(walls.owners(), walls.first_body());       // then the bodies' samples
//   ctx.bodies = &bodies.coupling();                          // the solver adds the forces
//   bodies.advance(boundary, dt, gravity, walls, solids);     // after the solver
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <glm/glm.hpp>
#include <glm/gtc/quaternion.hpp>

#include "core/bodies/mass_properties.hpp"
#include "core/decomposition/decomposition.hpp"
#include "core/math/portable.hpp"
#include "core/math/vec.hpp"
#include "core/motion.hpp"
#include "core/scene.hpp"
#include "core/simulation.hpp"
#include "core/sph/context.hpp"
#include "core/sph/particles.hpp"
#include "core/state/state_file.hpp"
#include "core/walls/moving_walls.hpp"
#include "core/walls/solids.hpp"

namespace flume {

template <int D>
class RigidBodies {
  public:
    // What moves: the part of a body that a step changes and a saved state holds.
    struct State {
        glm::dvec3 position{0.0};  // of the centre of mass, world
        glm::dquat orientation{1.0, 0.0, 0.0, 0.0};
        glm::dvec3 velocity{0.0}, angular_velocity{0.0};  // world
        // The fluid's force and torque (about the centre of mass) over the last step.
        glm::dvec3 force{0.0}, torque{0.0};
    };

    // Mass properties and the body's description, from the scene.
    // `obstacles`: how many the scene has (room for the contacts with them).
    void set_up(std::span<const BodyDesc> bodies, const Vec<D>& domain_lower,
                const Vec<D>& domain_upper, bool domain_walls, double spacing,
                std::size_t obstacles) {
        // Bodies meet the walls a particle spacing short of them: the layer of fluid caught
        // between keeps its rest density (a body closer than that squeezed a layer no solve could
        // relieve, and the incompressible solvers' pressure threw a resting body off the floor).
        domain_lower_ = to_dvec3<D>(domain_lower) + glm::dvec3(spacing);
        domain_upper_ = to_dvec3<D>(domain_upper) - glm::dvec3(spacing);
        gap_ = spacing;
        domain_walls_ = domain_walls;
        for (const BodyDesc& desc : bodies) {
            Body b;
            b.desc = desc;
            b.mass = desc.body_mass(D);
            MassProperties m = mass_properties(desc.shape, b.mass, D);
            b.inertia = m.moments;
            b.principal_axes = m.axes;
            b.centre = m.centre;
            b.corners = std::move(m.corners);
            b.extent = m.extent;
            b.moves = desc.moves;
            b.turns = desc.turns;
            if (D == 2) {
                b.moves.z = 0.0;
                b.turns.x = b.turns.y = 0.0;
            }
            State st;
            st.position = b.centre;
            if (desc.rotation_degrees != 0.0) {
                const glm::dvec2 sc = portable::sin_cos_degrees(0.5 * desc.rotation_degrees);
                const glm::dvec3 axis = D == 2 ? glm::dvec3(0.0, 0.0, 1.0) : desc.rotation_axis;
                st.orientation = glm::dquat(sc[1], axis.x * sc[0], axis.y * sc[0], axis.z * sc[0]);
            }
            if (!desc.fixed) {
                st.velocity = desc.velocity * b.moves;
                st.angular_velocity = desc.angular_velocity * b.turns;
            }
            bodies_.push_back(b);
            state_.push_back(st);
        }
        start_ = state_;
        // Directions to a sphere's surface points: the lattice directions (i, j, k) in
        // [-3, 3]^D with no common factor, normalised (32 in 2D, 290 in 3D).
        round_directions_.clear();
        const int z = D == 3 ? 3 : 0;
        for (int i = -3; i <= 3; ++i) {
            for (int j = -3; j <= 3; ++j) {
                for (int k = -z; k <= z; ++k) {
                    if (std::gcd(std::gcd(i, j), k) != 1) continue;
                    const glm::dvec3 v(i, j, k);
                    round_directions_.push_back(v / std::sqrt(glm::dot(v, v)));
                }
            }
        }
        // Room for every contact that find_contacts can find: each body's points against each
        // wall, each obstacle and each other body (at most 1 << 20; beyond, the rest are left
        // out).
        std::size_t room = 0;
        for (const Body& b : bodies_) {
            const std::size_t points = std::max(round_directions_.size(), b.corners.size());
            room += points * (2 * D + obstacles + bodies_.size());
        }
        contacts_.reserve(std::min<std::size_t>(room, std::size_t{1} << 20));
        motions_.resize(bodies_.size());
        status_.resize(bodies_.size());
        update_status();
    }

    bool empty() const { return bodies_.empty(); }
    const BodyDesc& desc(std::size_t k) const { return bodies_[k].desc; }

    // Body k's settings changed while the simulation runs (set_parameter): its mass (the
    // inertia scales with it), fixed or free (a body let go starts at rest), and with
    // `set_velocity` its velocity now (a push).
    void change(std::size_t k, const BodyDesc& desc, bool set_velocity) {
        Body& b = bodies_[k];
        set_mass(b, desc.body_mass(D));
        b.desc.density = desc.density;
        b.desc.mass = desc.mass;
        State& s = state_[k];
        if (desc.fixed != b.desc.fixed) s.velocity = s.angular_velocity = glm::dvec3(0.0);
        b.desc.fixed = desc.fixed;
        if (set_velocity && !desc.fixed) s.velocity = desc.velocity * b.moves;
        update_status();
    }

    void set_drag(const std::optional<BodyDrag>& drag) {
        if (drag && drag->body >= bodies_.size())
            throw std::out_of_range("set_body_drag: no body " + std::to_string(drag->body));
        drag_ = drag;
    }
    std::size_t size() const { return bodies_.size(); }
    const ShapeDesc& shape(std::size_t k) const { return bodies_[k].desc.shape; }
    const std::vector<BodyStatus>& status() const { return status_; }

    // Body k's pose now: its rest frame (the scene's description) to the world.
    Pose pose(std::size_t k) const { return pose_of(bodies_[k], state_[k]); }

    // The fastest any point of a body moves now (for the time step).
    double speed() const {
        double fastest = 0.0;
        for (std::size_t k = 0; k < bodies_.size(); ++k) {
            const State& s = state_[k];
            fastest = std::max(fastest, glm::length(s.velocity) +
                                            glm::length(s.angular_velocity) * bodies_[k].extent);
        }
        return fastest;
    }

    // The bodies' motions at the step's start, for the moving walls: their pose now and where
    // their velocities take them over dt.
    std::span<const RigidMotion> motions(double dt) {
        for (std::size_t k = 0; k < bodies_.size(); ++k) {
            const Body& b = bodies_[k];
            const State& s = state_[k];
            RigidMotion& m = motions_[k];
            m.now = pose_of(b, s);
            State next = s;
            drift(next, dt);
            m.next = pose_of(b, next);
            m.centre = s.position;
            m.velocity = s.velocity;
            m.angular_velocity = s.angular_velocity;
        }
        return motions_;
    }

    // The bodies' samples in the boundary's order (after the moving walls sorted it), with no
    // force yet. Sized once: the samples' count never changes.
    void collect(std::span<const std::uint32_t> owners, std::uint32_t first_body) {
        coupling_.samples.clear();
        sample_body_.clear();
        for (std::size_t b = 0; b < owners.size(); ++b) {
            const std::uint32_t o = owners[b];
            if (o == MovingWalls<D>::kStill || o < first_body) continue;
            coupling_.samples.push_back(static_cast<std::uint32_t>(b));
            sample_body_.push_back(o - first_body);
        }
        coupling_.force.assign(coupling_.samples.size(), Vec<D>(0.0f));
    }

    BodyCoupling<D>& coupling() { return coupling_; }

    // Per fluid particle, what the put-back did to it at a body (Solids::keep_out): room for
    // `capacity` particles, made once.
    using Push = typename Solids<D>::BodyPush;
    void reserve_pushes(std::size_t capacity) { pushes_.resize(capacity); }
    Push* pushes() { return pushes_.data(); }

    // The opposite of each push on its body, as an impulse at the particle, in the particles'
    // order: momentum the put-back gave the fluid is taken from the body. Split between ranks
    // (`ranks`), `x` and the pushes are this rank's owned particles: every rank takes every
    // rank's pushes in rank order, the particles' global order.
    void take_pushes(const Vec<D>* x, std::size_t count, double particle_mass,
                     Decomposition<D>* ranks = nullptr) {
        if (!ranks) {
            for (std::size_t i = 0; i < count; ++i)
                take_push(x[i], pushes_[i], particle_mass);
            update_status();
            return;
        }
        push_bytes_.clear();
        for (std::size_t i = 0; i < count; ++i) {
            if (pushes_[i].body == Solids<D>::kNoBody) continue;
            append(push_bytes_, x[i]);
            append(push_bytes_, pushes_[i].body);
            append(push_bytes_, pushes_[i].dv);
        }
        for (const std::string& part : ranks->all_gather(push_bytes_)) {
            constexpr std::size_t kRecord = 2 * sizeof(Vec<D>) + sizeof(std::uint32_t);
            if (part.size() % kRecord != 0)
                throw std::logic_error("RigidBodies::take_pushes: a rank sent a partial push");
            for (const char* p = part.data(); p != part.data() + part.size();) {
                const Vec<D> at = read<Vec<D>>(p);
                Push push;
                push.body = read<std::uint32_t>(p);
                push.dv = read<Vec<D>>(p);
                if (push.body >= bodies_.size())
                    throw std::logic_error("RigidBodies::take_pushes: a push names no body");
                take_push(at, push, particle_mass);
            }
        }
        update_status();
    }

    // Where a step may be taken again: the state it started from.
    void begin_step() { start_ = state_; }
    void back_to_start() { state_ = start_; }

    // The step's end: the fluid's force and torque on each body (its samples' forces folded in
    // their order), then gravity, the move, the walls' contacts; the moving walls learn each
    // body's pose at the step's end.
    void advance(const BoundaryParticles<D>& boundary, double dt, const Vec<D>& gravity,
                 MovingWalls<D>& walls, const Solids<D>& solids) {
        for (State& s : state_) {
            s.force = glm::dvec3(0.0);
            s.torque = glm::dvec3(0.0);
        }
        for (std::size_t i = 0; i < coupling_.samples.size(); ++i) {
            State& s = state_[sample_body_[i]];
            const glm::dvec3 f = to_dvec3<D>(coupling_.force[i]);
            const glm::dvec3 r = to_dvec3<D>(boundary.position[coupling_.samples[i]]) - s.position;
            s.force += f;
            s.torque += glm::cross(r, f);
        }
        const glm::dvec3 g = to_dvec3<D>(gravity);
        if (drag_) add_drag(*drag_);
        for (std::size_t k = 0; k < bodies_.size(); ++k) {
            const Body& b = bodies_[k];
            State& s = state_[k];
            if (b.desc.fixed) continue;
            s.velocity += (s.force / b.mass + g) * dt;
            // Euler's equations in the body's principal frame: I w' = tau - w x I w.
            const glm::dmat3 rotation = inertia_frame(b, s);
            const glm::dmat3 to_body = glm::transpose(rotation);
            const glm::dvec3 w = to_body * s.angular_velocity;
            const glm::dvec3 tau = to_body * s.torque;
            const glm::dvec3 dw = (tau - glm::cross(w, b.inertia * w)) / b.inertia;
            s.angular_velocity = rotation * (w + dw * dt);
            lock(b, s);
        }
        find_contacts(dt, g, solids);
        solve_contacts();
        for (std::size_t k = 0; k < bodies_.size(); ++k) {
            if (bodies_[k].desc.fixed) continue;
            drift(state_[k], dt);
            if (domain_walls_) project_out_of_walls(bodies_[k], state_[k]);
            project_out_of_obstacles(bodies_[k], state_[k], solids);
        }
        separate_bodies();
        for (std::size_t k = 0; k < bodies_.size(); ++k)
            walls.set_after(walls.first_body() + k, pose(k));
        update_status();
    }

    void save(StateWriter& w) const {
        w.put<std::uint64_t>(state_.size());
        for (const Body& b : bodies_) {  // as set live
            w.put(b.desc.density);
            w.put(b.desc.mass);
            w.put(b.desc.fixed);
        }
        for (const State& s : state_) {
            for (const glm::dvec3& v :
                 {s.position, s.velocity, s.angular_velocity, s.force, s.torque})
                put_vector(w, v);
            for (int k = 0; k < 4; ++k)
                w.put(s.orientation[k]);
        }
    }

    void restore(StateReader& r) {
        const std::size_t count = r.get_size();
        if (count != state_.size()) {
            r.fail("saved with " + std::to_string(count) + " bodies, the scene has " +
                   std::to_string(state_.size()));
        }
        std::vector<BodyDesc> settings(count);
        for (BodyDesc& d : settings) {
            d.density = r.get<double>();
            d.mass = r.get<double>();
            d.fixed = r.get<bool>();
            const bool fine = std::isfinite(d.density) && std::isfinite(d.mass) &&
                              d.density >= 0.0 && d.mass >= 0.0 && d.density <= 1.0e6 &&
                              d.mass <= 1.0e6 && (d.density > 0.0 || d.mass > 0.0);
            if (!fine) r.fail("a body's density or mass that is not one");
        }
        std::vector<State> restored(count);
        for (std::size_t k = 0; k < count; ++k) {
            State& s = restored[k];
            for (glm::dvec3* v :
                 {&s.position, &s.velocity, &s.angular_velocity, &s.force, &s.torque})
                *v = get_vector(r);
            for (int c = 0; c < 4; ++c)
                s.orientation[c] = r.get<double>();
            bool fine = true;
            for (int c = 0; c < 3; ++c) {
                fine = fine && std::isfinite(s.position[c]) && std::isfinite(s.velocity[c]) &&
                       std::isfinite(s.angular_velocity[c]) && std::isfinite(s.force[c]) &&
                       std::isfinite(s.torque[c]);
            }
            const double norm = glm::dot(s.orientation, s.orientation);
            fine = fine && std::abs(norm - 1.0) < 1.0e-6;
            for (int c = 0; c < D; ++c) {
                fine = fine && s.position[c] >= domain_lower_[c] - bodies_[k].extent &&
                       s.position[c] <= domain_upper_[c] + bodies_[k].extent;
            }
            if (!fine) {
                r.fail("body " + std::to_string(k) +
                       " is not one a step could have left: not finite, outside the domain, or "
                       "turned by a quaternion that is not a rotation");
            }
        }
        for (std::size_t k = 0; k < count; ++k) {
            BodyDesc d = bodies_[k].desc;
            d.density = settings[k].density;
            d.mass = settings[k].mass;
            set_mass(bodies_[k], d.body_mass(D));
            bodies_[k].desc.density = d.density;
            bodies_[k].desc.mass = d.mass;
            bodies_[k].desc.fixed = settings[k].fixed;
        }
        state_ = restored;
        start_ = state_;
        update_status();
    }

    std::size_t memory_bytes() const {
        return coupling_.samples.capacity() * sizeof(std::uint32_t) +
               coupling_.force.capacity() * sizeof(Vec<D>) +
               sample_body_.capacity() * sizeof(std::uint32_t) + pushes_.capacity() * sizeof(Push) +
               contacts_.capacity() * sizeof(Contact) +
               (state_.capacity() + start_.capacity()) * sizeof(State);
    }

  private:
    void take_push(const Vec<D>& x, const Push& p, double particle_mass) {
        if (p.body == Solids<D>::kNoBody) return;
        const Body& b = bodies_[p.body];
        if (b.desc.fixed) return;
        State& s = state_[p.body];
        const glm::dvec3 impulse = to_dvec3<D>(p.dv) * -particle_mass;
        const glm::dvec3 r = to_dvec3<D>(x) - s.position;
        const glm::dmat3 rotation = inertia_frame(b, s);
        s.velocity += impulse / b.mass;
        s.angular_velocity +=
            rotation * ((glm::transpose(rotation) * glm::cross(r, impulse)) / b.inertia);
        lock(b, s);
    }
    template <class T>
    static void append(std::string& s, const T& v) {
        s.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    template <class T>
    static T read(const char*& p) {
        T v;
        std::memcpy(&v, p, sizeof v);
        p += sizeof v;
        return v;
    }

    struct Body {
        BodyDesc desc;
        double mass = 1.0;
        glm::dvec3 inertia{1.0};  // principal moments, about the centre
        // The principal axes in the rest frame (columns), where they are not its own axes (a
        // mesh's): the inertia tensor there is principal_axes diag(inertia) principal_axes^T.
        std::optional<glm::dmat3> principal_axes;
        glm::dvec3 centre{0.0};           // of mass, in the rest frame
        std::vector<glm::dvec3> corners;  // a box's, polygon's or mesh's, from the centre, at rest
        double extent = 0.0;              // the farthest point from the centre
        glm::dvec3 moves{1.0}, turns{1.0};  // 1 per free world axis, 0 per locked one
    };

    static constexpr std::uint32_t kStill = 0xFFFFFFFFu;  // a contact's other side: a wall
    // A contact solved this step: body a's point against body b's, or against a wall or a still
    // obstacle.
    struct Contact {
        std::uint32_t a = 0, b = kStill;
        glm::dvec3 ra{0.0}, rb{0.0};  // from each centre of mass to the point
        glm::dvec3 n{0.0};            // out of b (or the still thing) towards a
        double target = 0.0;          // the normal velocity the solve aims at, at least
        double mu = 0.0;              // Coulomb's friction
        double normal = 0.0;          // the accumulated normal impulse (>= 0)
        glm::dvec3 friction{0.0};     // the accumulated tangential impulse
    };

    // The body's principal frame in the world: its rotation now, after its principal axes.
    static glm::dmat3 inertia_frame(const Body& b, const State& s) {
        const glm::dmat3 rotation = glm::mat3_cast(s.orientation);
        return b.principal_axes ? rotation * *b.principal_axes : rotation;
    }

    static void set_mass(Body& b, double mass) {
        b.inertia *= mass / b.mass;
        b.mass = mass;
    }

    // The mouse's spring on a body: k = (2 pi 5 Hz)^2 per unit mass, critically damped.
    void add_drag(const BodyDrag& drag) {
        const Body& b = bodies_[drag.body];
        State& s = state_[drag.body];
        if (b.desc.fixed) return;
        const double omega = 2.0 * portable::kPi * 5.0;
        const glm::dvec3 p = pose_of(b, s).apply(drag.anchor);
        const glm::dvec3 r = p - s.position;
        const glm::dvec3 v = s.velocity + glm::cross(s.angular_velocity, r);
        glm::dvec3 f = b.mass * (omega * omega * (drag.target - p) - 2.0 * omega * v);
        if (D == 2) f.z = 0.0;
        s.force += f;
        s.torque += glm::cross(r, f);
    }

    static Pose pose_of(const Body& b, const State& s) {
        Pose p;
        p.rotation = glm::mat3_cast(s.orientation);
        p.center = b.centre;
        p.offset = s.position - b.centre;
        return p;
    }

    // The move over dt at the state's velocities: q' = q + dt/2 (0, w) q, normalised.
    static void drift(State& s, double dt) {
        s.position += s.velocity * dt;
        const glm::dquat spin(0.0, s.angular_velocity.x, s.angular_velocity.y,
                              s.angular_velocity.z);
        glm::dquat q = s.orientation + (spin * s.orientation) * (0.5 * dt);
        const double norm = std::sqrt(glm::dot(q, q));
        s.orientation = glm::dquat(q.w / norm, q.x / norm, q.y / norm, q.z / norm);
    }

    // The world points where the body meets a wall first: a box's corners, a sphere's points
    // nearest each wall.
    template <class F>
    void for_each_extreme_point(const Body& b, const State& s, F&& f) const {
        if (b.desc.shape.shape != Shape::Sphere) {  // a box's or a polygon's corners
            const glm::dmat3 rotation = glm::mat3_cast(s.orientation);
            for (const glm::dvec3& c : b.corners)
                f(s.position + rotation * c);
            return;
        }
        for (int k = 0; k < D; ++k) {
            for (const double side : {-1.0, 1.0}) {
                glm::dvec3 p = s.position;
                p[k] += side * b.desc.shape.radius;
                f(p);
            }
        }
    }

    // How far any point of the body can move in a step: contacts nearer than that are taken
    // before they touch (speculative contacts).
    static double within_step(const Body& b, const State& s, double dt) {
        return (glm::length(s.velocity) + glm::length(s.angular_velocity) * b.extent) * dt + kSlop;
    }

    // This step's contacts (contacts_): each free body's extreme points within a step's reach of
    // the walls' gap (a spacing short of each wall) and of the still obstacles', and the contact
    // points of each pair of bodies (a box's, polygon's or mesh's corners and a sphere's centre
    // less its radius, against the other's box or sphere) within their reach of the gap between
    // them. Each aims at a normal velocity (of the body against the other thing): touching, none
    // into it (a bounce with restitution when it comes faster than gravity brings a body at
    // rest in two steps); apart and coming slowly, no faster than closes the gap in the step, so
    // that the step ends touching, not inside (a point that went in was projected out, which
    // lifted a resting box: it rocked at 0.9 rad/s). An impact is met when it touches, so that
    // its bounce has the whole speed.
    void find_contacts(double dt, const glm::dvec3& g, const Solids<D>& solids) {
        contacts_.clear();
        const double resting = 2.0 * glm::length(g) * dt;
        auto add = [&](std::uint32_t a, std::uint32_t b, const glm::dvec3& p, const glm::dvec3& n,
                       double depth, double reach) {
            if (depth < -reach || contacts_.size() == contacts_.capacity()) return;
            const Body& body = bodies_[a];
            Contact c;
            c.a = a;
            c.b = b;
            c.ra = p - state_[a].position;
            c.n = n;
            double restitution = body.desc.restitution;
            c.mu = body.desc.friction;
            if (b != kStill) {
                c.rb = p - state_[b].position;
                restitution = std::min(restitution, bodies_[b].desc.restitution);
                c.mu = std::min(c.mu, bodies_[b].desc.friction);
            }
            const double vn = glm::dot(relative_velocity(c), n);
            const double apart = -depth;
            if (apart > kSlop) {
                if (-vn > resting) return;  // an impact: met touching, with its whole speed
                c.target = -apart / dt;
            } else {
                c.target = -vn > resting ? -restitution * vn : 0.0;
            }
            contacts_.push_back(c);
        };
        for (std::size_t k = 0; k < bodies_.size(); ++k) {
            const Body& b = bodies_[k];
            const State& s = state_[k];
            if (b.desc.fixed) continue;
            const auto a = static_cast<std::uint32_t>(k);
            const double reach = within_step(b, s, dt);
            if (domain_walls_) {
                for_each_extreme_point(b, s, [&](const glm::dvec3& p) {
                    for (int axis = 0; axis < D; ++axis) {
                        glm::dvec3 n(0.0);
                        n[axis] = 1.0;
                        add(a, kStill, p, n, domain_lower_[axis] - p[axis], reach);
                        add(a, kStill, p, -n, p[axis] - domain_upper_[axis], reach);
                    }
                });
            }
            for_each_obstacle_contact(b, s, solids, reach,
                                      [&](const glm::dvec3& p, const glm::dvec3& n, double depth) {
                                          add(a, kStill, p, n, depth, reach);
                                      });
        }
        for (std::size_t i = 0; i < bodies_.size(); ++i) {
            for (std::size_t j = 0; j < bodies_.size(); ++j) {
                if (i == j || bodies_[j].desc.shape.shape == Shape::Mesh) continue;
                if (bodies_[i].desc.fixed && bodies_[j].desc.fixed) continue;
                const double reach =
                    within_step(bodies_[i], state_[i], dt) + within_step(bodies_[j], state_[j], dt);
                const double far = bodies_[i].extent + bodies_[j].extent + gap_ + reach;
                if (glm::length(state_[i].position - state_[j].position) > far) continue;
                const double radius = bodies_[i].desc.shape.shape == Shape::Sphere
                                          ? bodies_[i].desc.shape.radius
                                          : 0.0;
                for_each_contact_point(bodies_[i], state_[i], [&](const glm::dvec3& p) {
                    glm::dvec3 n;
                    const double d = distance_to(bodies_[j], state_[j], p, n);
                    add(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j),
                        p - n * radius, n, gap_ + radius - d, reach);
                });
            }
        }
    }

    // The velocity of contact c's point on its body against the other thing's.
    glm::dvec3 relative_velocity(const Contact& c) const {
        const State& a = state_[c.a];
        glm::dvec3 v = a.velocity + glm::cross(a.angular_velocity, c.ra);
        if (c.b != kStill) {
            const State& b = state_[c.b];
            v -= b.velocity + glm::cross(b.angular_velocity, c.rb);
        }
        return v;
    }

    // How much a unit impulse along dir at contact c changes the relative velocity along dir.
    double contact_response(const Contact& c, const glm::dvec3& dir) const {
        double k = response(bodies_[c.a], state_[c.a], c.ra, dir);
        if (c.b != kStill) k += response(bodies_[c.b], state_[c.b], c.rb, dir);
        return k;
    }

    void apply(const Contact& c, const glm::dvec3& impulse) {
        push(bodies_[c.a], state_[c.a], c.ra, impulse);
        if (c.b != kStill) push(bodies_[c.b], state_[c.b], c.rb, -impulse);
    }

    // Sequential impulses (Catto's, as Box2D's): passes over the contacts, each pass the normal
    // impulses then Coulomb's friction, with the impulses accumulated per contact and clamped as
    // totals (the normal one never pulling, the tangential one within mu times the normal one),
    // so that a later pass can take back what an earlier one gave too much (one impulse per
    // contact, unclamped, slid a resting box sideways by what its friction took from a turn that
    // the next corner's impulse then stopped; a ball resting on a sinking box squeezed the water
    // between them until the solve broke down).
    void solve_contacts() {
        for (int pass = 0; pass < kContactPasses; ++pass) {
            for (Contact& c : contacts_) {
                const double effective = contact_response(c, c.n);
                if (effective <= 0.0) continue;  // locked along it
                const double vn = glm::dot(relative_velocity(c), c.n);
                const double total = std::max(c.normal + (c.target - vn) / effective, 0.0);
                apply(c, c.n * (total - c.normal));
                c.normal = total;
            }
            for (Contact& c : contacts_) {
                const glm::dvec3 v = relative_velocity(c);
                const glm::dvec3 vt = v - c.n * glm::dot(v, c.n);
                const double speed = glm::length(vt);
                glm::dvec3 total = c.friction;
                if (speed > 0.0) {
                    const glm::dvec3 t = vt / speed;
                    const double effective = contact_response(c, t);
                    if (effective > 0.0) total -= t * (speed / effective);
                }
                const double limit = c.mu * c.normal, length = glm::length(total);
                if (length > limit) total *= length > 0.0 ? limit / length : 0.0;
                apply(c, total - c.friction);
                c.friction = total;
            }
        }
    }

    // Contacts with the still obstacles, a spacing short of their surface as at the walls: each
    // extreme point of the body (a box's or polygon's corners, a mesh's vertices; a sphere's
    // centre, less its radius, against a box or sphere, and points on its surface against a
    // mesh or polygon, whose distance field is exact only within its band) against each
    // obstacle's solid (a container's from inside), with the obstacle's outward normal there,
    // for the obstacles within `margin` of the gap. f(point, normal, depth), depth > 0 inside
    // the gap.
    template <class F>
    void for_each_obstacle_contact(const Body& b, const State& s, const Solids<D>& solids,
                                   double margin, F&& f) const {
        const bool round = b.desc.shape.shape == Shape::Sphere;
        const glm::dmat3 rotation = glm::mat3_cast(s.orientation);
        for (const typename Solids<D>::Obstacle& o : solids.obstacles()) {
            if (o.moves || o.body >= 0) continue;
            // Far from it: the distance (a lower bound outside a box or beyond a field's band)
            // less the body's reach.
            if (solids.distance(o, to_vec<D>(s.position), nullptr) - b.extent > gap_ + margin)
                continue;
            auto at = [&](const glm::dvec3& p, double radius) {
                Vec<D> normal(0.0f);
                const double d = solids.distance(o, to_vec<D>(p), &normal) - radius;
                const glm::dvec3 n = to_dvec3<D>(normal);
                if (glm::dot(n, n) > 0.0) f(p - n * radius, n, gap_ - d);
            };
            if (round && !o.field) {
                at(s.position, b.desc.shape.radius);
                continue;
            }
            if (round) {
                for (const glm::dvec3& direction : round_directions_)
                    at(s.position + direction * b.desc.shape.radius, 0.0);
                continue;
            }
            for (const glm::dvec3& c : b.corners)
                at(s.position + rotation * c, 0.0);
        }
    }

    // The body moved out of each obstacle's gap along the normal at its deepest point.
    void project_out_of_obstacles(const Body& b, State& s, const Solids<D>& solids) const {
        glm::dvec3 shift(0.0), normal(0.0);
        double deepest = 0.0;
        for_each_obstacle_contact(b, s, solids, 0.0,
                                  [&](const glm::dvec3&, const glm::dvec3& n, double depth) {
                                      if (depth > deepest) {
                                          deepest = depth;
                                          normal = n;
                                      }
                                  });
        shift = normal * deepest;
        s.position += shift * b.moves;
    }

    // Only the ways it may move and turn (the scene's axes; in 2D, the plane and about z).
    static void lock(const Body& b, State& s) {
        s.velocity *= b.moves;
        s.angular_velocity *= b.turns;
    }

    // Bodies that ended a step closer than the gap between them moved apart by the depth, in
    // the ratio of their inverse masses (the contacts between them: find_contacts).
    void separate_bodies() {
        for (std::size_t i = 0; i < bodies_.size(); ++i) {
            for (std::size_t j = 0; j < bodies_.size(); ++j) {
                if (i == j || bodies_[j].desc.shape.shape == Shape::Mesh) continue;
                if (bodies_[i].desc.fixed && bodies_[j].desc.fixed) continue;
                const double reach = bodies_[i].extent + bodies_[j].extent + gap_;
                if (glm::length(state_[i].position - state_[j].position) > reach) continue;
                const double radius = bodies_[i].desc.shape.shape == Shape::Sphere
                                          ? bodies_[i].desc.shape.radius
                                          : 0.0;
                for_each_contact_point(bodies_[i], state_[i], [&](const glm::dvec3& p) {
                    glm::dvec3 n;
                    const double depth = gap_ + radius - distance_to(bodies_[j], state_[j], p, n);
                    if (depth > 0.0) separate(i, j, n, depth);
                });
            }
        }
    }

    // The points of a body that meet others: corners, or a sphere's centre.
    template <class F>
    void for_each_contact_point(const Body& b, const State& s, F&& f) const {
        if (b.desc.shape.shape == Shape::Sphere) {
            f(s.position);
            return;
        }
        const glm::dmat3 rotation = glm::mat3_cast(s.orientation);
        for (const glm::dvec3& c : b.corners)
            f(s.position + rotation * c);
    }

    // The signed distance from p (world) to a box or sphere body, and its outward normal there.
    double distance_to(const Body& b, const State& s, const glm::dvec3& p, glm::dvec3& n) const {
        const Pose pose = pose_of(b, s);
        const glm::dvec3 x = pose.unapply(p);
        const ShapeDesc& shape = b.desc.shape;
        if (shape.shape == Shape::Sphere) {
            const glm::dvec3 d = x - shape.center;
            const double r = glm::length(d);
            n = pose.rotation * (r > 0.0 ? d / r : glm::dvec3(0.0, 1.0, 0.0));
            return r - shape.radius;
        }
        const glm::dvec3 c = 0.5 * (shape.min + shape.max), h = 0.5 * (shape.max - shape.min);
        glm::dvec3 q = x - c, out(0.0);
        int axis = 0;
        double inside = -1.0e300;
        for (int k = 0; k < D; ++k) {
            out[k] = std::max(std::abs(q[k]) - h[k], 0.0) * (q[k] < 0.0 ? -1.0 : 1.0);
            if (std::abs(q[k]) - h[k] > inside) {
                inside = std::abs(q[k]) - h[k];
                axis = k;
            }
        }
        const double outside = glm::length(out);
        if (outside > 0.0) {
            n = pose.rotation * (out / outside);
            return outside;
        }
        glm::dvec3 normal(0.0);
        normal[axis] = q[axis] < 0.0 ? -1.0 : 1.0;
        n = pose.rotation * normal;
        return inside;
    }

    // How much a unit impulse along dir at r changes the body's velocity there along dir.
    static double response(const Body& b, const State& s, const glm::dvec3& r,
                           const glm::dvec3& dir) {
        if (b.desc.fixed) return 0.0;
        const glm::dmat3 rotation = inertia_frame(b, s);
        const glm::dvec3 w =
            (rotation * ((glm::transpose(rotation) * glm::cross(r, dir)) / b.inertia)) * b.turns;
        return glm::dot(dir * b.moves, dir) / b.mass + glm::dot(dir, glm::cross(w, r));
    }

    static void push(const Body& b, State& s, const glm::dvec3& r, const glm::dvec3& impulse) {
        if (b.desc.fixed) return;
        const glm::dmat3 rotation = inertia_frame(b, s);
        s.velocity += impulse / b.mass;
        s.angular_velocity +=
            rotation * ((glm::transpose(rotation) * glm::cross(r, impulse)) / b.inertia);
        lock(b, s);
    }

    void separate(std::size_t i, std::size_t j, const glm::dvec3& n, double depth) {
        const double wi = bodies_[i].desc.fixed ? 0.0 : 1.0 / bodies_[i].mass;
        const double wj = bodies_[j].desc.fixed ? 0.0 : 1.0 / bodies_[j].mass;
        if (wi + wj == 0.0) return;
        state_[i].position += n * (depth * wi / (wi + wj)) * bodies_[i].moves;
        state_[j].position -= n * (depth * wj / (wi + wj)) * bodies_[j].moves;
    }

    // The body moved back out of each wall by its deepest point's depth.
    void project_out_of_walls(const Body& b, State& s) const {
        glm::dvec3 shift(0.0);
        for_each_extreme_point(b, s, [&](const glm::dvec3& p) {
            for (int k = 0; k < D; ++k) {
                shift[k] = std::max(shift[k], domain_lower_[k] - p[k]);
                shift[k] = std::min(shift[k], domain_upper_[k] - p[k]);
            }
        });
        s.position += shift * b.moves;
    }

    void update_status() {
        for (std::size_t k = 0; k < bodies_.size(); ++k) {
            const State& s = state_[k];
            BodyStatus& out = status_[k];
            out.position = s.position;
            out.orientation =
                glm::dvec4(s.orientation.w, s.orientation.x, s.orientation.y, s.orientation.z);
            out.velocity = s.velocity;
            out.angular_velocity = s.angular_velocity;
            out.force = s.force;
            out.torque = s.torque;
            out.mass = bodies_[k].mass;
            out.fixed = bodies_[k].desc.fixed;
        }
    }

    static void put_vector(StateWriter& w, const glm::dvec3& v) {
        for (int k = 0; k < 3; ++k)
            w.put(v[k]);
    }
    static glm::dvec3 get_vector(StateReader& r) {
        glm::dvec3 v;
        for (int k = 0; k < 3; ++k)
            v[k] = r.get<double>();
        return v;
    }

    static constexpr double kSlop = 1.0e-9;  // m: a point this far from a contact touches it
    static constexpr int kContactPasses = 8;
    std::vector<Contact> contacts_;  // sized at set-up

    std::vector<Body> bodies_;
    std::vector<glm::dvec3> round_directions_;  // unit, to a sphere's points that meet meshes
    std::vector<State> state_, start_;          // now, and as the step started
    std::vector<RigidMotion> motions_;
    std::vector<BodyStatus> status_;
    BodyCoupling<D> coupling_;
    std::vector<std::uint32_t> sample_body_;  // per entry of coupling_.samples: its body
    glm::dvec3 domain_lower_{0.0}, domain_upper_{0.0};
    bool domain_walls_ = true;
    std::optional<BodyDrag> drag_;
    double gap_ = 0.0;          // how far short of touching bodies meet: a particle spacing
    std::vector<Push> pushes_;  // per fluid particle, the step's put-back at a body
    std::string push_bytes_;    // split between ranks: this rank's pushes, packed
};

}  // namespace flume
