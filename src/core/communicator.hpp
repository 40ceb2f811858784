// The processes of one run and what they say to each other: the seam for runs spread over
// several processes (flume-cli under mpirun, issue 32). The desktop app, the browser and a
// plain flume-cli run are one process (SingleProcess); flume-cli built with FLUME_MPI and
// started by mpirun talks over MPI (src/cli/mpi_communicator.hpp).
//
//   SingleProcess one;
//   Communicator& c = one;
//   const auto all = c.all_gather("scene fingerprint");   // every rank's, in rank order
//   if (c.rank() == 0) std::printf("...");                 // rank 0 alone speaks
//
// Collectives only: every rank calls each in the same order. Floating-point sums are never
// reduced here (their order would depend on the ranks): a caller gathers the partials and folds
// them in a fixed order.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace flume {

class Communicator {
  public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // Every rank's bytes, in rank order, on every rank.
    virtual std::vector<std::string> all_gather(std::string_view bytes) = 0;
    // Ends every rank's process with `code` (a rank that cannot go on, so that the others do
    // not wait for it).
    [[noreturn]] virtual void abort(int code) = 0;
};

class SingleProcess final : public Communicator {
  public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    std::vector<std::string> all_gather(std::string_view bytes) override {
        return {std::string(bytes)};
    }
    [[noreturn]] void abort(int code) override { std::exit(code); }
};

}  // namespace flume
