// Typed errors of the core. The library never prints and never exits: it throws these at its API
// edge, and front ends (CLI, apps) turn them into messages and exit codes.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace flume {

// Bad input: a scene file, a parameter override, a scene name. The message names the source
// (file or option), the JSON path of the offending value, what was expected and what was found.
class SceneError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The simulation became invalid (NaN, exploding velocity). The state of the step before is kept.
class SimulationError : public std::runtime_error {
  public:
    SimulationError(const std::string& what, std::uint64_t step)
        : std::runtime_error(what), step_(step) {}
    // The step that failed (counting from 1).
    std::uint64_t step() const { return step_; }

  private:
    std::uint64_t step_;
};

// A saved state that cannot be put back: not a state file, truncated, corrupted, of a newer
// format, or saved from another scene. The message names the file (when known) and the problem.
class StateError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace flume
