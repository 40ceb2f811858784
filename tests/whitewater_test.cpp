// Whitewater (src/app/whitewater.hpp, Ihmsen et al. 2012): a still pool makes none, a splash
// does; each diffuse particle is spray, foam or bubble by its fluid neighbours; the capacity
// holds; the same seed gives the same particles and another seed others; no allocation once
// reserved, and the cost of a frame of a 3D scene's size (printed, not asserted).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "app/whitewater.hpp"

namespace flume {
namespace {

constexpr float kRadius = 0.01f, kSpacing = 2.0f * kRadius, kDt = 1.0f / 60.0f;
const glm::vec3 kGravity(0.0f, -9.81f, 0.0f);
const glm::vec3 kDomainMin(-1.0f), kDomainMax(2.0f);

struct Fluid {
    std::vector<float> x, v;
    std::size_t count() const { return x.size() / 3; }
};

// A block of n.x x n.y x n.z particles on the lattice spacing, from the origin, at rest.
Fluid block(const glm::ivec3& n) {
    Fluid f;
    for (int z = 0; z < n.z; ++z) {
        for (int y = 0; y < n.y; ++y) {
            for (int x = 0; x < n.x; ++x) {
                for (int c : {x, y, z}) {
                    f.x.push_back(kSpacing * static_cast<float>(c));
                    f.v.push_back(0.0f);
                }
            }
        }
    }
    return f;
}

// A wave crashing: the block's upper half thrown sideways at 3 m/s, each particle a little
// differently (a fixed pattern), and a few lone drops above it.
Fluid splash(const glm::ivec3& n) {
    Fluid f = block(n);
    for (std::size_t i = 0; i < f.count(); ++i) {
        if (f.x[3 * i + 1] < 0.5f * kSpacing * static_cast<float>(n.y)) continue;
        const float wobble = static_cast<float>((i * 2654435761u) % 1000) / 1000.0f;
        f.v[3 * i] = 3.0f + wobble;
        f.v[3 * i + 1] = 1.5f * wobble - 0.5f;
        f.v[3 * i + 2] = 1.0f - 2.0f * wobble;
    }
    for (int k = 0; k < 20; ++k) {  // drops, 5 spacings apart, 0.2 m over the block
        f.x.insert(f.x.end(), {0.1f * static_cast<float>(k % 5),
                               0.6f + 0.1f * static_cast<float>(k / 5), 0.1f});
        f.v.insert(f.v.end(), {2.0f, 1.0f, 0.0f});
    }
    return f;
}

void step(Whitewater& w, const Fluid& f, float dt = kDt) {
    w.update(f.x.data(), f.v.data(), f.count(), kRadius, kGravity, dt, kDomainMin, kDomainMax);
}

int fluid_neighbours(const Fluid& f, const glm::vec3& p, float h) {
    int n = 0;
    for (std::size_t j = 0; j < f.count(); ++j) {
        const glm::vec3 d = p - glm::vec3(f.x[3 * j], f.x[3 * j + 1], f.x[3 * j + 2]);
        if (glm::dot(d, d) < h * h) ++n;
    }
    return n;
}

TEST(Whitewater, AStillPoolMakesNone) {
    const Fluid pool = block({20, 10, 20});
    Whitewater w;
    w.reserve(pool.count());
    for (int frame = 0; frame < 30; ++frame)
        step(w, pool);
    EXPECT_EQ(w.count(), 0u);
}

TEST(Whitewater, ASplashMakesSome) {
    const Fluid wave = splash({20, 10, 20});
    Whitewater w;
    w.reserve(wave.count());
    step(w, wave);
    EXPECT_GT(w.count(), 100u);
    // Paused (dt 0): nothing moves, nothing is born.
    const std::size_t before = w.count();
    const glm::vec3 first = w.positions()[0];
    step(w, wave, 0.0f);
    EXPECT_EQ(w.count(), before);
    EXPECT_EQ(w.positions()[0], first);
}

// Spray has fewer than 6 fluid neighbours within h, bubbles more than 20, foam the rest (section
// 4.3). The particles are classified where they are at the start of a frame: a frame of 1e-9 s
// (in which none dies or is born) classifies them where they were made.
TEST(Whitewater, ClassifiesByFluidNeighbours) {
    const Fluid wave = splash({20, 10, 20});
    Whitewater w;
    const WhitewaterSettings settings;
    w.reserve(wave.count(), settings);
    step(w, wave);
    Fluid still = wave;
    std::fill(still.v.begin(), still.v.end(), 0.0f);
    std::vector<glm::vec3> made(w.positions(), w.positions() + w.count());
    step(w, still, 1e-9f);
    ASSERT_EQ(w.count(), made.size());  // none dead, none born
    const float h = settings.support * kRadius;
    std::size_t kinds[3] = {0, 0, 0};
    for (std::size_t i = 0; i < w.count(); ++i) {
        const int n = fluid_neighbours(still, made[i], h);
        const Whitewater::Kind expected = n < settings.spray_neighbours    ? Whitewater::Spray
                                          : n > settings.bubble_neighbours ? Whitewater::Bubble
                                                                           : Whitewater::Foam;
        EXPECT_EQ(w.kinds()[i], expected) << "particle " << i << " with " << n << " neighbours";
        ++kinds[w.kinds()[i]];
    }
    EXPECT_EQ(kinds[0], w.count_of(Whitewater::Spray));
    EXPECT_EQ(kinds[1], w.count_of(Whitewater::Foam));
    EXPECT_EQ(kinds[2], w.count_of(Whitewater::Bubble));
    // The lone drops make spray, the surface foam, the inside of the wave bubbles.
    EXPECT_GT(kinds[0], 0u);
    EXPECT_GT(kinds[1], 0u);
    EXPECT_GT(kinds[2], 0u);
}

TEST(Whitewater, SprayFalls) {
    // One lone drop flying up makes spray; it slows and falls under gravity.
    Fluid drop;
    drop.x = {0.5f, 0.5f, 0.5f};
    drop.v = {0.0f, 3.0f, 0.0f};
    WhitewaterSettings settings;
    settings.trapped_air = {0.0f, 1.0f};  // a lone particle has no neighbours: only its crest
    settings.wave_crest = {-1.0f, 0.0f};  // Phi = 1 everywhere
    Whitewater w;
    w.reserve(drop.count(), settings);
    step(w, drop);
    ASSERT_GT(w.count(), 0u);
    Fluid gone = drop;
    gone.x = {5.0f, 5.0f, 5.0f};  // the fluid far away: the diffuse particles are alone
    gone.v = {0.0f, 0.0f, 0.0f};
    const float y0 = w.positions()[0].y;
    for (int frame = 0; frame < 40; ++frame)
        step(w, gone);
    ASSERT_GT(w.count(), 0u);
    EXPECT_EQ(w.kinds()[0], Whitewater::Spray);
    EXPECT_LT(w.positions()[0].y, y0);  // up at 3 m/s, below where it began after 0.6 s
}

// More fluid than reserved (an emitter's scene): the fluid's arrays grow, the diffuse particles
// stay.
TEST(Whitewater, MoreFluidThanReservedKeepsTheWhitewater) {
    const Fluid small = splash({10, 10, 10}), large = splash({20, 10, 20});
    Whitewater w;
    w.reserve(small.count());
    step(w, small);
    const std::size_t made = w.count();
    ASSERT_GT(made, 0u);
    step(w, large);
    EXPECT_GT(w.count(), made);
}

TEST(Whitewater, KeepsToItsCapacity) {
    const Fluid wave = splash({20, 10, 20});
    WhitewaterSettings settings;
    settings.capacity = 100;
    Whitewater w;
    w.reserve(wave.count(), settings);
    for (int frame = 0; frame < 5; ++frame) {
        step(w, wave);
        EXPECT_LE(w.count(), 100u);
    }
    EXPECT_EQ(w.count(), 100u);
    EXPECT_EQ(w.capacity(), 100u);
}

TEST(Whitewater, SameSeedSameParticles) {
    const Fluid wave = splash({20, 10, 20});
    auto run = [&](std::uint32_t seed) {
        WhitewaterSettings settings;
        settings.seed = seed;
        Whitewater w;
        w.reserve(wave.count(), settings);
        for (int frame = 0; frame < 10; ++frame)
            step(w, wave);
        return std::vector<float>(w.sprites(), w.sprites() + Whitewater::kSpriteFloats * w.count());
    };
    const std::vector<float> a = run(7), b = run(7), c = run(8);
    ASSERT_FALSE(a.empty());
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
    EXPECT_NE(a, c);
}

// Reserved, update() keeps its arrays; prints the cost of a frame of about 10k fluid particles
// (a 3D scene's size) with the diffuse particles it makes (not asserted).
TEST(Whitewater, AllocatesNothingOnceReservedAndItsCost) {
    const Fluid wave = splash({22, 22, 22});
    Whitewater w;
    w.reserve(wave.count());
    const glm::vec3* positions = w.positions();
    const float* sprites = w.sprites();
    step(w, wave);
    constexpr int kFrames = 10;
    const auto start = std::chrono::steady_clock::now();
    for (int frame = 0; frame < kFrames; ++frame)
        step(w, wave);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("whitewater of %zu fluid particles, %zu diffuse: %.2f ms a frame\n", wave.count(),
                w.count(), ms / kFrames);
    EXPECT_EQ(w.positions(), positions);
    EXPECT_EQ(w.sprites(), sprites);
    EXPECT_EQ(w.capacity(), WhitewaterSettings{}.capacity);
}

}  // namespace
}  // namespace flume
