// What the particles are coloured by: the flat water colour, or a quantity (speed, density,
// pressure) mapped through a colour map over the range it spans in the frame. The mapping itself
// runs in the particle shader; here are the ranges (found once per published state, on the
// simulation thread) and where the shader reads each quantity. No GL: the unit tests call it.
#pragma once

#include <glm/glm.hpp>
#include <optional>

#include "app/color_map.hpp"
#include "core/simulation.hpp"

namespace flume {

enum class ColorBy { Water, Speed, Density, Pressure };

// The values a colour bar spans, min at its left end, max at its right.
struct ValueRange {
    float min = 0.0f;
    float max = 1.0f;
};

// The range of each quantity over the particles, NaN values skipped, widened to at least 1e-6
// so that it can be divided by. Nothing for no particles, or when every value is NaN.
struct QuantityRanges {
    std::optional<ValueRange> speed, density, pressure;

    std::optional<ValueRange> of(ColorBy by) const;  // Water: nothing
};

// One pass over the particles.
QuantityRanges quantity_ranges(const ParticleView& p);

// Where the particle shader reads `by`: `components` floats per particle from `data`, the value
// being the first (1) or the length of the vector (2, 3: the velocity for the speed). Water:
// no data, 0 components.
struct ParticleValues {
    const float* data = nullptr;
    int components = 0;
};
ParticleValues particle_values(const ParticleView& p, ColorBy by);

}  // namespace flume
