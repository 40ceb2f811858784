// The state at the start of a step, kept so that a step whose iterative solve stopped at its pass
// cap short of its tolerance can be taken again from where it began, at half the time step
// (SphSimulation::step in simulation.cpp).
//
// It holds what a step changes before its bookkeeping: the fluid's arrays (the acceleration is
// scratch of the step and left out; the warm starts are kept), the statistics,
// and the emitters' state (their room's State). Each copy is reserved at load for the fluid's
// capacity, so saving and restoring allocate nothing; a restored state steps on to the same bits as
// the saved one did, so a retry keeps results the same for any thread count.
#pragma once

#include <utility>
#include <vector>

#include "core/simulation.hpp"
#include "core/sph/particles.hpp"

namespace flume {

template <int D, class Emitters>
class StepStart {
  public:
    // Sizes every copy for `fluid`'s capacity and the emitters as they are (call once at load).
    void reserve(const FluidParticles<D>& fluid, const Emitters& emitters) {
        fluid_.capacity = fluid.capacity;
        fluid_.tracks_inflow = fluid.tracks_inflow;
        fluid_.reserve(fluid.capacity);
        emitters_ = emitters.state();
    }

    void save(const FluidParticles<D>& fluid, const StepStats& stats, const Emitters& emitters,
              WorkerPool& pool) {
        copy(fluid, fluid_, pool);
        stats_ = stats;
        emitters_ = emitters.state();
    }

    void restore(FluidParticles<D>& fluid, StepStats& stats, Emitters& emitters,
                 WorkerPool& pool) const {
        copy(fluid_, fluid, pool);
        fluid.acceleration.resize(fluid.size());
        stats = stats_;
        emitters.set_state(emitters_);
    }

    std::size_t memory_bytes() const { return fluid_.memory_bytes(); }

    // True the first time it is called: the first retry is logged, the others only counted.
    bool first_retry() { return !std::exchange(retried_, true); }

  private:
    static void copy(const FluidParticles<D>& from, FluidParticles<D>& to, WorkerPool& pool) {
        flume::copy(from.position, to.position, pool);
        flume::copy(from.velocity, to.velocity, pool);
        flume::copy(from.density, to.density, pool);
        flume::copy(from.pressure, to.pressure, pool);
        flume::copy(from.id, to.id, pool);
        const auto from_warm = from.warm.all();
        const auto to_warm = to.warm.all();
        for (std::size_t k = 0; k < from_warm.size(); ++k)
            flume::copy(*from_warm[k], *to_warm[k], pool);
        if (from.tracks_inflow) flume::copy(from.inflow, to.inflow, pool);
        to.next_id = from.next_id;
    }

    FluidParticles<D> fluid_;
    StepStats stats_;
    typename Emitters::State emitters_;
    bool retried_ = false;
};

}  // namespace flume
