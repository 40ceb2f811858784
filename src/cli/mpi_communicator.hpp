// flume-cli's processes over MPI (Open MPI, Debian's libopenmpi-dev), in builds with FLUME_MPI.
//
//   std::unique_ptr<Communicator> c = start_communicator(argc, argv);  // MPI under mpirun
//
// A collective that has not completed within the watchdog's time (FLUME_MPI_TIMEOUT seconds,
// default 600) ends the run with a message naming the wait, rather than hanging on a rank that
// died or never came.
#pragma once

#include <memory>

#include "core/communicator.hpp"
#include "core/simulation.hpp"

namespace flume::cli {

// MPI when the process was started by mpirun (Open MPI's OMPI_COMM_WORLD_SIZE, or PMI_SIZE),
// else one process without MPI (so a plain run pays nothing for the build's MPI).
std::unique_ptr<Communicator> start_communicator(int& argc, char**& argv);

// Every rank's share of a snapshot, in rank order, on rank 0 (a collective): where the ranks
// split the fluid, the whole fluid in the global slot order; the other ranks get an empty one.
ParticleSnapshot gather_snapshot(Communicator& ranks, const ParticleSnapshot& mine);

}  // namespace flume::cli
