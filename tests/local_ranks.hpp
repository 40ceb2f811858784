// Ranks as threads of one process, for tests of runs split between ranks without mpirun: a
// LocalGroup of N ranks whose communicators meet at a barrier for each collective.
//
//   tests::LocalGroup group(3);
//   group.run([&](Communicator& ranks) { ...every rank's code... });   // one thread per rank
#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/communicator.hpp"

namespace flume::tests {

class LocalGroup {
    // A barrier on a mutex and a condition variable (a futex in the wasm build too: Emscripten's
    // std::barrier waits by polling with sleeps of up to half the time waited so far, which made
    // these tests 10x slower in wasm than natively).
    class Barrier {
      public:
        explicit Barrier(int count) : count_(count) {}
        void arrive_and_wait() {
            std::unique_lock lock(mutex_);
            const std::uint64_t generation = generation_;
            if (++arrived_ == count_) {
                arrived_ = 0;
                ++generation_;
                changed_.notify_all();
                return;
            }
            changed_.wait(lock, [&] { return generation_ != generation; });
        }

      private:
        std::mutex mutex_;
        std::condition_variable changed_;
        int count_;
        int arrived_ = 0;
        std::uint64_t generation_ = 0;
    };

  public:
    explicit LocalGroup(int size)
        : size_(size),
          barrier_(size),
          mail_(static_cast<std::size_t>(size),
                std::vector<std::string>(static_cast<std::size_t>(size))) {}

    int size() const { return size_; }

    // body(communicator) on one thread per rank; the first exception is rethrown here.
    void run(const std::function<void(Communicator&)>& body) {
        std::vector<std::thread> threads;
        std::exception_ptr failure;
        std::mutex failure_mutex;
        for (int r = 0; r < size_; ++r) {
            threads.emplace_back([&, r] {
                Rank rank(*this, r);
                try {
                    body(rank);
                } catch (...) {
                    std::lock_guard lock(failure_mutex);
                    if (!failure) failure = std::current_exception();
                }
            });
        }
        for (std::thread& t : threads)
            t.join();
        if (failure) std::rethrow_exception(failure);
    }

  private:
    class Rank final : public Communicator {
      public:
        Rank(LocalGroup& group, int rank) : group_(group), rank_(rank) {}
        int rank() const override { return rank_; }
        int size() const override { return group_.size_; }
        using Communicator::all_gather;
        void all_gather(std::string_view bytes, std::vector<std::string>& out) override {
            std::vector<std::string> send(static_cast<std::size_t>(group_.size_),
                                          std::string(bytes));
            exchange(send, out);
        }
        void gather(std::string_view bytes, std::vector<std::string>& out, int root) override {
            std::vector<std::string> send(static_cast<std::size_t>(group_.size_));
            send[static_cast<std::size_t>(root)] = std::string(bytes);
            exchange(send, out);
            if (rank_ != root) out.clear();
        }
        void exchange(const std::vector<std::string>& send,
                      std::vector<std::string>& receive) override {
            const auto me = static_cast<std::size_t>(rank_);
            for (std::size_t q = 0; q < send.size(); ++q) {
                group_.mail_[me][q] = send[q];
                if (q != me && !send[q].empty()) {
                    bytes_sent += send[q].size();
                    ++messages_sent;
                }
            }
            group_.barrier_.arrive_and_wait();
            receive.resize(send.size());
            for (std::size_t q = 0; q < send.size(); ++q)
                receive[q] = group_.mail_[q][me];
            group_.barrier_.arrive_and_wait();
        }
        [[noreturn]] void abort(int) override { std::abort(); }

      private:
        LocalGroup& group_;
        int rank_;
    };

    int size_;
    Barrier barrier_;
    std::vector<std::vector<std::string>> mail_;  // [from][to]
};

}  // namespace flume::tests
