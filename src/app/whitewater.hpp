// Whitewater for the fluid surface (3D): spray, foam and bubbles as secondary particles, after
// Ihmsen, Akinci, Akinci & Teschner 2012 ("Unified spray, foam and air bubbles for particle-based
// fluids", The Visual Computer 28(6)). A visual effect only: computed from each frame's fluid
// positions and velocities on the render thread; the simulation never sees it.
//
// Per fluid particle i, over its neighbours j within h (W(r) = 1 - r/h, paper eq. 2):
//   trapped air  v_diff = sum |v_ij| (1 - v^_ij . x^_ij) W                 (eq. 3)
//   wave crest   kappa = sum (1 - n^_i . n^_j) W over j with x^_ji . n^_i < 0, only where the
//                particle moves along its normal (v^_i . n^_i >= 0.6)      (eqs. 4-6)
//                n_i = sum (x_i - x_j) W, towards the air; taken as a surface particle's only
//                when |n_i| is large (inside the fluid the sum cancels)
//   energy       E_k = 0.5 |v_i|^2 (per unit mass)                         (eq. 7)
// each clamped to [0, 1] by Phi(I, min, max) (eq. 1); the particle emits
//   n = Phi(E_k) (k_ta Phi(v_diff) + k_wc Phi(kappa)) dt                   (eq. 8)
// diffuse particles in a cylinder around its velocity (eqs. 9-10), each with a lifetime.
// Classified every frame by its fluid neighbours within h (section 4.3):
//   spray   (< spray_neighbours)   ballistic under gravity
//   bubble  (> bubble_neighbours)  the fluid's velocity plus buoyancy and drag
//   foam    (otherwise)            carried by the fluid's averaged velocity, ageing
// Foam ages (its lifetime runs down, as in the paper); spray and bubbles age four times slower so
// that nothing lives for ever; any particle that leaves the domain is dropped.
//
// Fixed capacity (settings.capacity, set by reserve()): generation stops when it is full;
// update() allocates nothing once reserved. Deterministic: the same frames and seed give the
// same particles (a hash of seed, frame number and particle index, no global RNG).
//
// Usage: reserve() once per scene, then update() with each new frame (dt its simulated time since
// the last one; 0 when paused: nothing moves or is born), draw sprites() (4 floats each:
// x, y, z, alpha; alpha < 0 marks a bubble, drawn as the others with the alpha's magnitude).
#pragma once

#include <cstddef>
#include <cstdint>
#include <glm/glm.hpp>
#include <vector>

namespace flume {

struct WhitewaterSettings {
    std::size_t capacity = 32768;  // diffuse particles at most
    float support = 4.0f;          // h, in particle radii (the SPH kernel's support)
    // Phi's ranges (eq. 1): below min nothing, above max full.
    // Measured in dam-break-3d as it hits the wall: trapped air's median 2, 99th percentile 12;
    // curvature's 99th percentile 0.4-0.9, its largest 2-4; energy's median 1.5, 90th 5. The
    // lower bounds let the mixer's paddle and channel-3d's pillar make some foam.
    glm::vec2 trapped_air{2.5f, 15.0f};  // m/s (sum of weighted speed differences)
    glm::vec2 wave_crest{0.5f, 3.0f};    // curvature (sum of weighted normal differences)
    glm::vec2 energy{0.5f, 5.0f};        // J/kg: speeds of 1 and about 3.2 m/s
    float trapped_air_rate = 60.0f;      // k_ta: particles per second at Phi = 1
    float wave_crest_rate = 60.0f;       // k_wc
    glm::vec2 lifetime{1.0f, 3.0f};      // s, uniform between
    int spray_neighbours = 6;            // fewer: spray
    int bubble_neighbours = 20;          // more: bubble
    float buoyancy = 2.0f;               // k_b: times -gravity (eq. 12)
    float drag = 0.5f;                   // k_d: towards the fluid's velocity, per frame
    std::uint32_t seed = 1;
};

class Whitewater {
  public:
    enum Kind : std::uint8_t { Spray, Foam, Bubble };
    static constexpr int kSpriteFloats = 4;

    // Room for a scene of `fluid_particles` (grows once if a frame has more) and the settings'
    // capacity of diffuse particles; clears them.
    void reserve(std::size_t fluid_particles, const WhitewaterSettings& settings = {});
    void clear() { count_ = 0; }

    // Advances the diffuse particles by `dt` through the fluid of `count` particles (positions
    // and velocities, 3 floats each, of radius `radius`), then emits new ones. Diffuse particles
    // outside [domain_min, domain_max] are dropped.
    void update(const float* positions, const float* velocities, std::size_t count, float radius,
                const glm::vec3& gravity, float dt, const glm::vec3& domain_min,
                const glm::vec3& domain_max);

    std::size_t count() const { return count_; }
    std::size_t capacity() const { return position_.size(); }
    std::size_t count_of(Kind kind) const;
    const glm::vec3* positions() const { return position_.data(); }
    const Kind* kinds() const { return kind_.data(); }
    // kSpriteFloats a particle: position and alpha (by kind and lifetime left; negative for a
    // bubble).
    const float* sprites() const { return sprites_.data(); }

  private:
    // The fluid's arrays alone (the diffuse particles kept).
    void reserve_fluid(std::size_t fluid_particles);
    void build_hash(const float* positions, const float* velocities, std::size_t count, float h);
    // Calls f(s) for each fluid particle (s its place in bucket order: sorted_x_[s], ...) in the
    // 27 cells around x (not filtered by distance).
    template <typename F>
    void for_each_near(const glm::vec3& x, F&& f) const;
    // Emits about `amount` diffuse particles around fluid particle i (eqs. 9-10).
    void emit(std::size_t i, const glm::vec3& x, const glm::vec3& v, float amount, float radius,
              float dt);

    WhitewaterSettings settings_;
    std::uint64_t frame_ = 0;
    std::size_t count_ = 0;
    // The diffuse particles (capacity each).
    std::vector<glm::vec3> position_, velocity_;
    std::vector<float> life_, lifetime_;
    std::vector<Kind> kind_;
    std::vector<float> sprites_;
    // The fluid: a spatial hash of cells h wide (counting sort by bucket); in bucket order each
    // particle's index, position, velocity, cell and normal.
    std::vector<glm::ivec3> cell_;
    std::vector<std::uint32_t> bucket_of_, sorted_, bucket_start_;
    std::vector<glm::vec3> sorted_x_, sorted_v_;
    std::vector<glm::ivec3> sorted_cell_;
    std::vector<glm::vec3> normal_;
    float inv_h_ = 1.0f;
};

}  // namespace flume
