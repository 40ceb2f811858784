// The fuzz targets' input: a scene's JSON text, then optionally a line "--set" and one
// key=value override per line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace flume::fuzz {

struct Input {
    std::string_view scene;
    std::vector<std::string_view> overrides;
};

inline Input split_input(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    constexpr std::string_view kMarker = "\n--set\n";
    Input input;
    const std::size_t marker = all.find(kMarker);
    input.scene = all.substr(0, marker);
    if (marker == std::string_view::npos) return input;
    std::string_view rest = all.substr(marker + kMarker.size());
    while (!rest.empty()) {
        const std::size_t end = rest.find('\n');
        input.overrides.push_back(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    return input;
}

}  // namespace flume::fuzz
