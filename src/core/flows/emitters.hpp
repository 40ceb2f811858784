// Emitters (inflow): a room of the simulation. Each emitter's geometry is fixed at load; its
// progress (how far its fluid has travelled, the layers made, its pose) is what a step changes,
// what a retried step puts back and what a saved state holds (Emitters::State).
//
// Each emitter's particles cross its inflow zone (the patch swept kZoneLayers spacings ahead) at
// exactly its velocity, whatever the solver does to them: a piston of fluid that pushes what lies
// ahead, so that each new layer lands 2r behind the last, never on fluid. Past the zone they are
// free fluid. The per-particle flag `FluidParticles::inflow` (k + 1 for emitter k, 0 for free
// fluid) says which particles the zone carries.
//
//   Emitters<D> emitters;
//   emitters.set_up(scene.emitters, spacing);       // at load
//   emitters.reserve(fluid.capacity);
//   emitters.emit(flow, t, dt);                      // the step's "inflow" stage
//   emitters.note_carried(fluid);                    // after the sort
//   emitters.carry(flow, dt);                        // in the bookkeeping, after the solver
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/flows/geometry.hpp"
#include "core/math/vec.hpp"
#include "core/motion.hpp"
#include "core/parameters.hpp"
#include "core/simulation.hpp"
#include "core/sph/context.hpp"
#include "core/sph/particles.hpp"
#include "core/state/state_file.hpp"
#include "core/worker_pool.hpp"

namespace flume {

template <int D>
class Emitters {
  public:
    static constexpr double kZoneLayers = 2.0;  // a kernel support

    // The ids are 32 bits: an emitter running for weeks would reach the last one.
    static constexpr std::size_t kLastId = 0xFFFFFFF0u;

    // One emitter's progress.
    struct Progress {
        Pose now, next;          // a moving one's pose at the step's start and end
        double base = 0.0;       // distance travelled at time_base
        double time_base = 0.0;  // when the velocity last changed or the emitter (re)started
        bool running = false;    // emitted in the last step
        std::uint64_t layers = 0;
    };

    // What a step changes: every emitter's progress and status.
    struct State {
        std::vector<Progress> progress;
        std::vector<EmitterStatus> status;
    };

    // What the emitters act on in a step: the scene's emitters as they are now (the apps change
    // velocities and switches live), the fluid, the statistics and the log.
    struct Flow {
        std::span<const EmitterDesc> descs;
        FluidParticles<D>& fluid;
        StepStats& stats;
        WorkerPool& pool;
        const LogCallback& log;
        // Split between ranks (core/decomposition/): the particles the other ranks hold, which
        // count against the capacity.
        std::size_t elsewhere = 0;
    };

    void set_up(std::span<const EmitterDesc> descs, double spacing) {
        spacing_ = spacing;
        for (const EmitterDesc& desc : descs) {
            Emitter e;
            for (const glm::dvec3& p : emitter_layer(desc, D, spacing))
                e.layer.push_back(to_vec<D>(p));
            const EmitterFrame frame = emitter_frame(desc, D);
            e.center = desc.center;
            e.moves = desc.motion.moves();
            e.direction = frame.direction;
            e.across = frame.across;
            e.up = frame.up;
            emitters_.push_back(std::move(e));
            Progress progress;
            if (emitters_.back().moves) progress.now = desc.motion.at(0.0);
            state_.progress.push_back(progress);
            EmitterStatus status;
            status.per_layer = emitters_.back().layer.size();
            state_.status.push_back(status);
        }
    }

    bool empty() const { return emitters_.empty(); }
    const std::vector<EmitterStatus>& status() const { return state_.status; }

    const State& state() const { return state_; }
    // Puts back a state of these emitters (same count: the copies allocate nothing).
    void set_state(const State& state) {
        state_.progress = state.progress;
        state_.status = state.status;
    }

