#include "app/whitewater.hpp"

#include <algorithm>
#include <cmath>

namespace flume {

namespace {

std::size_t bucket_count_for(std::size_t particles) {
    std::size_t n = 64;
    while (n < 2 * particles)
        n *= 2;
    return n;
}

glm::ivec3 cell_of(const glm::vec3& x, float inv_h) {
    return glm::ivec3(glm::floor(x * inv_h));
}

std::uint32_t hash_cell(const glm::ivec3& c, std::size_t buckets) {
    // Teschner et al. 2003's primes (as particle_anisotropy.cpp); `buckets` is a power of two.
    const std::uint32_t h = (static_cast<std::uint32_t>(c.x) * 73856093u) ^
                            (static_cast<std::uint32_t>(c.y) * 19349663u) ^
                            (static_cast<std::uint32_t>(c.z) * 83492791u);
    return h & static_cast<std::uint32_t>(buckets - 1);
}

// A uniform number in [0, 1) from (seed, frame, particle, draw): splitmix64's finaliser.
float random01(std::uint32_t seed, std::uint64_t frame, std::uint64_t particle, std::uint32_t k) {
    std::uint64_t z = (static_cast<std::uint64_t>(seed) << 32) ^ (frame * 0x9e3779b97f4a7c15ull) ^
                      (particle * 0xbf58476d1ce4e5b9ull) ^ (static_cast<std::uint64_t>(k) << 56);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
}

// Phi (eq. 1): I clamped to [lo, hi], mapped to [0, 1].
float phi(float value, const glm::vec2& range) {
    return (std::min(value, range.y) - std::min(value, range.x)) / (range.y - range.x);
}

glm::vec3 load(const float* a, std::size_t i) {
    return glm::vec3(a[3 * i], a[3 * i + 1], a[3 * i + 2]);
}

// A surface particle's colour-field gradient is at least this fraction of h (the weighted mean
// offset to its neighbours; about 0.3 at a flat surface, near 0 inside the fluid).
constexpr float kSurfaceGradient = 0.12f;

}  // namespace

void Whitewater::reserve(std::size_t fluid_particles, const WhitewaterSettings& settings) {
    settings_ = settings;
    const std::size_t capacity = settings.capacity;
    position_.resize(capacity);
    velocity_.resize(capacity);
    life_.resize(capacity);
    lifetime_.resize(capacity);
    kind_.resize(capacity);
    sprites_.resize(kSpriteFloats * capacity);
    reserve_fluid(fluid_particles);
    count_ = 0;
    frame_ = 0;
}

void Whitewater::reserve_fluid(std::size_t fluid_particles) {
    cell_.resize(fluid_particles);
    bucket_of_.resize(fluid_particles);
    sorted_.resize(fluid_particles);
    sorted_x_.resize(fluid_particles);
    sorted_v_.resize(fluid_particles);
    sorted_cell_.resize(fluid_particles);
    bucket_start_.resize(bucket_count_for(fluid_particles) + 1);
    normal_.resize(fluid_particles);
}

std::size_t Whitewater::count_of(Kind kind) const {
    return static_cast<std::size_t>(std::count(kind_.begin(), kind_.begin() + count_, kind));
}

void Whitewater::build_hash(const float* positions, const float* velocities, std::size_t count,
                            float h) {
    inv_h_ = 1.0f / h;
    const std::size_t buckets = bucket_start_.size() - 1;
    std::fill(bucket_start_.begin(), bucket_start_.end(), 0u);
    for (std::size_t i = 0; i < count; ++i) {
        cell_[i] = cell_of(load(positions, i), inv_h_);
        bucket_of_[i] = hash_cell(cell_[i], buckets);
        ++bucket_start_[bucket_of_[i] + 1];
    }
    for (std::size_t b = 0; b < buckets; ++b)
        bucket_start_[b + 1] += bucket_start_[b];
    // The particles in bucket order (each bucket's run of them contiguous, cache-friendly).
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint32_t s = bucket_start_[bucket_of_[i]]++;
        sorted_[s] = static_cast<std::uint32_t>(i);
        sorted_x_[s] = load(positions, i);
        sorted_v_[s] = load(velocities, i);
        sorted_cell_[s] = cell_[i];
    }
    for (std::size_t b = buckets; b > 0; --b)  // back to the starts
        bucket_start_[b] = bucket_start_[b - 1];
    bucket_start_[0] = 0;
}

