// Sleeping on a 32-bit atomic until another thread changes it and wakes it: what the worker pool's
// idle workers and the simulation thread do.
//
//   wait_while(word, seen);  // returns once word != seen (or spuriously: callers re-check)
//   word.fetch_add(1);  wake_all(word);
//
// Natively these are std::atomic's wait and notify (a futex on Linux). Under Emscripten they call
// its futex (Atomics.wait and Atomics.notify on the shared heap) directly: the libc++ it ships
// implements std::atomic::wait as polling with sleeps, after the first 64 microseconds, of half
// the time waited so far (8 ms at a time after 128 ms), and notify as nothing, so that a sleeping
// thread woke up to half its wait late.
#pragma once

#include <atomic>
#include <cstdint>

#if defined(__EMSCRIPTEN__)
#include <emscripten/threading.h>

#include <cmath>
#endif

namespace flume {

#if defined(__EMSCRIPTEN__)

inline void wait_while(const std::atomic<std::uint32_t>& word, std::uint32_t seen) {
    static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free);
    while (word.load(std::memory_order_acquire) == seen) {
        emscripten_futex_wait(const_cast<std::atomic<std::uint32_t>*>(&word), seen, INFINITY);
    }
}

inline void wake_all(std::atomic<std::uint32_t>& word) {
    emscripten_futex_wake(&word, INT32_MAX);
}

inline void wake_one(std::atomic<std::uint32_t>& word) {
    emscripten_futex_wake(&word, 1);
}

#else

inline void wait_while(const std::atomic<std::uint32_t>& word, std::uint32_t seen) {
    word.wait(seen, std::memory_order_acquire);
}

inline void wake_all(std::atomic<std::uint32_t>& word) {
    word.notify_all();
}

inline void wake_one(std::atomic<std::uint32_t>& word) {
    word.notify_one();
}

#endif

}  // namespace flume
