#include "particle_colors.hpp"

#include <algorithm>
#include <cmath>

namespace flume {

float particle_value(const ParticleView& p, ColorBy by, std::size_t i) {
    switch (by) {
        case ColorBy::Water:
            return 0.0f;
        case ColorBy::Speed: {
            const std::size_t d = static_cast<std::size_t>(p.dimension);
            float v2 = 0.0f;
            for (std::size_t k = 0; k < d; ++k)
                v2 += p.velocity[i * d + k] * p.velocity[i * d + k];
            return std::sqrt(v2);
        }
        case ColorBy::Density:
            return p.density[i];
        case ColorBy::Pressure:
            return p.pressure[i];
    }
    return 0.0f;
}

std::optional<ValueRange> value_range(const ParticleView& p, ColorBy by) {
    if (by == ColorBy::Water) return std::nullopt;
    std::optional<ValueRange> range;
    for (std::size_t i = 0; i < p.count; ++i) {
        const float v = particle_value(p, by, i);
        if (std::isnan(v)) continue;
        if (!range) range = ValueRange{v, v};
        range->min = std::min(range->min, v);
        range->max = std::max(range->max, v);
    }
    if (range) range->max = std::max(range->max, range->min + 1.0e-6f);
    return range;
}

std::optional<ValueRange> color_particles(const ParticleView& p, ColorBy by, ColorMap map,
                                          std::vector<glm::vec3>& colors) {
    colors.resize(p.count);
    if (by == ColorBy::Water) {
        std::fill(colors.begin(), colors.end(), kWaterColor);
        return std::nullopt;
    }
    const std::optional<ValueRange> range = value_range(p, by);
    const ValueRange r = range.value_or(ValueRange{});  // all NaN: all take the minimum's colour
    const float scale = 1.0f / (r.max - r.min);
    for (std::size_t i = 0; i < p.count; ++i)
        colors[i] = color_at(map, (particle_value(p, by, i) - r.min) * scale);
    return range;
}

}  // namespace flume
