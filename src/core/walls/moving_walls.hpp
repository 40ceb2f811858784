// Moving walls: a room of the simulation. The samples of obstacles on a prescribed path
// (core/motion.hpp) and of rigid bodies (core/bodies/) keep their place in their owner's rest
// frame and are carried to each step's pose, with their velocity over the step and their
// acceleration; then the boundary is sorted into cell order again, every per-sample array with
// it. Their order, rest positions and owners are state: a saved state holds them (the WALL
// section, docs/state-file.md). Owners are numbered as movers: the scene's obstacles first, then
// its bodies (first_body() + k).
//
//   MovingWalls<D> walls;
//   walls.set_up(scene.obstacles, bodies);          // which move, and how fast at most
//   walls.start(owners, boundary, parts, ...);      // once the samples are in cell order
//   walls.move(scene.obstacles, motions, ...);      // the step's "grid" stage
//   walls.after(o).unapply(x);                      // mover o's pose at the step's end
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/math/vec.hpp"
#include "core/motion.hpp"
#include "core/neighbours/grid.hpp"
#include "core/scene.hpp"
#include "core/sph/context.hpp"
#include "core/sph/particles.hpp"
#include "core/state/state_file.hpp"
#include "core/worker_pool.hpp"

namespace flume {

template <int D>
class MovingWalls {
  public:
    static constexpr std::uint32_t kStill = 0xFFFFFFFFu;  // a still wall's sample

    // Which obstacles move, the fastest any point of them moves (for the time step), and how
    // many bodies there are (their samples always move).
    void set_up(std::span<const ShapeDesc> obstacles, std::size_t bodies) {
        for (const ShapeDesc& shape : obstacles) {
            if (!shape.motion.moves()) continue;
            any_ = true;
            speed_ = std::max(speed_, shape.motion.max_speed(shape.lower(), shape.upper()));
        }
        any_ = any_ || bodies > 0;
        first_body_ = static_cast<std::uint32_t>(obstacles.size());
        movers_ = first_body_ + static_cast<std::uint32_t>(bodies);
        before_.resize(movers_);
        now_.resize(movers_);
        after_.resize(movers_);
    }

    bool any() const { return any_; }
    double speed() const { return speed_; }  // of the obstacles (a body's is its own)
    std::uint32_t first_body() const { return first_body_; }
    const Pose& now(std::size_t mover) const { return now_[mover]; }
    const Pose& after(std::size_t mover) const { return after_[mover]; }
    // A body's pose at the step's end, once it has moved (the put-back reads it).
    void set_after(std::size_t mover, const Pose& pose) { after_[mover] = pose; }
    // Each sample's owner, in the boundary's order: a mover, or kStill.
    std::span<const std::uint32_t> owners() const { return owner_; }

    // Takes each sample's owner (its moving obstacle, or kStill) in the boundary's order, sizes
    // the arrays the step reorders, and carries the samples to their pose at t = 0.
    void start(std::vector<std::uint32_t> owners, std::span<const ShapeDesc> obstacles,
               std::span<const RigidMotion> bodies, BoundaryParticles<D>& boundary,
               std::vector<std::uint32_t>& parts, NeighbourGrid<D>& grid, WorkerPool& pool,
               float dt) {
        const std::size_t n = boundary.size();
        samples_ = n;
        parted_ = !parts.empty();
        owner_ = std::move(owners);
        rest_ = boundary.position;
        boundary.velocity.assign(n, Vec<D>(0.0f));
        boundary.acceleration.assign(n, Vec<D>(0.0f));
        sort_work_.assign(2 * n, 0);
        vec_scratch_.resize(n);
        float_scratch_.resize(n);
        owner_scratch_.resize(n);
        move(obstacles, bodies, boundary, parts, grid, pool, 0.0, dt);
    }

    // The poses of the moving obstacles at t - dt, t and t + dt, then each of their samples at t
    // with its velocity over the step and its acceleration (central differences of the path);
    // the bodies' samples at their pose now, with the body's velocity and acceleration there;
    // then the boundary is sorted into cell order again, `parts` (probes) with it.
    void move(std::span<const ShapeDesc> obstacles, std::span<const RigidMotion> bodies,
              BoundaryParticles<D>& boundary, std::vector<std::uint32_t>& parts,
              NeighbourGrid<D>& grid, WorkerPool& pool, double t, float dt) {
        for (std::size_t o = 0; o < obstacles.size(); ++o) {
            const Motion& m = obstacles[o].motion;
            if (!m.moves()) continue;
            before_[o] = m.at(std::max(t - dt, 0.0));
            now_[o] = m.at(t);
            after_[o] = m.at(t + dt);
        }
        for (std::size_t k = 0; k < bodies.size(); ++k) {
            now_[first_body_ + k] = bodies[k].now;
            after_[first_body_ + k] = bodies[k].next;
        }
        const double h = dt;
        pool.parallel_for(
            0, boundary.size(), kParticleGrain, [&](const WorkerPool::Range& rg, int) {
                for (std::size_t b = rg.begin; b < rg.end; ++b) {
                    const std::uint32_t o = owner_[b];
                    if (o == kStill) continue;
                    const glm::dvec3 x0 = to_dvec3<D>(rest_[b]);
                    if (o >= first_body_) {
                        const RigidMotion& body = bodies[o - first_body_];
                        const glm::dvec3 x = body.now.apply(x0);
                        boundary.position[b] = to_vec<D>(x);
                        boundary.velocity[b] = to_vec<D>(body.velocity_at(x));
                        boundary.acceleration[b] = to_vec<D>(body.acceleration_at(x));
                        continue;
                    }
                    const glm::dvec3 now = now_[o].apply(x0);
                    const glm::dvec3 after = after_[o].apply(x0);
                    const glm::dvec3 before = before_[o].apply(x0);
                    boundary.position[b] = to_vec<D>(now);
                    boundary.velocity[b] = to_vec<D>((after - now) / h);
                    boundary.acceleration[b] = to_vec<D>((after - 2.0 * now + before) / (h * h));
                }
            });
        grid.sort(boundary.position, pool, sort_work_);
        const std::span<const std::uint32_t> order = grid.order();
        gather(boundary.position, order, vec_scratch_, pool);
        gather(boundary.velocity, order, vec_scratch_, pool);
        gather(boundary.acceleration, order, vec_scratch_, pool);
        gather(rest_, order, vec_scratch_, pool);
        gather(boundary.volume, order, float_scratch_, pool);
        gather(owner_, order, owner_scratch_, pool);
        if (!parts.empty()) gather(parts, order, owner_scratch_, pool);
    }