    // Their state, in a saved state.
    void save(StateWriter& w) const {
        w.put<std::uint64_t>(emitters_.size());
        for (std::size_t k = 0; k < emitters_.size(); ++k) {
            const Progress& p = state_.progress[k];
            save_pose(w, p.now);
            save_pose(w, p.next);
            w.put(p.base);
            w.put(p.time_base);
            w.put(p.running);
            w.put(p.layers);
            const EmitterStatus& s = state_.status[k];
            w.put<std::uint64_t>(s.per_layer);
            w.put(s.emitted);
            w.put(s.velocity);
            w.put(s.enabled);
            w.put(s.emitting);
        }
    }
    void restore(StateReader& r) {
        const auto n = r.get<std::uint64_t>();
        if (n != emitters_.size()) {
            r.fail("saved with " + std::to_string(n) + " emitters, the scene has " +
                   std::to_string(emitters_.size()));
        }
        for (std::size_t k = 0; k < emitters_.size(); ++k) {
            Progress& p = state_.progress[k];
            restore_pose(r, p.now);
            restore_pose(r, p.next);
            p.base = r.get<double>();
            p.time_base = r.get<double>();
            p.running = r.get<bool>();
            p.layers = r.get<std::uint64_t>();
            if (!std::isfinite(p.base) || !std::isfinite(p.time_base) || !finite(p.now) ||
                !finite(p.next) || p.layers > (std::uint64_t{1} << 53))
                r.fail("emitter " + std::to_string(k) + "'s progress is not a number");
            EmitterStatus& s = state_.status[k];
            if (r.get<std::uint64_t>() != s.per_layer)
                r.fail("emitter " + std::to_string(k) + " has another layer than the scene's");
            s.emitted = r.get<std::uint64_t>();
            s.velocity = r.get<double>();
            s.enabled = r.get<bool>();
            s.emitting = r.get<bool>();
        }
    }

    // The particles the emitters make by their end (infinite for one that never ends).
    double output(std::span<const EmitterDesc> descs) const {
        double extra = 0.0;
        for (std::size_t k = 0; k < emitters_.size(); ++k)
            extra += emitter_output(descs[k], emitters_[k].layer.size(), spacing_);
        return extra;
    }

    // Sizes the per-step lists of carried particles for the fluid's capacity, once.
    void reserve(std::size_t capacity) {
        carried_.reserve(capacity);
        carried_start_.reserve(capacity);
    }

    // Before a velocity changes at time t: the distance so far becomes the new base.
    void rebase(std::span<const EmitterDesc> descs, double t) {
        for (std::size_t k = 0; k < emitters_.size(); ++k) {
            Progress& p = state_.progress[k];
            if (!p.running) continue;
            p.base = travelled(p, descs[k], t);
            p.time_base = t;
        }
    }

    // The layers each emitter owes at time t, at their places along its path; the zone of an
    // emitter that stopped is let go.
    void emit(const Flow& f, double t, float dt) {
        for (std::size_t k = 0; k < emitters_.size(); ++k) {
            const Emitter& e = emitters_[k];
            Progress& p = state_.progress[k];
            const EmitterDesc& desc = f.descs[k];
            if (e.moves) {
                p.now = desc.motion.at(t);
                p.next = desc.motion.at(t + dt);
            }
            if (!emitting(desc, f.stats, t)) {
                if (p.running) release_zone(f.fluid, k);
                p.running = false;
                continue;
            }
            if (!p.running) {
                // From the start time the first time (so that the count is exact); a restart
                // owes the next layer now.
                p.time_base = p.layers == 0 ? desc.start : t;
                p.base = static_cast<double>(p.layers) * spacing_;
                p.running = true;
            }
            const double distance = travelled(p, desc, t);
            const std::uint64_t due = layers_due(distance);
            while (p.layers < due) {
                if (f.fluid.size() + f.elsewhere + e.layer.size() > f.fluid.capacity ||
                    f.fluid.next_id > kLastId - e.layer.size()) {
                    stop_at_capacity(f, t);
                    break;
                }
                place_layer(f, k, distance - static_cast<double>(p.layers) * spacing_, dt);
                ++p.layers;
            }
        }
        update_status(f.descs, f.stats);
    }

    // Whether x lies in an emitter's inflow zone, which the fluid blocks leave empty.
    bool in_inflow_zone(std::span<const EmitterDesc> descs, const Vec<D>& x) const {
        for (std::size_t k = 0; k < emitters_.size(); ++k) {
            const ZonePlace place =
                zone_place(descs[k], k, x, emitters_[k].moves ? &state_.progress[k].now : nullptr);
            if (place.across && place.along >= -0.5 * spacing_ &&
                place.along < kZoneLayers * spacing_)
                return true;
        }
        return false;
    }

    // The slots and positions of the particles in an inflow zone, after this step's sort: of
    // the slots [begin, end) (split between ranks, the owned ones), numbered from `begin`.
    void note_carried(const FluidParticles<D>& fluid, std::size_t begin, std::size_t end) {
        carried_.clear();
        carried_start_.clear();
        for (std::size_t i = begin; i < end; ++i) {
            if (fluid.inflow[i] == 0) continue;
            carried_.push_back(static_cast<std::uint32_t>(i - begin));
            carried_start_.push_back(fluid.position[i]);
        }
    }

