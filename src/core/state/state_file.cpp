#include "core/state/state_file.hpp"

namespace flume {

namespace {

constexpr char kMagic[8] = {'F', 'L', 'U', 'M', 'E', 'S', 'T', 'A'};

}  // namespace

std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t hash = 1469598103934665603ull;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ull;
    }
    return hash;
}

std::string state_build() {
#if defined(__EMSCRIPTEN__)
    return "flume wasm";
#else
    return "flume native";
#endif
}

std::string write_state_file(const StateHeader& header, std::string_view payload) {
    StateWriter w;
    std::string file(kMagic, sizeof kMagic);
    w.put(header.version);
    w.put(header.dimension);
    w.put(header.fluid_particles);
    w.put<std::uint64_t>(payload.size());
    w.put(fnv1a(payload));
    w.put(std::string_view(header.build));
    file += w.bytes();
    file += payload;
    return file;
}

StateFile read_state_file(std::string_view bytes, const std::string& name) {
    if (bytes.size() < sizeof kMagic ||
        bytes.substr(0, sizeof kMagic) != std::string_view(kMagic, sizeof kMagic)) {
        throw StateError(name + ": not a Flume state file (it does not start with \"FLUMESTA\")");
    }
    StateReader r(bytes.substr(sizeof kMagic), name + ": the header");
    StateFile f;
    f.header.version = r.get<std::uint32_t>();
    if (f.header.version > kStateFormatVersion) {
        throw StateError(name + ": a state of format " + std::to_string(f.header.version) +
                         ", newer than this build reads (" + std::to_string(kStateFormatVersion) +
                         "): open it with the Flume that wrote it, or a newer one");
    }
    if (f.header.version == 0) throw StateError(name + ": a state of format 0, which none is");
    f.header.dimension = r.get<std::uint32_t>();
    if (f.header.dimension != 2 && f.header.dimension != 3) {
        throw StateError(name + ": the header says dimension " +
                         std::to_string(f.header.dimension) + "; the file is corrupted");
    }
    f.header.fluid_particles = r.get<std::uint64_t>();
    const auto length = r.get<std::uint64_t>();
    const auto checksum = r.get<std::uint64_t>();
    f.header.build = r.get_string();
    const std::size_t header_bytes = sizeof kMagic + 4 + 4 + 8 + 8 + 8 + 8 + f.header.build.size();
    const std::size_t left = bytes.size() - header_bytes;
    if (length != left) {
        throw StateError(name + ": truncated or extended: the header says " +
                         std::to_string(length) + " bytes of state follow it, the file has " +
                         std::to_string(left));
    }
    f.payload = bytes.substr(header_bytes);
    if (fnv1a(f.payload) != checksum) {
        throw StateError(name + ": corrupted: its checksum does not match its contents");
    }
    return f;
}

}  // namespace flume
