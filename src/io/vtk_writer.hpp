// VTK XML PolyData output (.vtp) of fluid particles, and a .pvd time series that ParaView opens.
//
//   write_vtp("out/frame_000010.vtp", sim.fluid());
//   PvdSeries series("out/run.pvd");  series.add(0.01, "frame_000010.vtp");  // rewrites the index
//
// Arrays: Points (z = 0 in 2D), velocity (3 components), density, pressure, id; one vertex cell
// per particle so that readers show the points. Binary data is inline base64 (format="binary").
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/simulation.hpp"

namespace flume {

// Writes the particles to `path`. Throws OutputError (io/output_file.hpp) naming the path and
// the reason when the file cannot be written whole.
void write_vtp(const std::string& path, const ParticleView& particles);

// Writes the rigid bodies to `path`, one point per body at its centre of mass: orientation (a
// unit quaternion w, x, y, z), velocity, angular_velocity, force and torque (the fluid's, over
// the last step), mass, id (its index in the scene). Throws OutputError as write_vtp.
void write_bodies_vtp(const std::string& path, std::span<const BodyStatus> bodies);

class PvdSeries {
  public:
    explicit PvdSeries(std::string path) : path_(std::move(path)) {}
    // A series that goes on from `frames` (a resumed run's), the file rewritten at the next add.
    PvdSeries(std::string path, std::vector<std::pair<double, std::string>> frames)
        : path_(std::move(path)), frames_(std::move(frames)) {}
    const std::vector<std::pair<double, std::string>>& frames() const { return frames_; }
    // Adds a frame (file name relative to the .pvd) and rewrites the .pvd file (OutputError).
    void add(double time, const std::string& file);

  private:
    std::string path_;
    std::vector<std::pair<double, std::string>> frames_;
};

// Base64 of raw bytes (exposed for tests).
std::string base64_encode(const void* data, std::size_t size);

}  // namespace flume
