// The lock-free command hand-over from the render thread(s) to the simulation thread.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "app/command_queue.hpp"

namespace flume {
namespace {

TEST(CommandQueue, RunsInPushOrder) {
    CommandQueue queue;
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.run_all(), 0);
    std::vector<int> ran;
    for (int i = 0; i < 5; ++i)
        queue.push([&ran, i] { ran.push_back(i); });
    EXPECT_FALSE(queue.empty());
    EXPECT_EQ(queue.run_all(), 5);
    EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_TRUE(queue.empty());
}

TEST(CommandQueue, ManyProducersOneConsumerLoseNothingAndKeepEachProducersOrder) {
    CommandQueue queue;
    constexpr int kProducers = 3, kCommands = 20000;
    std::vector<int> last(kProducers, -1);  // touched by the consumer only
    bool in_order = true;
    std::atomic<int> finished{0};
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
        producers.emplace_back([&, p] {
            for (int i = 0; i < kCommands; ++i) {
                queue.push([&, p, i] {
                    in_order = in_order && i == last[p] + 1;
                    last[p] = i;
                });
            }
            finished.fetch_add(1);
        });
    }
    int ran = 0;
    while (finished.load() < kProducers || !queue.empty())
        ran += queue.run_all();
    for (auto& t : producers)
        t.join();
    ran += queue.run_all();
    EXPECT_EQ(ran, kProducers * kCommands);
    EXPECT_TRUE(in_order);
    for (int p = 0; p < kProducers; ++p)
        EXPECT_EQ(last[p], kCommands - 1);
}

TEST(CommandQueue, FreesWhatWasNeverRun) {
    auto counter = std::make_shared<int>(0);
    {
        CommandQueue queue;
        queue.push([counter] { ++*counter; });
        EXPECT_EQ(counter.use_count(), 2);
    }
    EXPECT_EQ(counter.use_count(), 1);
    EXPECT_EQ(*counter, 0);
}

}  // namespace
}  // namespace flume