    // The walls in a saved state: whether any moves, and then every sample in its order.
    void save(StateWriter& w, const BoundaryParticles<D>& boundary,
              const std::vector<std::uint32_t>& parts) const {
        w.put(any_);
        if (!any_) return;
        w.put(boundary.position);
        w.put(boundary.volume);
        w.put(boundary.velocity);
        w.put(boundary.acceleration);
        w.put(rest_);
        w.put(owner_);
        w.put(parts);
    }

    // Puts them back, checking that they are this scene's samples (a part is an obstacle, a body
    // or `wall_part`), and sets the grid's cells. The counts checked are the scene's, not the
    // arrays' now: a refused state may have left them at its own sizes, and the state before must
    // still fit when it is put back.
    void restore(StateReader& r, BoundaryParticles<D>& boundary, std::vector<std::uint32_t>& parts,
                 std::span<const ShapeDesc> obstacles, std::uint32_t wall_part,
                 NeighbourGrid<D>& grid, WorkerPool& pool) {
        if (r.get<bool>() != any_) r.fail("moving walls where the scene has none, or none");
        if (!any_) return;
        const std::size_t n = samples_;
        auto check = [&](std::size_t size, const char* what) {
            if (size != n) r.fail(std::string("the moving walls' ") + what + " do not fit");
        };
        r.get(boundary.position);
        check(boundary.position.size(), "positions");
        r.get(boundary.volume);
        check(boundary.volume.size(), "volumes");
        r.get(boundary.velocity);
        check(boundary.velocity.size(), "velocities");
        r.get(boundary.acceleration);
        check(boundary.acceleration.size(), "accelerations");
        r.get(rest_);
        check(rest_.size(), "rest positions");
        r.get(owner_);
        check(owner_.size(), "owners");
        const bool has_parts = parted_;
        r.get(parts);
        if (parts.size() != (has_parts ? n : 0)) r.fail("the moving walls' parts do not fit");
        const auto count = static_cast<std::uint32_t>(obstacles.size());
        for (std::size_t b = 0; b < n; ++b) {
            const std::uint32_t owner = owner_[b];
            bool fine = std::isfinite(boundary.volume[b]) && boundary.volume[b] > 0.0f &&
                        (owner == kStill || (owner < count && obstacles[owner].motion.moves()) ||
                         (owner >= first_body_ && owner < movers_));
            if (has_parts) fine = fine && (parts[b] < movers_ || parts[b] == wall_part);
            for (int k = 0; k < D; ++k) {
                fine = fine && std::isfinite(boundary.position[b][k]) &&
                       std::isfinite(boundary.velocity[b][k]) &&
                       std::isfinite(boundary.acceleration[b][k]) && std::isfinite(rest_[b][k]);
            }
            if (!fine)
                r.fail("moving wall sample " + std::to_string(b) + " is not one of this scene");
        }
        // Saved in cell order: the sort is the identity, and sets the grid's cells.
        grid.sort(boundary.position, pool, sort_work_);
    }

    std::size_t memory_bytes() const {
        return (rest_.capacity() + vec_scratch_.capacity()) * sizeof(Vec<D>) +
               (owner_.capacity() + owner_scratch_.capacity() + sort_work_.capacity()) *
                   sizeof(std::uint32_t) +
               float_scratch_.capacity() * sizeof(float);
    }

  private:
    bool any_ = false;
    double speed_ = 0.0;  // bound on any moving obstacle's speed
    std::uint32_t first_body_ = 0, movers_ = 0;
    std::size_t samples_ = 0;                 // the scene's boundary samples
    bool parted_ = false;                     // whether the boundary has parts (probes)
    std::vector<Pose> before_, now_, after_;  // per mover, this step
    std::vector<Vec<D>> rest_;                // per sample, in its owner's rest frame
    std::vector<std::uint32_t> owner_;        // per sample: its mover, or kStill
    // The step's sort and gathers, sized once.
    std::vector<std::uint32_t> sort_work_, owner_scratch_;
    std::vector<Vec<D>> vec_scratch_;
    std::vector<float> float_scratch_;
};

}  // namespace flume
