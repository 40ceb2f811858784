#include "cli/mpi_communicator.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

#ifdef FLUME_MPI
#include <mpi.h>
#endif

namespace flume::cli {

#ifdef FLUME_MPI
namespace {

class MpiCommunicator final : public Communicator {
  public:
    MpiCommunicator(int& argc, char**& argv) {
        int provided = 0;
        MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
        if (const char* t = std::getenv("FLUME_MPI_TIMEOUT")) timeout_s_ = std::atof(t);
        if (!(timeout_s_ > 0.0)) timeout_s_ = 600.0;
    }
    ~MpiCommunicator() override { MPI_Finalize(); }

    int rank() const override { return rank_; }
    int size() const override { return size_; }

    using Communicator::all_gather;
    void all_gather(std::string_view bytes, std::vector<std::string>& out) override {
        const auto mine = static_cast<std::int64_t>(bytes.size());
        sizes_.resize(static_cast<std::size_t>(size_));
        MPI_Request request;
        MPI_Iallgather(&mine, 1, MPI_INT64_T, sizes_.data(), 1, MPI_INT64_T, MPI_COMM_WORLD,
                       &request);
        wait(request, "the sizes of what each rank says");
        counts_.resize(sizes_.size());
        offsets_.resize(sizes_.size());
        std::int64_t total = 0;
        for (std::size_t r = 0; r < sizes_.size(); ++r) {
            counts_[r] = checked_int(sizes_[r]);
            offsets_[r] = checked_int(total);
            total += sizes_[r];
        }
        all_.resize(static_cast<std::size_t>(total));
        MPI_Iallgatherv(bytes.data(), static_cast<int>(mine), MPI_CHAR, all_.data(), counts_.data(),
                        offsets_.data(), MPI_CHAR, MPI_COMM_WORLD, &request);
        wait(request, "what each rank says");
        out.resize(sizes_.size());
        for (std::size_t r = 0; r < sizes_.size(); ++r)
            out[r].assign(all_, static_cast<std::size_t>(offsets_[r]),
                          static_cast<std::size_t>(sizes_[r]));
        bytes_sent += static_cast<std::uint64_t>(mine) * static_cast<std::uint64_t>(size_ - 1);
        messages_sent += static_cast<std::uint64_t>(size_ - 1);
    }

    // On `root` alone: the others send, and keep no copy of what it gathers.
    void gather(std::string_view bytes, std::vector<std::string>& out, int root) override {
        const auto mine = static_cast<std::int64_t>(bytes.size());
        const bool here = rank_ == root;
        sizes_.resize(static_cast<std::size_t>(size_));
        MPI_Request request;
        MPI_Igather(&mine, 1, MPI_INT64_T, sizes_.data(), 1, MPI_INT64_T, root, MPI_COMM_WORLD,
                    &request);
        wait(request, "the sizes of what each rank sends to be written");
        counts_.resize(sizes_.size());
        offsets_.resize(sizes_.size());
        std::int64_t total = 0;
        if (here) {
            for (std::size_t r = 0; r < sizes_.size(); ++r) {
                counts_[r] = checked_int(sizes_[r]);
                offsets_[r] = checked_int(total);
                total += sizes_[r];
            }
        }
        std::string all(static_cast<std::size_t>(total), '\0');
        MPI_Igatherv(bytes.data(), checked_int(mine), MPI_CHAR, all.data(), counts_.data(),
                     offsets_.data(), MPI_CHAR, root, MPI_COMM_WORLD, &request);
        wait(request, "what each rank sends to be written");
        out.clear();
        if (!here) {
            bytes_sent += static_cast<std::uint64_t>(mine);
            ++messages_sent;
            return;
        }
        out.resize(sizes_.size());
        for (std::size_t r = 0; r < sizes_.size(); ++r)
            out[r].assign(all, static_cast<std::size_t>(offsets_[r]),
                          static_cast<std::size_t>(sizes_[r]));
    }

    void exchange(const std::vector<std::string>& send,
                  std::vector<std::string>& receive) override {
        const auto n = static_cast<std::size_t>(size_);
        send_sizes_.resize(n);
        sizes_.resize(n);
        for (std::size_t r = 0; r < n; ++r)
            send_sizes_[r] = static_cast<std::int64_t>(send.at(r).size());
        MPI_Request request;
        MPI_Ialltoall(send_sizes_.data(), 1, MPI_INT64_T, sizes_.data(), 1, MPI_INT64_T,
                      MPI_COMM_WORLD, &request);
        wait(request, "the sizes of the particles each rank sends");
        send_counts_.resize(n);
        send_offsets_.resize(n);
        counts_.resize(n);
        offsets_.resize(n);
        std::int64_t send_total = 0, total = 0;
        for (std::size_t r = 0; r < n; ++r) {
            send_counts_[r] = checked_int(send_sizes_[r]);
            send_offsets_[r] = checked_int(send_total);
            send_total += send_sizes_[r];
            counts_[r] = checked_int(sizes_[r]);
            offsets_[r] = checked_int(total);
            total += sizes_[r];
            if (r != static_cast<std::size_t>(rank_) && send_sizes_[r] > 0) {
                bytes_sent += static_cast<std::uint64_t>(send_sizes_[r]);
                ++messages_sent;
            }
        }
        packed_.resize(static_cast<std::size_t>(send_total));
        for (std::size_t r = 0; r < n; ++r)
            std::copy(send[r].begin(), send[r].end(),
                      packed_.begin() + static_cast<std::ptrdiff_t>(send_offsets_[r]));
        all_.resize(static_cast<std::size_t>(total));
        MPI_Ialltoallv(packed_.data(), send_counts_.data(), send_offsets_.data(), MPI_CHAR,
                       all_.data(), counts_.data(), offsets_.data(), MPI_CHAR, MPI_COMM_WORLD,
                       &request);
        wait(request, "the particles each rank sends");
        receive.resize(n);
        for (std::size_t r = 0; r < n; ++r)
            receive[r].assign(all_, static_cast<std::size_t>(offsets_[r]),
                              static_cast<std::size_t>(sizes_[r]));
    }

