// The worker pool: coverage of every index, chunking independent of the thread count,
// deterministic reductions, exceptions, and many back-to-back calls.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "test_scenes.hpp"

#include "core/math/vec.hpp"
#include "core/worker_pool.hpp"

namespace flume {
namespace {

TEST(WorkerPool, VisitsEveryIndexExactlyOnce) {
    for (int threads : {1, 2, 3, 4, 8}) {
        WorkerPool pool(threads);
        for (std::size_t n : {0u, 1u, 2u, 7u, 100u, 1000u, 12345u}) {
            for (std::size_t grain : {0u, 1u, 3u, 64u, 1000u, 50000u}) {
                std::vector<std::atomic<int>> visits(n + 10);
                std::atomic<int> bad_worker{0};
                pool.parallel_for(5, 5 + n, grain, [&](const WorkerPool::Range& r, int worker) {
                    if (worker < 0 || worker >= threads) bad_worker.fetch_add(1);
                    for (std::size_t i = r.begin; i < r.end; ++i)
                        visits[i].fetch_add(1);
                });
                for (std::size_t i = 0; i < visits.size(); ++i) {
                    const int expected = (i >= 5 && i < 5 + n) ? 1 : 0;
                    ASSERT_EQ(visits[i].load(), expected)
                        << "threads " << threads << " n " << n << " grain " << grain << " i " << i;
                }
                EXPECT_EQ(bad_worker.load(), 0);
            }
        }
    }
}

TEST(WorkerPool, ChunksDoNotDependOnThreadCount) {
    using Chunk = std::tuple<std::size_t, std::size_t, std::size_t>;
    std::set<Chunk> reference;
    for (int threads : {1, 2, 4, 7}) {
        WorkerPool pool(threads);
        std::vector<Chunk> seen(WorkerPool::chunk_count(3, 1003, 97));
        pool.parallel_for(3, 1003, 97, [&](const WorkerPool::Range& r, int) {
            seen[r.chunk] = {r.chunk, r.begin, r.end};
        });
        std::set<Chunk> chunks(seen.begin(), seen.end());
        if (threads == 1) {
            reference = chunks;
            ASSERT_EQ(reference.size(), 11u);
        } else {
            EXPECT_EQ(chunks, reference) << "threads " << threads;
        }
    }
}

TEST(WorkerPool, ReductionIsBitIdenticalForAnyThreadCount) {
    std::mt19937 rng(1234);
    std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
    std::uniform_int_distribution<int> exponent(-20, 20);
    std::vector<float> values(100003);
    for (float& v : values)
        v = std::ldexp(mantissa(rng), exponent(rng));

    std::uint32_t reference = 0;
    for (int threads : {1, 2, 3, 4}) {
        WorkerPool pool(threads);
        for (int repeat = 0; repeat < 20; ++repeat) {
            const float sum = pool.parallel_reduce(
                0, values.size(), 777, 0.0f,
                [&](const WorkerPool::Range& r, int) {
                    float s = 0.0f;
                    for (std::size_t i = r.begin; i < r.end; ++i)
                        s += values[i];
                    return s;
                },
                [](float a, float b) { return a + b; });
            const auto bits = float_bits(sum);
            if (threads == 1 && repeat == 0) reference = bits;
            ASSERT_EQ(bits, reference) << "threads " << threads << " repeat " << repeat;
        }
    }
}

TEST(WorkerPool, RunningSumsAreThoseOfASerialLoop) {
    std::mt19937 rng(99);
    std::uniform_int_distribution<std::uint32_t> count(0, 40);
    for (int threads : {1, 2, 3, 8}) {
        WorkerPool pool(threads);
        for (std::size_t n : {0u, 1u, 2u, 63u, 64u, 65u, 640u, 1001u}) {
            for (std::size_t grain : {0u, 1u, 7u, 64u, 5000u}) {
                std::vector<std::uint32_t> values(n);
                for (std::uint32_t& v : values)
                    v = count(rng);
                std::vector<std::uint32_t> expected = values;
                for (std::size_t k = 1; k < n; ++k)
                    expected[k] += expected[k - 1];
                pool.inclusive_scan(values.data(), n, grain);
                ASSERT_EQ(values, expected)
                    << "threads " << threads << " n " << n << " grain " << grain;
            }
        }
    }
}

TEST(WorkerPool, ManyBackToBackCallsDoNotDeadlock) {
    WorkerPool pool(4);
    std::vector<int> data(513, 0);
    for (int call = 0; call < 20000; ++call) {
        pool.parallel_for(0, data.size(), 16 + call % 100, [&](const WorkerPool::Range& r, int) {
            for (std::size_t i = r.begin; i < r.end; ++i)
                ++data[i];
        });
    }
    for (int v : data)
        ASSERT_EQ(v, 20000);
}

TEST(WorkerPool, AlternatingJobSizesNeverMixUpJobs) {
    // Regression: a worker that read the claim word of a finished job, then the chunk count of
    // the next one, could run a chunk of a job that no longer existed (wrong range, double
    // counted completion, then a hang). Jobs of different chunk counts back to back, with uneven
    // task lengths, exercise exactly that window.
    for (int threads : {2, 3}) {
        WorkerPool pool(threads);
        std::vector<int> stamp(5625, -1);
        const int calls = tests::rounds(150000, 20000);
        for (int call = 0; call < calls; ++call) {
            const std::size_t n = call % 3 == 0 ? 5625 : (call % 3 == 1 ? 5000 : 300);
            const std::size_t grain = call % 3 == 1 ? 4096 : 256;
            pool.parallel_for(0, n, grain, [&](const WorkerPool::Range& r, int) {
                for (std::size_t i = r.begin; i < r.end; ++i)
                    stamp[i] = call;
                if (r.chunk % 5 == 0) {
                    std::atomic<int> spin{0};
                    while (spin.fetch_add(1, std::memory_order_relaxed) < call % 97) {
                    }
                }
            });
            for (std::size_t i = 0; i < n; ++i) {
                ASSERT_EQ(stamp[i], call) << "threads " << threads << " index " << i;
            }
        }
    }
}

TEST(WorkerPool, ExceptionInATaskReachesTheCaller) {
    for (int threads : {1, 2, 4}) {
        WorkerPool pool(threads);
        EXPECT_THROW(pool.parallel_for(0, 1000, 10,
                                       [&](const WorkerPool::Range& r, int) {
                                           if (r.begin <= 500 && 500 < r.end) {
                                               throw std::runtime_error("task 500 failed");
                                           }
                                       }),
                     std::runtime_error);
        // The pool stays usable after a failure.
        std::atomic<std::size_t> count{0};
        pool.parallel_for(0, 1000, 10, [&](const WorkerPool::Range& r, int) {
            count.fetch_add(r.end - r.begin);
        });
        EXPECT_EQ(count.load(), 1000u) << "threads " << threads;
    }
}

TEST(WorkerPool, NestedCallsRunOnTheCallingThread) {
    WorkerPool pool(3);
    std::vector<std::atomic<int>> visits(100 * 50);
    pool.parallel_for(0, 100, 1, [&](const WorkerPool::Range& outer, int) {
        pool.parallel_for(0, 50, 7, [&](const WorkerPool::Range& inner, int) {
            for (std::size_t i = inner.begin; i < inner.end; ++i) {
                visits[outer.begin * 50 + i].fetch_add(1);
            }
        });
    });
    for (auto& v : visits)
        ASSERT_EQ(v.load(), 1);
}

TEST(WorkerPool, TwoDrivingThreadsShareOnePool) {
    // A second thread issuing work while the pool is busy runs its chunks itself.
    WorkerPool pool(2);
    std::atomic<long> total{0};
    auto drive = [&] {
        for (int call = 0; call < 2000; ++call) {
            pool.parallel_for(0, 100, 10, [&](const WorkerPool::Range& r, int) {
                total.fetch_add(static_cast<long>(r.end - r.begin));
            });
        }
    };
    std::thread other(drive);
    drive();
    other.join();
    EXPECT_EQ(total.load(), 2L * 2000 * 100);
}

TEST(WorkerPool, RejectsZeroThreads) {
    EXPECT_THROW(WorkerPool pool(0), std::invalid_argument);
    EXPECT_THROW(WorkerPool pool(-3), std::invalid_argument);
}

}  // namespace
}  // namespace flume
