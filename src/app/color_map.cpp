#include "color_map.hpp"

#include <algorithm>
#include <cmath>

namespace flume {

namespace {

// Piecewise-linear tables sampled from the published maps (matplotlib's viridis; Google's turbo),
// nine stops each.
constexpr std::array<glm::vec3, kColorMapStops> kViridis = {{{0.267f, 0.005f, 0.329f},
                                                             {0.283f, 0.141f, 0.458f},
                                                             {0.254f, 0.265f, 0.530f},
                                                             {0.207f, 0.372f, 0.553f},
                                                             {0.164f, 0.471f, 0.558f},
                                                             {0.128f, 0.567f, 0.551f},
                                                             {0.135f, 0.659f, 0.518f},
                                                             {0.478f, 0.821f, 0.318f},
                                                             {0.993f, 0.906f, 0.144f}}};
constexpr std::array<glm::vec3, kColorMapStops> kTurbo = {{{0.190f, 0.072f, 0.232f},
                                                           {0.276f, 0.385f, 0.843f},
                                                           {0.157f, 0.672f, 0.941f},
                                                           {0.106f, 0.896f, 0.680f},
                                                           {0.479f, 0.996f, 0.299f},
                                                           {0.827f, 0.915f, 0.207f},
                                                           {0.996f, 0.647f, 0.188f},
                                                           {0.883f, 0.298f, 0.047f},
                                                           {0.480f, 0.016f, 0.011f}}};

template <std::size_t N>
glm::vec3 sample(const std::array<glm::vec3, N>& table, float t) {
    const float x = t * static_cast<float>(N - 1);
    const std::size_t i = std::min(static_cast<std::size_t>(x), N - 2);
    const float f = x - static_cast<float>(i);
    return table[i] * (1.0f - f) + table[i + 1] * f;
}

}  // namespace

glm::vec3 color_at(ColorMap map, float t) {
    t = t >= 0.0f ? std::min(t, 1.0f) : 0.0f;  // NaN fails the test and maps to 0
    switch (map) {
        case ColorMap::Water:
            return kWaterColor;
        case ColorMap::Viridis:
            return sample(kViridis, t);
        case ColorMap::Turbo:
            return sample(kTurbo, t);
    }
    return kWaterColor;
}

std::span<const glm::vec3> color_map_stops(ColorMap map) {
    switch (map) {
        case ColorMap::Water:
            return {&kWaterColor, 1};
        case ColorMap::Viridis:
            return kViridis;
        case ColorMap::Turbo:
            return kTurbo;
    }
    return {&kWaterColor, 1};
}

std::string_view color_map_name(ColorMap map) {
    switch (map) {
        case ColorMap::Water:
            return "water";
        case ColorMap::Viridis:
            return "viridis";
        case ColorMap::Turbo:
            return "turbo";
    }
    return "?";
}

}  // namespace flume
