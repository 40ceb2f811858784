// A pool of persistent worker threads over shared memory: the core's only source of parallelism.
//
//   WorkerPool pool(4);                       // 4 threads in all: the caller plus 3 workers
//   pool.parallel_for(0, n, 256, [&](WorkerPool::Range r, int worker) {
//       for (std::size_t i = r.begin; i < r.end; ++i) ...;
//   });
//
// - [begin, end) is cut into chunks of `grain` indices. The cut depends only on the range and the
//   grain, never on the thread count, and reductions (parallel_reduce) combine per-chunk partial
//   results in chunk order: results are bit-identical for any number of threads.
// - The calling thread takes part and can finish every chunk alone; workers that wake late simply
//   find nothing left to claim. `worker` is 0 for the caller and 1..thread_count()-1 for the
//   workers, for indexing per-worker scratch space.
// - Idle workers sleep on an atomic (a futex, core/futex.hpp: Atomics.wait over the
//   SharedArrayBuffer in the browser); they never spin while idle.
// - An exception thrown by a task is caught, the chunks not yet started are skipped, and the
//   exception is rethrown to the caller of parallel_for.
// - One thread at a time drives the pool. A parallel_for issued from inside a task, or while
//   another thread is using the pool, runs serially on the calling thread (same chunks).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace flume {

class WorkerPool {
  public:
    struct Range {
        std::size_t begin;
        std::size_t end;
        std::size_t chunk;  // index of this chunk, 0..chunk_count-1
    };

    // thread_count >= 1 threads in all, the caller included; 1 means serial, no thread started.
    explicit WorkerPool(int thread_count);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    int thread_count() const { return static_cast<int>(threads_.size()) + 1; }

    // A sensible default thread count: the hardware's, at least 1.
    static int hardware_threads();

    static std::size_t chunk_count(std::size_t begin, std::size_t end, std::size_t grain) {
        if (end <= begin) return 0;
        if (grain == 0) grain = 1;
        return (end - begin + grain - 1) / grain;
    }

    // fn(Range, int worker) is called once for every chunk.
    template <class Fn>
    void parallel_for(std::size_t begin, std::size_t end, std::size_t grain, Fn&& fn) {
        using F = std::remove_reference_t<Fn>;
        auto invoke = [](void* ctx, const Range& r, int worker) {
            (*static_cast<F*>(ctx))(r, worker);
        };
        run(begin, end, grain, invoke, const_cast<void*>(static_cast<const void*>(&fn)));
    }

    // Room for the partials of reductions over up to `chunks` chunks of at most `bytes` each, so
    // that a particle count that grows (emitters) never makes a reduction allocate.
    void reserve_reduction(std::size_t chunks, std::size_t bytes) {
        const std::size_t units =
            (chunks * bytes + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t);
        if (reduce_scratch_.size() < units) reduce_scratch_.resize(units);
    }

    // chunk_fn(Range, int worker) -> T for every chunk; the partials are combined in chunk order
    // starting from `identity`: the same result for any thread count. For trivially copyable T
    // the partials live in a buffer the pool keeps and only grows, so a warm pool reduces without
    // allocating (the simulation step allocates nothing once the particle count is stable).
    template <class T, class ChunkFn, class Combine>
    T parallel_reduce(std::size_t begin, std::size_t end, std::size_t grain, T identity,
                      ChunkFn&& chunk_fn, Combine&& combine) {
        const std::size_t chunks = chunk_count(begin, end, grain);
        if constexpr (std::is_trivially_copyable_v<T> && alignof(T) <= alignof(std::max_align_t)) {
            bool expected = false;
            if (scratch_busy_.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
                struct Release {
                    std::atomic<bool>& flag;
                    ~Release() { flag.store(false, std::memory_order_release); }
                } release{scratch_busy_};
                const std::size_t units =
                    (chunks * sizeof(T) + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t);
                if (reduce_scratch_.size() < units) reduce_scratch_.resize(units);
                T* partial = reinterpret_cast<T*>(reduce_scratch_.data());
                parallel_for(begin, end, grain, [&](const Range& r, int worker) {
                    new (&partial[r.chunk]) T(chunk_fn(r, worker));
                });
                T result = identity;
                for (std::size_t c = 0; c < chunks; ++c)
                    result = combine(result, partial[c]);
                return result;
            }
        }
        // Other types, or a reduction inside another one: partials in a vector of their own.
        std::vector<T> partial(chunks, identity);
        parallel_for(begin, end, grain,
                     [&](const Range& r, int worker) { partial[r.chunk] = chunk_fn(r, worker); });
        T result = identity;
        for (const T& p : partial)
            result = combine(result, p);
        return result;
    }