    // Point to point between the pairs that have bytes to exchange; this rank's own entry is
    // copied.
    void exchange_known(const std::vector<std::string>& send, std::vector<std::string>& receive,
                        const std::vector<std::size_t>& receive_bytes) override {
        const auto n = static_cast<std::size_t>(size_);
        const auto me = static_cast<std::size_t>(rank_);
        receive.resize(n);
        requests_.clear();
        for (std::size_t r = 0; r < n; ++r) {
            receive[r].resize(receive_bytes.at(r));
            if (r == me || receive_bytes[r] == 0) continue;
            requests_.emplace_back();
            MPI_Irecv(receive[r].data(), checked_int(static_cast<std::int64_t>(receive_bytes[r])),
                      MPI_CHAR, static_cast<int>(r), kHaloTag, MPI_COMM_WORLD, &requests_.back());
        }
        for (std::size_t r = 0; r < n; ++r) {
            if (r == me || send.at(r).empty()) continue;
            requests_.emplace_back();
            MPI_Isend(send[r].data(), checked_int(static_cast<std::int64_t>(send[r].size())),
                      MPI_CHAR, static_cast<int>(r), kHaloTag, MPI_COMM_WORLD, &requests_.back());
            bytes_sent += send[r].size();
            ++messages_sent;
        }
        if (send.at(me).size() != receive_bytes[me])
            throw std::logic_error("exchange_known: this rank's own entry has another size");
        receive[me].assign(send[me]);
        wait_all("the halo's values");
    }

    [[noreturn]] void abort(int code) override {
        MPI_Abort(MPI_COMM_WORLD, code);
        std::exit(code);
    }

  private:
    static constexpr int kHaloTag = 7;

    void wait(MPI_Request& request, const char* what) { wait_on(1, &request, what); }
    void wait_all(const char* what) {
        wait_on(static_cast<int>(requests_.size()), requests_.data(), what);
    }

    // Waits for `requests`, polling: past the watchdog's time, the run ends with a message.
    void wait_on(int count, MPI_Request* requests, const char* what) {
        const auto start = std::chrono::steady_clock::now();
        int done = 0;
        for (;;) {
            MPI_Testall(count, requests, &done, MPI_STATUSES_IGNORE);
            if (done) return;
            const double waited =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (waited > timeout_s_) {
                std::fprintf(stderr,
                             "flume-cli: rank %d of %d: no answer from the other ranks in %.0f s "
                             "while exchanging %s (a rank died, or is stuck); ending the run "
                             "(FLUME_MPI_TIMEOUT sets the wait)\n",
                             rank_, size_, timeout_s_, what);
                abort(3);
            }
            // A split run exchanges halos dozens of times a step: spin (yielding the core, which
            // an oversubscribed rank shares) for the first 50 ms of a wait, then sleep.
            if (waited > 0.05) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            } else {
                std::this_thread::yield();
            }
        }
    }

    // MPI counts are ints: a message of 2 GiB or more ends the run with a message.
    int checked_int(std::int64_t bytes) {
        if (bytes > std::numeric_limits<int>::max()) {
            std::fprintf(stderr,
                         "flume-cli: rank %d of %d: a message of %lld bytes, over MPI's limit of "
                         "2 GiB; run on more ranks\n",
                         rank_, size_, static_cast<long long>(bytes));
            abort(1);
        }
        return static_cast<int>(bytes);
    }

    int rank_ = 0, size_ = 1;
    double timeout_s_ = 600.0;
    // The collectives' buffers, kept from call to call.
    std::vector<std::int64_t> sizes_, send_sizes_;
    std::vector<int> counts_, offsets_, send_counts_, send_offsets_;
    std::string all_, packed_;
    std::vector<MPI_Request> requests_;
};

}  // namespace
#endif

ParticleSnapshot gather_snapshot(Communicator& ranks, const ParticleSnapshot& mine) {
    std::string bytes;
    auto put = [&](const auto& v) {
        const std::uint64_t n = v.size();
        bytes.append(reinterpret_cast<const char*>(&n), sizeof n);
        bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(v[0]));
    };
    put(mine.position);
    put(mine.velocity);
    put(mine.density);
    put(mine.pressure);
    put(mine.id);
    ParticleSnapshot all;
    all.dimension = mine.dimension;
    all.step = mine.step;
    all.time = mine.time;
    std::vector<std::string> parts;
    ranks.gather(bytes, parts, 0);
    for (const std::string& part : parts) {
        const char* p = part.data();
        auto take = [&](auto& v) {
            std::uint64_t count = 0;
            std::memcpy(&count, p, sizeof count);
            p += sizeof count;
            const auto n = static_cast<std::size_t>(count);
            const std::size_t at = v.size();
            v.resize(at + n);
            std::memcpy(v.data() + at, p, n * sizeof(v[0]));
            p += n * sizeof(v[0]);
        };
        take(all.position);
        take(all.velocity);
        take(all.density);
        take(all.pressure);
        take(all.id);
    }
    return all;
}

std::unique_ptr<Communicator> start_communicator([[maybe_unused]] int& argc,
                                                 [[maybe_unused]] char**& argv) {
#ifdef FLUME_MPI
    if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE"))
        return std::make_unique<MpiCommunicator>(argc, argv);
#endif
    return std::make_unique<SingleProcess>();
}

}  // namespace flume::cli
