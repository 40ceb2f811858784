#include "gpu_timer.hpp"

#ifdef __EMSCRIPTEN__
#include <emscripten/html5.h>
#endif

namespace flume {

namespace {

constexpr GLenum kTimeElapsed = 0x88BF;  // GL_TIME_ELAPSED(_EXT): not in the ES 3.0 header

}  // namespace

void GpuTimer::init() {
#ifdef __EMSCRIPTEN__
    available_ = emscripten_webgl_enable_extension(emscripten_webgl_get_current_context(),
                                                   "EXT_disjoint_timer_query_webgl2");
#else
    available_ = true;  // core since OpenGL 3.3
#endif
    if (!available_) return;
    for (Slot& slot : slots_)
        glGenQueries(kMaxPasses, slot.queries.data());
}

void GpuTimer::destroy() {
    if (available_) {
        for (Slot& slot : slots_)
            glDeleteQueries(kMaxPasses, slot.queries.data());
    }
    slots_ = {};
    pass_count_ = 0;
}

void GpuTimer::begin_frame() {
    if (!available_) return;
    Slot& previous = slots_[static_cast<std::size_t>(frame_ % kFramesInFlight)];
    previous.pending = previous.used > 0;
    ++frame_;
    Slot& slot = slots_[static_cast<std::size_t>(frame_ % kFramesInFlight)];
    if (slot.pending) {
        GLuint ready = 0;
        glGetQueryObjectuiv(slot.queries[static_cast<std::size_t>(slot.used - 1)],
                            GL_QUERY_RESULT_AVAILABLE, &ready);
        if (!ready) {
            skipping_ = true;  // still in flight: this frame goes untimed
            return;
        }
        pass_count_ = static_cast<std::size_t>(slot.used);
        for (std::size_t i = 0; i < pass_count_; ++i) {
            GLuint nanoseconds = 0;
            glGetQueryObjectuiv(slot.queries[i], GL_QUERY_RESULT, &nanoseconds);
            const double ms = static_cast<double>(nanoseconds) * 1.0e-6;
            Pass& pass = passes_[i];
            pass.milliseconds =
                pass.name == slot.names[i] ? 0.9 * pass.milliseconds + 0.1 * ms : ms;
            pass.name = slot.names[i];
        }
    }
    skipping_ = false;
    slot.used = 0;
    slot.pending = false;
}

void GpuTimer::begin(std::string_view pass) {
    if (!available_ || skipping_) return;
    Slot& slot = slots_[static_cast<std::size_t>(frame_ % kFramesInFlight)];
    if (slot.used == kMaxPasses) return;
    glBeginQuery(kTimeElapsed, slot.queries[static_cast<std::size_t>(slot.used)]);
    slot.names[static_cast<std::size_t>(slot.used)] = pass;
    open_ = true;
}

void GpuTimer::end() {
    if (!open_) return;
    glEndQuery(kTimeElapsed);
    ++slots_[static_cast<std::size_t>(frame_ % kFramesInFlight)].used;
    open_ = false;
}

}  // namespace flume