    // The particles in an inflow zone move at their emitter's velocity over the step; those
    // that reach its end are free. A moving emitter carries them in its frame, from its pose at
    // the step's start to the one at its end.
    void carry(const Flow& f, float dt) {
        FluidParticles<D>& fluid = f.fluid;
        for (std::size_t c = 0; c < carried_.size(); ++c) {
            const std::uint32_t i = carried_[c];
            const std::size_t k = fluid.inflow[i] - 1u;
            const Emitter& e = emitters_[k];
            const Progress& p = state_.progress[k];
            const Vec<D> velocity = to_vec<D>(f.descs[k].velocity * e.direction);
            if (!e.moves) {
                fluid.position[i] = carried_start_[c] + velocity * dt;
                fluid.velocity[i] = velocity;
            } else {
                const glm::dvec3 start = to_dvec3<D>(carried_start_[c]);
                const glm::dvec3 rest =
                    p.now.unapply(start) + to_dvec3<D>(velocity) * static_cast<double>(dt);
                const glm::dvec3 end = p.next.apply(rest);
                fluid.position[i] = to_vec<D>(end);
                fluid.velocity[i] = to_vec<D>((end - start) / static_cast<double>(dt));
            }
            const ZonePlace place =
                zone_place(f.descs[k], k, fluid.position[i], e.moves ? &p.next : nullptr);
            if (place.along >= kZoneLayers * spacing_) fluid.inflow[i] = 0;
        }
    }

    void update_status(std::span<const EmitterDesc> descs, const StepStats& stats) {
        for (std::size_t k = 0; k < emitters_.size(); ++k) {
            const EmitterDesc& desc = descs[k];
            EmitterStatus& status = state_.status[k];
            status.velocity = desc.velocity;
            status.enabled = desc.enabled;
            status.emitting = state_.progress[k].running && emitting(desc, stats, stats.time);
        }
    }

    // The fastest an emitter now moves its fluid (its patch's own path included), for the
    // time step.
    double speed(std::span<const EmitterDesc> descs) const {
        double v = 0.0;
        for (const EmitterDesc& desc : descs) {
            if (!desc.enabled) continue;
            const glm::dvec3 reach = emitter_reach(desc, D) + glm::dvec3(kZoneLayers * spacing_);
            v = std::max(
                v, desc.velocity + desc.motion.max_speed(desc.center - reach, desc.center + reach));
        }
        return v;
    }

  private:
    static void save_pose(StateWriter& w, const Pose& p) {
        for (int c = 0; c < 3; ++c) {
            for (int k = 0; k < 3; ++k)
                w.put(p.rotation[c][k]);
        }
        for (int k = 0; k < 3; ++k)
            w.put(p.center[k]);
        for (int k = 0; k < 3; ++k)
            w.put(p.offset[k]);
    }
    static bool finite(const Pose& p) {
        bool fine = true;
        for (int c = 0; c < 3; ++c) {
            fine = fine && std::isfinite(p.center[c]) && std::isfinite(p.offset[c]);
            for (int k = 0; k < 3; ++k)
                fine = fine && std::isfinite(p.rotation[c][k]);
        }
        return fine;
    }
    static void restore_pose(StateReader& r, Pose& p) {
        for (int c = 0; c < 3; ++c) {
            for (int k = 0; k < 3; ++k)
                p.rotation[c][k] = r.get<double>();
        }
        for (int k = 0; k < 3; ++k)
            p.center[k] = r.get<double>();
        for (int k = 0; k < 3; ++k)
            p.offset[k] = r.get<double>();
    }

    // An emitter's geometry, fixed at load (in its rest frame when it moves).
    struct Emitter {
        std::vector<Vec<D>> layer;  // a layer's points around the centre
        glm::dvec3 center{0.0}, direction{0.0}, across{0.0}, up{0.0};
        bool moves = false;  // on a prescribed path (its scene's motion)
    };

    static double travelled(const Progress& p, const EmitterDesc& desc, double t) {
        return p.base + desc.velocity * (t - p.time_base);
    }

    // The layers made once the fluid has travelled `distance`: one at the start, one more each
    // spacing. Bounded so that a restored progress far out of range still converts (the capacity
    // check then stops the emitter).
    std::uint64_t layers_due(double distance) const {
        const double due = std::floor(distance / spacing_) + 1.0;
        if (!(due > 0.0)) return 0;
        return static_cast<std::uint64_t>(std::min(due, 0x1p53));
    }

    static bool emitting(const EmitterDesc& desc, const StepStats& stats, double t) {
        return desc.enabled && t >= desc.start && t < desc.end && !stats.capacity_reached;
    }