template <typename F>
void Whitewater::for_each_near(const glm::vec3& x, F&& f) const {
    const std::size_t buckets = bucket_start_.size() - 1;
    const glm::ivec3 c = cell_of(x, inv_h_);
    for (int dz = -1; dz <= 1; ++dz) {
        for (int dy = -1; dy <= 1; ++dy) {
            for (int dx = -1; dx <= 1; ++dx) {
                const glm::ivec3 cell = c + glm::ivec3(dx, dy, dz);
                const std::uint32_t b = hash_cell(cell, buckets);
                // Another cell may share the bucket: its particles are left to its own visit.
                for (std::uint32_t s = bucket_start_[b]; s < bucket_start_[b + 1]; ++s) {
                    if (sorted_cell_[s] == cell) f(s);
                }
            }
        }
    }
}

void Whitewater::update(const float* positions, const float* velocities, std::size_t count,
                        float radius, const glm::vec3& gravity, float dt,
                        const glm::vec3& domain_min, const glm::vec3& domain_max) {
    if (dt <= 0.0f || position_.empty()) return;
    if (count > sorted_.size()) reserve_fluid(count);  // more than the scene's capacity: once
    ++frame_;
    const float h = settings_.support * radius, h2 = h * h;
    build_hash(positions, velocities, count, h);
    auto weight = [h](float r) { return 1.0f - r / h; };  // W (eq. 2)

    // 1. Advect the diffuse particles (section 4.3), classified by their fluid neighbours; age
    // them; drop the dead and the escaped (the last one moves into the gap: the order stays a
    // function of the inputs).
    std::size_t i = 0;
    while (i < count_) {
        const glm::vec3 x = position_[i];
        int neighbours = 0;
        float weights = 0.0f;
        glm::vec3 fluid_velocity(0.0f);
        for_each_near(x, [&](std::uint32_t s) {
            const glm::vec3 d = x - sorted_x_[s];
            const float r2 = glm::dot(d, d);
            if (r2 >= h2) return;
            ++neighbours;
            const float w = weight(std::sqrt(r2));
            weights += w;
            fluid_velocity += w * sorted_v_[s];
        });
        if (weights > 0.0f) fluid_velocity /= weights;
        Kind kind = Foam;
        if (neighbours < settings_.spray_neighbours) {
            kind = Spray;
            velocity_[i] += dt * gravity;  // ballistic
            position_[i] += dt * velocity_[i];
        } else if (neighbours > settings_.bubble_neighbours) {
            kind = Bubble;  // eq. 12: buoyancy against gravity, drag towards the fluid
            velocity_[i] += -settings_.buoyancy * dt * gravity +
                            settings_.drag * (fluid_velocity - velocity_[i]);
            position_[i] += dt * velocity_[i];
        } else {
            velocity_[i] = fluid_velocity;  // eq. 11: foam goes with the fluid
            position_[i] += dt * fluid_velocity;
        }
        kind_[i] = kind;
        life_[i] -= kind == Foam ? dt : 0.25f * dt;
        const glm::vec3 p = position_[i];
        const bool inside = glm::all(glm::greaterThanEqual(p, domain_min)) &&
                            glm::all(glm::lessThanEqual(p, domain_max));
        if (life_[i] > 0.0f && inside) {
            ++i;
            continue;
        }
        --count_;
        position_[i] = position_[count_];
        velocity_[i] = velocity_[count_];
        life_[i] = life_[count_];
        lifetime_[i] = lifetime_[count_];
        kind_[i] = kind_[count_];
    }

    // 2. The fluid's normals (colour-field gradient; in bucket order, as the hash keeps them),
    // then each particle's potentials (eqs. 3-7). A particle too slow to emit (under half the
    // energy's lower bound) needs no normal: it is left at zero, as inside the fluid.
    const float slow = settings_.energy.x;  // 0.5 |v|^2 < 0.5 min: |v|^2 < min
    for (std::size_t a = 0; a < count; ++a) {
        normal_[a] = glm::vec3(0.0f);
        if (glm::dot(sorted_v_[a], sorted_v_[a]) < slow) continue;
        const glm::vec3 xa = sorted_x_[a];
        glm::vec3 gradient(0.0f);
        float weights = 0.0f;
        for_each_near(xa, [&](std::uint32_t b) {
            const glm::vec3 d = xa - sorted_x_[b];
            const float r2 = glm::dot(d, d);
            if (r2 >= h2 || b == a) return;
            const float w = weight(std::sqrt(r2));
            gradient += w * d;
            weights += w;
        });
        // Zero inside the fluid (and for a lone particle): only surface particles have a normal.
        if (weights > 0.0f && glm::length(gradient) >= kSurfaceGradient * h * weights)
            normal_[a] = glm::normalize(gradient);
    }
    for (std::size_t a = 0; a < count && count_ < position_.size(); ++a) {
        const glm::vec3 xa = sorted_x_[a], va = sorted_v_[a];
        const float energy = phi(0.5f * glm::dot(va, va), settings_.energy);
        if (energy <= 0.0f) continue;
        const glm::vec3 na = normal_[a];
        const float speed = glm::length(va);
        // delta^vn (eq. 6): a crest moves along its normal.
        const bool crest = na != glm::vec3(0.0f) && glm::dot(va / speed, na) >= 0.6f;
        float trapped_air = 0.0f, curvature = 0.0f;
        for_each_near(xa, [&](std::uint32_t b) {
            const glm::vec3 d = xa - sorted_x_[b];  // x_ab
            const float r2 = glm::dot(d, d);
            if (r2 >= h2 || b == a) return;
            const float r = std::sqrt(r2), w = weight(r);
            const glm::vec3 dv = va - sorted_v_[b];  // v_ab
            const float dv_length = glm::length(dv);
            if (dv_length > 0.0f)
                trapped_air += dv_length * (1.0f - glm::dot(dv / dv_length, d / r)) * w;
            // Convex only: the neighbour lies behind the surface (x^_ba . n^_a < 0).
            if (crest && normal_[b] != glm::vec3(0.0f) && glm::dot(-d, na) < 0.0f)
                curvature += (1.0f - glm::dot(na, normal_[b])) * w;
        });
        const float amount = energy *
                             (settings_.trapped_air_rate * phi(trapped_air, settings_.trapped_air) +
                              settings_.wave_crest_rate * phi(curvature, settings_.wave_crest)) *
                             dt;
        if (amount > 0.0f) emit(sorted_[a], xa, va, amount, radius, dt);
    }

    for (std::size_t k = 0; k < count_; ++k) {
        const float fade = std::clamp(life_[k] / std::min(0.5f, lifetime_[k]), 0.0f, 1.0f);
        const float alpha = kind_[k] == Spray  ? 0.9f * fade
                            : kind_[k] == Foam ? fade
                                               : -0.6f * std::max(fade, 0.01f);
        sprites_[kSpriteFloats * k + 0] = position_[k].x;
        sprites_[kSpriteFloats * k + 1] = position_[k].y;
        sprites_[kSpriteFloats * k + 2] = position_[k].z;
        sprites_[kSpriteFloats * k + 3] = alpha;
    }
}

