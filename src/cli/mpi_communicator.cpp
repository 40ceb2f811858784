#include "cli/mpi_communicator.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

    std::vector<std::string> all_gather(std::string_view bytes) override {
        const auto mine = static_cast<std::int64_t>(bytes.size());
        std::vector<std::int64_t> sizes(static_cast<std::size_t>(size_));
        MPI_Request request;
        MPI_Iallgather(&mine, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, MPI_COMM_WORLD,
                       &request);
        wait(request, "the sizes of what each rank says");
        std::vector<int> counts(sizes.size()), offsets(sizes.size());
        std::int64_t total = 0;
        for (std::size_t r = 0; r < sizes.size(); ++r) {
            counts[r] = static_cast<int>(sizes[r]);
            offsets[r] = static_cast<int>(total);
            total += sizes[r];
        }
        std::string all(static_cast<std::size_t>(total), '\0');
        MPI_Iallgatherv(bytes.data(), static_cast<int>(mine), MPI_CHAR, all.data(), counts.data(),
                        offsets.data(), MPI_CHAR, MPI_COMM_WORLD, &request);
        wait(request, "what each rank says");
        std::vector<std::string> out;
        for (std::size_t r = 0; r < sizes.size(); ++r)
            out.push_back(all.substr(static_cast<std::size_t>(offsets[r]), sizes[r]));
        return out;
    }

    [[noreturn]] void abort(int code) override {
        MPI_Abort(MPI_COMM_WORLD, code);
        std::exit(code);
    }

  private:
    // Waits for `request`, polling: past the watchdog's time, the run ends with a message.
    void wait(MPI_Request& request, const char* what) {
        const auto start = std::chrono::steady_clock::now();
        int done = 0;
        for (int polls = 0;; ++polls) {
            MPI_Test(&request, &done, MPI_STATUS_IGNORE);
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
            if (polls > 1000) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

    int rank_ = 0, size_ = 1;
    double timeout_s_ = 600.0;
};

}  // namespace
#endif

std::unique_ptr<Communicator> start_communicator([[maybe_unused]] int& argc,
                                                 [[maybe_unused]] char**& argv) {
#ifdef FLUME_MPI
    if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE"))
        return std::make_unique<MpiCommunicator>(argc, argv);
#endif
    return std::make_unique<SingleProcess>();
}

}  // namespace flume::cli
