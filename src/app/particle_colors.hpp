// Particle colours for the view: the flat water colour, or a quantity (speed, density, pressure)
// mapped through a colour map over the range it spans in the frame. No GL: the unit tests call it.
#pragma once

#include <glm/glm.hpp>
#include <optional>
#include <vector>

#include "app/color_map.hpp"
#include "core/simulation.hpp"

namespace flume {

enum class ColorBy { Water, Speed, Density, Pressure };

// The values a colour bar spans, min at its left end, max at its right.
struct ValueRange {
    float min = 0.0f;
    float max = 1.0f;
};

// The quantity `by` of particle i (Water: 0).
float particle_value(const ParticleView& p, ColorBy by, std::size_t i);

// The range of `by` over the particles, NaN values skipped, widened to at least 1e-6 so that it
// can be divided by. Nothing for Water, for no particles, or when every value is NaN.
std::optional<ValueRange> value_range(const ParticleView& p, ColorBy by);

// Colours every particle (`colors` is resized to p.count): water, or `by` mapped through `map`
// from the range's minimum (0) to its maximum (1); a NaN value takes the minimum's colour.
// Returns the range the colours span, for the legend; nothing for water or when no value is a
// number.
std::optional<ValueRange> color_particles(const ParticleView& p, ColorBy by, ColorMap map,
                                          std::vector<glm::vec3>& colors);

}  // namespace flume