    // A layer of emitter k, `ahead` along its direction; free fluid in its way is pushed ahead.
    // A moving emitter's layer is placed where its pose puts it, with the patch's own velocity
    // added.
    void place_layer(const Flow& f, std::size_t k, double ahead, float dt) {
        const Emitter& e = emitters_[k];
        const Progress& p = state_.progress[k];
        const EmitterDesc& desc = f.descs[k];
        clear_way(f, k, ahead);
        const Vec<D> velocity = to_vec<D>(desc.velocity * e.direction);
        if (!e.moves) {
            const Vec<D> origin = to_vec<D>(e.center + ahead * e.direction);
            for (const Vec<D>& offset : e.layer)
                f.fluid.push_back(origin + offset, velocity, static_cast<std::uint8_t>(k + 1));
        } else {
            for (const Vec<D>& offset : e.layer) {
                const glm::dvec3 rest = e.center + ahead * e.direction + to_dvec3<D>(offset);
                const glm::dvec3 x = p.now.apply(rest);
                const glm::dvec3 patch = (p.next.apply(rest) - x) / static_cast<double>(dt);
                f.fluid.push_back(
                    to_vec<D>(x),
                    to_vec<D>(p.now.apply_to_direction(to_dvec3<D>(velocity)) + patch),
                    static_cast<std::uint8_t>(k + 1));
            }
        }
        state_.status[k].emitted += e.layer.size();
        f.stats.emitted_particles += e.layer.size();
    }

    // Where x lies in emitter k's frame: along its direction from the patch, and whether it is
    // across the patch (within r of its edge).
    struct ZonePlace {
        double along = 0.0;
        bool across = false;
    };
    ZonePlace zone_place(const EmitterDesc& desc, std::size_t k, const Vec<D>& x,
                         const Pose* pose) const {
        const Emitter& e = emitters_[k];
        const glm::dvec3 d = (pose ? pose->unapply(to_dvec3<D>(x)) : to_dvec3<D>(x)) - e.center;
        const double r = 0.5 * spacing_;
        const double a = glm::dot(d, e.across), b = glm::dot(d, e.up);
        ZonePlace place;
        place.along = glm::dot(d, e.direction);
        if (desc.shape == EmitterShape::Disc) {
            place.across = a * a + b * b < (desc.radius + r) * (desc.radius + r);
        } else {
            place.across = std::abs(a) < 0.5 * desc.width + r &&
                           (D == 2 || std::abs(b) < 0.5 * desc.height + r);
        }
        return place;
    }

    // Free particles where a new layer lands move a spacing ahead of it, at least as fast as the
    // inflow: across the patch, from r behind the emitter's plane (not only from r behind the
    // layer: water that flowed in under the zone's layers, at a submerged emitter, would
    // otherwise follow the new layer up within r of it) to a spacing ahead of the layer.
    void clear_way(const Flow& f, std::size_t k, double ahead) {
        const Emitter& e = emitters_[k];
        const Progress& p = state_.progress[k];
        const EmitterDesc& desc = f.descs[k];
        FluidParticles<D>& fluid = f.fluid;
        const double r = 0.5 * spacing_;
        f.pool.parallel_for(0, fluid.size(), kParticleGrain, [&](const WorkerPool::Range& rg, int) {
            for (std::size_t i = rg.begin; i < rg.end; ++i) {
                if (fluid.inflow[i] != 0) continue;
                const ZonePlace place =
                    zone_place(desc, k, fluid.position[i], e.moves ? &p.now : nullptr);
                if (!place.across || place.along < -r || place.along >= ahead + spacing_) continue;
                const glm::dvec3 direction =
                    e.moves ? p.now.apply_to_direction(e.direction) : e.direction;
                const double push = ahead + spacing_ - place.along;
                fluid.position[i] += to_vec<D>(push * direction);
                const float vn = dot<D>(fluid.velocity[i], to_vec<D>(direction));
                const float v = static_cast<float>(desc.velocity);
                if (vn < v) fluid.velocity[i] += to_vec<D>(direction) * (v - vn);
            }
        });
    }

    static void release_zone(FluidParticles<D>& fluid, std::size_t k) {
        const auto flag = static_cast<std::uint8_t>(k + 1);
        for (std::uint8_t& f : fluid.inflow)
            f = f == flag ? 0 : f;
    }

    static void stop_at_capacity(const Flow& f, double t) {
        f.stats.capacity_reached = true;
        if (!f.log) return;
        if (f.fluid.next_id + std::size_t{1000000} > kLastId) {
            f.log("t = " + format_number(t) + " s: the emitters stopped: " +
                  std::to_string(f.fluid.next_id) + " particles made, the most 32-bit ids allow");
            return;
        }
        f.log("t = " + format_number(t) + " s: the emitters stopped: the fluid holds " +
              std::to_string(f.fluid.size()) + " particles, and max_particles is " +
              std::to_string(f.fluid.capacity));
    }

    double spacing_ = 0.0;
    std::vector<Emitter> emitters_;
    State state_;
    std::vector<std::uint32_t> carried_;  // slots of the particles in an inflow zone this step
    std::vector<Vec<D>> carried_start_;   // and their positions at its start
};

}  // namespace flume
