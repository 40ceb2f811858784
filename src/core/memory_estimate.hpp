// What a scene will hold in memory, estimated from its description before anything is allocated,
// and the one budget that every scene is checked against at load (the `memory_limit` parameter).
//
//   const MemoryEstimate m = estimate_memory(scene);   // bytes, per kind, in double
//   check_memory(scene);                               // SceneError when m.total() > the limit
//
// The estimate is an upper bound of the run's peak (the neighbour lists and solver caches sized
// at the first step included), counted for the particle room the arrays are sized for at load
// (max_particles), not for the particles a scene starts with. tests/memory_estimate_test.cpp
// holds it against Simulation::memory_bytes() for every solver in 2D and 3D.
#pragma once

#include <string>

namespace flume {

struct Scene;

struct MemoryEstimate {
    double fluid = 0.0;            // particle arrays, neighbour lists, solver state and caches
    double boundary = 0.0;         // boundary samples of the walls, obstacles and outlets
    double distance_fields = 0.0;  // of every mesh and polygon: fluid, obstacles and outlets
    double probes = 0.0;           // the gauges' lines
    double fluid_particles = 0.0;  // the room the fluid arrays are sized for
    std::string largest_field;     // the JSON path of the largest distance field ("" if none)
    double largest_field_bytes = 0.0;

    double total() const { return fluid + boundary + distance_fields + probes; }
};

MemoryEstimate estimate_memory(const Scene& scene);

// The scene's memory_limit in bytes; "auto": three quarters of this machine's physical memory
// (of the 2 GiB a WebAssembly heap may grow to, in the browser and under Node).
double memory_limit_bytes(const Scene& scene);

// Refuses (SceneError, naming the largest part and what to change) a scene whose estimate is
// above its memory_limit.
void check_memory(const Scene& scene);

// Bytes as a person reads them: "512 B", "3.2 MB", "4.4 GB" (powers of 1000).
std::string format_bytes(double bytes);

}  // namespace flume
