#include "core/worker_pool.hpp"

#include "core/futex.hpp"

#include <algorithm>
#include <stdexcept>

namespace flume {

namespace {
// Set while a thread runs a task of some pool: nested parallel_for calls then run serially.
thread_local bool t_inside_task = false;
}  // namespace

int WorkerPool::hardware_threads() {
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

WorkerPool::WorkerPool(int thread_count) {
    if (thread_count < 1)
        throw std::invalid_argument("WorkerPool: thread count must be at least 1");
    threads_.reserve(static_cast<std::size_t>(thread_count - 1));
    for (int w = 1; w < thread_count; ++w)
        threads_.emplace_back([this, w] { worker_main(w); });
}

WorkerPool::~WorkerPool() {
    stop_.store(true, std::memory_order_release);
    epoch_.fetch_add(1, std::memory_order_release);
    wake_all(epoch_);
    for (auto& t : threads_)
        t.join();
}

void WorkerPool::run_serial(std::size_t begin, std::size_t end, std::size_t grain, InvokeFn invoke,
                            void* ctx) {
    if (grain == 0) grain = 1;
    const bool was_inside = t_inside_task;
    t_inside_task = true;
    try {
        std::size_t chunk = 0;
        for (std::size_t b = begin; b < end; b += grain, ++chunk) {
            invoke(ctx, Range{b, std::min(end, b + grain), chunk}, 0);
        }
    } catch (...) {
        t_inside_task = was_inside;
        throw;
    }
    t_inside_task = was_inside;
}

void WorkerPool::run(std::size_t begin, std::size_t end, std::size_t grain, InvokeFn invoke,
                     void* ctx) {
    const std::size_t chunks = chunk_count(begin, end, grain);
    if (chunks == 0) return;
    if (grain == 0) grain = 1;
    if (threads_.empty() || chunks == 1 || t_inside_task || chunks >= kClosed) {
        run_serial(begin, end, grain, invoke, ctx);
        return;
    }
    bool expected = false;
    if (!busy_.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
        run_serial(begin, end, grain, invoke, ctx);  // another thread drives the pool right now
        return;
    }

    const std::uint32_t generation = ++generation_;
    // Close the previous job before touching the fields. A worker that read the old claim word
    // may have read chunks_ already; its compare-exchange now fails, so it can never validate
    // an old chunk index against the new chunk count. (An exchange, not a store: it orders
    // every earlier successful claim before the field writes below.)
    claim_.exchange((static_cast<std::uint64_t>(generation) << 32) | kClosed,
                    std::memory_order_acq_rel);
    invoke_.store(invoke, std::memory_order_relaxed);
    ctx_.store(ctx, std::memory_order_relaxed);
    begin_.store(begin, std::memory_order_relaxed);
    end_.store(end, std::memory_order_relaxed);
    grain_.store(grain, std::memory_order_relaxed);
    chunks_.store(static_cast<std::uint32_t>(chunks), std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    failed_.store(false, std::memory_order_relaxed);
    error_ = nullptr;
    // Publishing the claim word releases the fields above to every worker that acquires it.
    claim_.store(static_cast<std::uint64_t>(generation) << 32, std::memory_order_release);
    epoch_.fetch_add(1, std::memory_order_release);
    wake_all(epoch_);

    work_on(generation, 0);

    // The caller has claimed what it could; wait for chunks still running on workers.
    for (std::uint32_t d = done_.load(std::memory_order_acquire); d != chunks;
         d = done_.load(std::memory_order_acquire)) {
        wait_while(done_, d);
    }
    std::exception_ptr error = std::move(error_);
    error_ = nullptr;
    busy_.store(false, std::memory_order_release);
    if (error) std::rethrow_exception(error);
}

void WorkerPool::worker_main(int worker) {
    std::uint32_t seen = 0;
    for (;;) {
        wait_while(epoch_, seen);
        seen = epoch_.load(std::memory_order_acquire);
        if (stop_.load(std::memory_order_acquire)) return;
        const std::uint64_t claim = claim_.load(std::memory_order_acquire);
        work_on(static_cast<std::uint32_t>(claim >> 32), worker);
    }
}

void WorkerPool::work_on(std::uint32_t generation, int worker) {
    for (;;) {
        std::uint64_t claim = claim_.load(std::memory_order_acquire);
        std::uint32_t chunk;
        std::uint32_t chunks;
        for (;;) {
            if (static_cast<std::uint32_t>(claim >> 32) != generation) return;  // job is over
            chunk = static_cast<std::uint32_t>(claim);
            chunks = chunks_.load(std::memory_order_relaxed);
            if (chunk >= chunks) return;  // all claimed
            // Success means `generation` is still running and cannot finish before this chunk
            // does, so the job fields read below are the ones of `generation`.
            if (claim_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel,
                                             std::memory_order_acquire)) {
                break;
            }
        }
        if (!failed_.load(std::memory_order_relaxed)) {
            const std::size_t begin = begin_.load(std::memory_order_relaxed);
            const std::size_t end = end_.load(std::memory_order_relaxed);
            const std::size_t grain = grain_.load(std::memory_order_relaxed);
            const std::size_t b = begin + static_cast<std::size_t>(chunk) * grain;
            const Range range{b, std::min(end, b + grain), chunk};
            t_inside_task = true;
            try {
                invoke_.load(std::memory_order_relaxed)(ctx_.load(std::memory_order_relaxed), range,
                                                        worker);
            } catch (...) {
                record_exception(chunk, std::current_exception());
            }
            t_inside_task = false;
        }
        if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks) wake_all(done_);
    }
}

void WorkerPool::record_exception(std::uint32_t chunk, std::exception_ptr e) {
    std::lock_guard lock(error_mutex_);
    if (!error_ || chunk < error_chunk_) {
        error_ = std::move(e);
        error_chunk_ = chunk;
    }
    failed_.store(true, std::memory_order_relaxed);
}

}  // namespace flume
