// The processes of one run and what they say to each other: the seam for runs spread over
// several processes (flume-cli under mpirun, issue 32). The desktop app, the browser and a
// plain flume-cli run are one process (SingleProcess); flume-cli built with FLUME_MPI and
// started by mpirun talks over MPI (src/cli/mpi_communicator.hpp).
//
//   SingleProcess one;
//   Communicator& c = one;
//   const auto all = c.all_gather("scene fingerprint");   // every rank's, in rank order
//   if (c.rank() == 0) std::printf("...");                 // rank 0 alone speaks
//   c.exchange(to_each_rank, from_each_rank);              // all-to-all, buffers reused
//
// Collectives only: every rank calls each in the same order. Floating-point sums are never
// reduced here (their order would depend on the ranks): a caller gathers the partials and folds
// them in a fixed order.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace flume {

class Communicator {
  public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // Every rank's bytes, in rank order, on every rank, into `out` (its strings' room reused).
    virtual void all_gather(std::string_view bytes, std::vector<std::string>& out) = 0;
    std::vector<std::string> all_gather(std::string_view bytes) {
        std::vector<std::string> out;
        all_gather(bytes, out);
        return out;
    }
    // Every rank's bytes, in rank order, on `root` alone, into `out`; on the other ranks `out` is
    // left empty. What an output needs, which one rank writes: the others hold no copy.
    virtual void gather(std::string_view bytes, std::vector<std::string>& out, int root) {
        all_gather(bytes, out);
        if (rank() != root) out.clear();
    }
    // All to all: send[r] goes to rank r (one entry per rank; this rank's own entry too), and
    // receive[r] is what rank r sent this one. The strings' room is reused from call to call.
    virtual void exchange(const std::vector<std::string>& send,
                          std::vector<std::string>& receive) = 0;
    // The same where every rank knows what it receives from each (receive_bytes[r] from rank
    // r): only the pairs that have something to say exchange messages (a halo exchange).
    virtual void exchange_known(const std::vector<std::string>& send,
                                std::vector<std::string>& receive,
                                const std::vector<std::size_t>& receive_bytes) {
        exchange(send, receive);
        for (std::size_t r = 0; r < receive.size(); ++r) {
            if (receive[r].size() != receive_bytes.at(r))
                throw std::logic_error("Communicator::exchange_known: rank " + std::to_string(r) +
                                       " sent " + std::to_string(receive[r].size()) +
                                       " bytes where " + std::to_string(receive_bytes[r]) +
                                       " were expected");
        }
    }
    // Bytes this process sent to other processes, and messages, since it started (its own
    // entries not counted): what a run measures of its communication.
    std::uint64_t bytes_sent = 0;
    std::uint64_t messages_sent = 0;
    // Ends every rank's process with `code` (a rank that cannot go on, so that the others do
    // not wait for it).
    [[noreturn]] virtual void abort(int code) = 0;
};

class SingleProcess final : public Communicator {
  public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    using Communicator::all_gather;
    void all_gather(std::string_view bytes, std::vector<std::string>& out) override {
        out.resize(1);
        out[0].assign(bytes);
    }
    void exchange(const std::vector<std::string>& send,
                  std::vector<std::string>& receive) override {
        receive.resize(1);
        receive[0].assign(send.at(0));
    }
    [[noreturn]] void abort(int code) override { std::exit(code); }
};

}  // namespace flume
