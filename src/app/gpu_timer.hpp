// Per-pass GPU timings for the Statistics panel: GL_TIME_ELAPSED queries (OpenGL 3.3 core;
// EXT_disjoint_timer_query_webgl2 in the browser, where the browser offers it). Results are read
// a few frames late, never waited for. Without timer queries, available() is false and the
// panel shows the CPU's frame time instead.
//
//   timer.begin_frame();  timer.begin("depth"); ...draw...; timer.end();  ...
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "app/gl.hpp"

namespace flume {

class GpuTimer {
  public:
    static constexpr int kMaxPasses = 8;
    struct Pass {
        std::string_view name;
        double milliseconds = 0.0;  // smoothed over frames
    };

    void init();  // checks for timer queries
    void destroy();
    bool available() const { return available_; }

    void begin_frame();  // collects the results that have arrived
    void begin(std::string_view pass);
    void end();

    // The passes timed in the newest frame with results, in order.
    std::span<const Pass> passes() const { return {passes_.data(), pass_count_}; }

  private:
    static constexpr int kFramesInFlight = 4;
    struct Slot {
        std::array<GLuint, kMaxPasses> queries{};
        std::array<std::string_view, kMaxPasses> names{};
        int used = 0;
        bool pending = false;
    };
    bool available_ = false;
    std::array<Slot, kFramesInFlight> slots_{};
    int frame_ = 0;
    bool open_ = false;
    bool skipping_ = false;
    std::array<Pass, kMaxPasses> passes_{};
    std::size_t pass_count_ = 0;
};

}  // namespace flume
