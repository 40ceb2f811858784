// Colour maps for particle quantities, and the flat water colour.
#pragma once

#include <array>
#include <glm/glm.hpp>
#include <span>
#include <string_view>

namespace flume {

enum class ColorMap { Water, Viridis, Turbo };

// Colour of `t` in [0, 1] (clamped; NaN maps to 0) in `map`. Water ignores t.
glm::vec3 color_at(ColorMap map, float t);

// The map's evenly spaced stops, interpolated linearly in between (color_at on the CPU, the
// particle shader on the GPU: the same table). Water: its one colour.
std::span<const glm::vec3> color_map_stops(ColorMap map);
inline constexpr std::size_t kColorMapStops = 9;

inline constexpr glm::vec3 kWaterColor{0.16f, 0.47f, 0.85f};

std::string_view color_map_name(ColorMap map);

}  // namespace flume
