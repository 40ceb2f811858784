// A triple buffer: one writer thread publishes finished values, one reader thread takes the
// newest, and neither ever waits for the other.
//
//   writer:  T& slot = buffer.back();  ...fill slot...;  buffer.publish();
//   reader:  if (buffer.acquire()) use(buffer.front());   // front() stays valid until next acquire
//
// Three slots: the writer owns one, the reader owns one, the third holds the newest published
// value. Hand-over is a single atomic exchange of slot indices; the "fresh" bit says whether the
// middle slot holds something the reader has not seen.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace flume {

template <class T>
class TripleBuffer {
  public:
    T& back() { return slots_[back_]; }

    // Makes back() the newest value and hands the writer another slot.
    void publish() {
        const std::uint32_t old = middle_.exchange(back_ | kFresh, std::memory_order_acq_rel);
        back_ = old & kIndexMask;
    }

    // Takes the newest published value, if there is one the reader has not seen.
    bool acquire() {
        if (!(middle_.load(std::memory_order_relaxed) & kFresh)) return false;
        const std::uint32_t old = middle_.exchange(front_, std::memory_order_acq_rel);
        front_ = old & kIndexMask;
        return true;
    }

    const T& front() const { return slots_[front_]; }
    T& front() { return slots_[front_]; }

  private:
    static constexpr std::uint32_t kFresh = 4;
    static constexpr std::uint32_t kIndexMask = 3;

    std::array<T, 3> slots_{};
    std::uint32_t back_ = 0;   // writer's slot
    std::uint32_t front_ = 1;  // reader's slot
    std::atomic<std::uint32_t> middle_{2};
};

}  // namespace flume
