#include "checkpoint.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/errors.hpp"
#include "core/geometry/triangle_mesh.hpp"
#include "core/scene_library.hpp"
#include "core/state/state_file.hpp"
#include "io/output_file.hpp"

namespace flume::cli {

namespace {

constexpr char kMagic[8] = {'F', 'L', 'U', 'M', 'E', 'C', 'K', 'P'};

bool is_builtin(const std::string& name) {
    for (const EmbeddedFile& f : builtin_scenes()) {
        if (f.name == name) return true;
    }
    return false;
}

}  // namespace

SceneSource capture_scene_source(const std::string& name_or_path,
                                 const std::vector<std::string>& overrides) {
    SceneSource source;
    source.name_or_path = name_or_path;
    source.overrides = overrides;
    source.builtin = is_builtin(name_or_path);
    if (source.builtin) return source;
    source.text = read_file_bytes(name_or_path, kMaxSceneFileBytes);
    const std::filesystem::path folder = std::filesystem::path(name_or_path).parent_path();
    for (const std::string& name : files_named_by_scene(source.text))
        source.files.emplace_back(name,
                                  read_file_bytes((folder / name).string(), kMaxMeshFileBytes));
    return source;
}

Scene load_scene_source(const SceneSource& source) {
    if (source.builtin) return load_scene(source.name_or_path, source.overrides);
    std::map<std::string, const std::string*> files;
    for (const auto& [name, bytes] : source.files)
        files[name] = &bytes;
    Scene scene = parse_scene(source.text, source.name_or_path, [&](const std::string& name) {
        const auto it = files.find(name);
        if (it == files.end()) {
            throw SceneError(source.name_or_path + ": the checkpoint holds no file \"" + name +
                             "\"");
        }
        return *it->second;
    });
    scene.apply_overrides(source.overrides);
    return scene;
}

std::string encode_checkpoint(const Checkpoint& c) {
    StateWriter payload;
    payload.section("RUN ", [&](StateWriter& w) { w.put(std::string_view(c.run.dump())); });
    payload.section("SCEN", [&](StateWriter& w) {
        w.put(std::string_view(c.scene.name_or_path));
        w.put(c.scene.builtin);
        w.put(std::string_view(c.scene.text));
        w.put<std::uint64_t>(c.scene.files.size());
        for (const auto& [name, bytes] : c.scene.files) {
            w.put(std::string_view(name));
            w.put(std::string_view(bytes));
        }
        w.put<std::uint64_t>(c.scene.overrides.size());
        for (const std::string& o : c.scene.overrides)
            w.put(std::string_view(o));
    });
    payload.section("SIM ", [&](StateWriter& w) { w.put(std::string_view(c.state)); });
    StateWriter header;
    header.put(kCheckpointVersion);
    header.put<std::uint64_t>(payload.bytes().size());
    header.put(fnv1a(payload.bytes()));
    return std::string(kMagic, sizeof kMagic) + header.bytes() + payload.bytes();
}

Checkpoint decode_checkpoint(std::string_view bytes, const std::string& name) {
    if (bytes.size() < sizeof kMagic ||
        bytes.substr(0, sizeof kMagic) != std::string_view(kMagic, sizeof kMagic)) {
        throw StateError(name + ": not a Flume checkpoint (it does not start with \"FLUMECKP\")");
    }
    StateReader header(bytes.substr(sizeof kMagic), name + ": the header");
    const auto version = header.get<std::uint32_t>();
    if (version > kCheckpointVersion || version == 0) {
        throw StateError(name + ": a checkpoint of format " + std::to_string(version) +
                         ", which this build does not read (it reads " +
                         std::to_string(kCheckpointVersion) + ")");
    }
    const auto length = header.get<std::uint64_t>();
    const auto checksum = header.get<std::uint64_t>();
    const std::size_t start = sizeof kMagic + 4 + 8 + 8;
    if (length != bytes.size() - start) {
        throw StateError(name + ": truncated or extended: the header says " +
                         std::to_string(length) + " bytes follow it, the file has " +
                         std::to_string(bytes.size() - start));
    }
    const std::string_view payload = bytes.substr(start);
    if (fnv1a(payload) != checksum)
        throw StateError(name + ": corrupted: its checksum does not match its contents");
    Checkpoint c;
    StateReader r(payload, name);
    r.section("RUN ", [&](StateReader& s) {
        c.run = nlohmann::json::parse(s.get_string(), nullptr, false);
        if (!c.run.is_object()) s.fail("the run is not a JSON object");
    });
    r.section("SCEN", [&](StateReader& s) {
        c.scene.name_or_path = s.get_string();
        c.scene.builtin = s.get<bool>();
        c.scene.text = s.get_string();
        const auto files = s.get<std::uint64_t>();
        for (std::uint64_t k = 0; k < files; ++k) {
            std::string file = s.get_string();
            c.scene.files.emplace_back(std::move(file), s.get_string());
        }
        const auto overrides = s.get<std::uint64_t>();
        for (std::uint64_t k = 0; k < overrides; ++k)
            c.scene.overrides.push_back(s.get_string());
    });
    r.section("SIM ", [&](StateReader& s) { c.state = s.get_string(); });
    if (!r.at_end()) r.fail("bytes left over after its last section");
    return c;
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
    const std::string temporary = path + ".partial";
    try {
        std::ofstream out = open_output(temporary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        close_output(out, temporary);
    } catch (const OutputError&) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw;
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::filesystem::remove(temporary, ec);
        throw OutputError(path + ": cannot write the checkpoint: " + ec.message());
    }
}

}  // namespace flume::cli