void Whitewater::emit(std::size_t i, const glm::vec3& x, const glm::vec3& v, float amount,
                      float radius, float dt) {
    // The whole part, and one more with the fraction's probability.
    const float whole = std::floor(amount);
    int n = static_cast<int>(whole);
    if (random01(settings_.seed, frame_, i, 0) < amount - whole) ++n;
    const float speed = glm::length(v);
    const glm::vec3 along = speed > 0.0f ? v / speed : glm::vec3(0.0f, 1.0f, 0.0f);
    // Two unit vectors across the velocity (eq. 9's e1', e2').
    const glm::vec3 helper =
        std::abs(along.x) < 0.9f ? glm::vec3(1.0f, 0.0f, 0.0f) : glm::vec3(0.0f, 1.0f, 0.0f);
    const glm::vec3 e1 = glm::normalize(glm::cross(along, helper)), e2 = glm::cross(along, e1);
    for (int k = 0; k < n && count_ < position_.size(); ++k) {
        const std::uint32_t draw = 1 + 4 * static_cast<std::uint32_t>(k);
        // A cylinder of radius r around the particle, as long as its path this frame (eq. 10).
        const float r = radius * std::sqrt(random01(settings_.seed, frame_, i, draw));
        const float theta = 6.2831853f * random01(settings_.seed, frame_, i, draw + 1);
        const float along_path = random01(settings_.seed, frame_, i, draw + 2) * speed * dt;
        const glm::vec3 across = r * std::cos(theta) * e1 + r * std::sin(theta) * e2;
        position_[count_] = x + across + along_path * along;
        velocity_[count_] = v + across;  // eq. 10, as the paper writes it
        lifetime_[count_] =
            settings_.lifetime.x + (settings_.lifetime.y - settings_.lifetime.x) *
                                       random01(settings_.seed, frame_, i, draw + 3);
        life_[count_] = lifetime_[count_];
        kind_[count_] = Foam;
        ++count_;
    }
}

}  // namespace flume
