#include "particle_colors.hpp"

#include <algorithm>
#include <cmath>

namespace flume {

namespace {

void include(std::optional<ValueRange>& range, float v) {
    if (std::isnan(v)) return;
    if (!range) range = ValueRange{v, v};
    range->min = std::min(range->min, v);
    range->max = std::max(range->max, v);
}

void widen(std::optional<ValueRange>& range) {
    if (range) range->max = std::max(range->max, range->min + 1.0e-6f);
}

}  // namespace

std::optional<ValueRange> QuantityRanges::of(ColorBy by) const {
    switch (by) {
        case ColorBy::Water:
            return std::nullopt;
        case ColorBy::Speed:
            return speed;
        case ColorBy::Density:
            return density;
        case ColorBy::Pressure:
            return pressure;
    }
    return std::nullopt;
}

QuantityRanges quantity_ranges(const ParticleView& p) {
    QuantityRanges r;
    const auto d = static_cast<std::size_t>(p.dimension);
    for (std::size_t i = 0; i < p.count; ++i) {
        float v2 = 0.0f;
        for (std::size_t k = 0; k < d; ++k)
            v2 += p.velocity[i * d + k] * p.velocity[i * d + k];
        include(r.speed, std::sqrt(v2));
        include(r.density, p.density[i]);
        include(r.pressure, p.pressure[i]);
    }
    widen(r.speed);
    widen(r.density);
    widen(r.pressure);
    return r;
}

ParticleValues particle_values(const ParticleView& p, ColorBy by) {
    switch (by) {
        case ColorBy::Water:
            return {};
        case ColorBy::Speed:
            return {p.velocity, p.dimension};
        case ColorBy::Density:
            return {p.density, 1};
        case ColorBy::Pressure:
            return {p.pressure, 1};
    }
    return {};
}

}  // namespace flume