    // Turns values[0..n) into their running sums, values[k] = v[0] + ... + v[k], in chunks of
    // `grain`: each chunk's own running sums in parallel, the chunks' last entries summed in order
    // (the one serial loop, over the chunks), then every other entry of a chunk offset by the
    // last entry of the chunk before. Unsigned integers, so the result is that of a serial loop.
    template <class T>
    void inclusive_scan(T* values, std::size_t n, std::size_t grain) {
        static_assert(std::is_unsigned_v<T>, "exact sums only");
        if (grain == 0) grain = 1;
        parallel_for(0, n, grain, [&](const Range& r, int) {
            for (std::size_t k = r.begin + 1; k < r.end; ++k)
                values[k] += values[k - 1];
        });
        const std::size_t chunks = chunk_count(0, n, grain);
        for (std::size_t c = 1; c < chunks; ++c)
            values[std::min(n, (c + 1) * grain) - 1] += values[c * grain - 1];
        parallel_for(grain < n ? grain : n, n, grain, [&](const Range& r, int) {
            const T offset = values[r.begin - 1];
            for (std::size_t k = r.begin; k + 1 < r.end; ++k)
                values[k] += offset;
        });
    }

  private:
    using InvokeFn = void (*)(void* ctx, const Range& r, int worker);

    void run(std::size_t begin, std::size_t end, std::size_t grain, InvokeFn invoke, void* ctx);
    void run_serial(std::size_t begin, std::size_t end, std::size_t grain, InvokeFn invoke,
                    void* ctx);
    void worker_main(int worker);
    void work_on(std::uint32_t generation, int worker);
    void record_exception(std::uint32_t chunk, std::exception_ptr e);

    std::vector<std::thread> threads_;

    // The job being run. Fields are atomics (relaxed) because late workers may read them while
    // the next job is being published; a claim validates what they read (see work_on()).
    std::atomic<InvokeFn> invoke_{nullptr};
    std::atomic<void*> ctx_{nullptr};
    std::atomic<std::size_t> begin_{0};
    std::atomic<std::size_t> end_{0};
    std::atomic<std::size_t> grain_{1};
    std::atomic<std::uint32_t> chunks_{0};

    static constexpr std::uint32_t kClosed = 0xFFFFFFFFu;  // chunk index of a closed claim word

    // (generation << 32) | next chunk to claim. Claims are compare-exchanges on this word, so a
    // worker can only claim a chunk of the job it read the fields of.
    std::atomic<std::uint64_t> claim_{0};
    std::atomic<std::uint32_t> done_{0};   // chunks finished in the current job
    std::atomic<std::uint32_t> epoch_{0};  // bumped to wake the workers
    std::atomic<bool> stop_{false};
    std::atomic<bool> busy_{false};    // a thread is driving the pool
    std::atomic<bool> failed_{false};  // a task threw: skip the chunks not started
    std::uint32_t generation_ = 0;     // written by the driving thread only

    std::vector<std::max_align_t> reduce_scratch_;  // partials of parallel_reduce
    std::atomic<bool> scratch_busy_{false};

    std::mutex error_mutex_;
    std::exception_ptr error_;
    std::uint32_t error_chunk_ = 0;
};

}  // namespace flume
