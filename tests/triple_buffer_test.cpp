// The snapshot hand-over between the simulation and the render thread: never a torn frame.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "app/triple_buffer.hpp"

namespace flume {
namespace {

TEST(TripleBuffer, ReaderNeverSeesATornFrame) {
    // Each frame is a vector filled with its own number; a torn frame would mix two numbers.
    TripleBuffer<std::vector<int>> buffer;
    constexpr int kFrames = 20000;
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (int frame = 1; frame <= kFrames; ++frame) {
            std::vector<int>& slot = buffer.back();
            slot.assign(257 + frame % 13, frame);
            buffer.publish();
        }
        done.store(true);
    });
    int last = 0, seen = 0;
    bool torn = false, backwards = false;
    for (;;) {
        const bool finished = done.load();
        if (buffer.acquire()) {
            const std::vector<int>& f = buffer.front();
            for (int v : f)
                torn = torn || v != f.front();
            backwards = backwards || f.front() <= last;
            last = f.front();
            ++seen;
        } else if (finished) {
            break;
        }
    }
    writer.join();
    EXPECT_FALSE(torn);
    EXPECT_FALSE(backwards) << "frames arrive newest-first, never older than one already seen";
    EXPECT_GT(seen, 0);
    EXPECT_EQ(last, kFrames) << "the last published frame is always delivered";
}

TEST(TripleBuffer, NothingNewMeansNoAcquire) {
    TripleBuffer<int> buffer;
    EXPECT_FALSE(buffer.acquire());
    buffer.back() = 5;
    buffer.publish();
    EXPECT_TRUE(buffer.acquire());
    EXPECT_EQ(buffer.front(), 5);
    EXPECT_FALSE(buffer.acquire());
    buffer.back() = 6;
    buffer.publish();
    buffer.back() = 7;
    buffer.publish();
    EXPECT_TRUE(buffer.acquire());
    EXPECT_EQ(buffer.front(), 7);
}

}  // namespace
}  // namespace flume
