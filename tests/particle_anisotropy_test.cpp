// The anisotropic splats' ellipsoids (src/app/particle_anisotropy.hpp, Yu & Turk 2013): spheres of
// radius r inside the fluid and for a lone particle, spread along a flat surface and a sheet one
// particle thick (but no thicker than the particles along the normal), the surface where it was,
// and no allocation once reserved.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "app/particle_anisotropy.hpp"

namespace flume {
namespace {

constexpr float kRadius = 0.01f, kSpacing = 2.0f * kRadius;

// A box of n.x x n.y x n.z particles on the lattice spacing, from the origin.
std::vector<float> lattice(const glm::ivec3& n) {
    std::vector<float> p;
    for (int z = 0; z < n.z; ++z) {
        for (int y = 0; y < n.y; ++y) {
            for (int x = 0; x < n.x; ++x) {
                for (int c : {x, y, z})
                    p.push_back(kSpacing * static_cast<float>(c));
            }
        }
    }
    return p;
}

std::size_t index(const glm::ivec3& n, const glm::ivec3& at) {
    return static_cast<std::size_t>((at.z * n.y + at.y) * n.x + at.x);
}

glm::mat3 shape_of(const ParticleAnisotropy& a, std::size_t i) {
    const float* g = a.shapes() + ParticleAnisotropy::kShapeFloats * i;
    return glm::mat3(glm::vec3(g[0], g[4], g[5]), glm::vec3(g[4], g[1], g[6]),
                     glm::vec3(g[5], g[6], g[2]));
}

glm::vec3 center_of(const ParticleAnisotropy& a, std::size_t i) {
    return glm::vec3(a.centers()[3 * i], a.centers()[3 * i + 1], a.centers()[3 * i + 2]);
}

// The semi-axis of the ellipsoid |G x| <= 1 along the unit direction d: 1 / |G d| (d an axis).
float semi_axis(const glm::mat3& g, const glm::vec3& d) {
    return 1.0f / glm::length(g * d);
}

TEST(SymmetricEigen, DiagonalisesAndSortsDescending) {
    const glm::mat3 a(glm::vec3(4, 1, 0), glm::vec3(1, 3, 0.5f), glm::vec3(0, 0.5f, 1));
    glm::vec3 values;
    glm::mat3 vectors;
    symmetric_eigen(a, values, vectors);
    EXPECT_GE(values[0], values[1]);
    EXPECT_GE(values[1], values[2]);
    for (int k = 0; k < 3; ++k) {
        const glm::vec3 residual = a * vectors[k] - values[k] * vectors[k];
        EXPECT_LT(glm::length(residual), 1e-5f) << k;
        EXPECT_NEAR(glm::length(vectors[k]), 1.0f, 1e-5f);
    }
    EXPECT_NEAR(values[0] + values[1] + values[2], 8.0f, 1e-5f);  // the trace
}

TEST(ParticleAnisotropy, InsideTheFluidASphereOfRadiusR) {
    const glm::ivec3 n(12, 12, 12);
    const std::vector<float> p = lattice(n);
    ParticleAnisotropy a;
    a.reserve(p.size() / 3);
    a.compute(p.data(), p.size() / 3, kRadius);
    const std::size_t i = index(n, {6, 6, 6});
    const glm::mat3 g = shape_of(a, i);
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c)
            EXPECT_NEAR(g[c][r] * kRadius, r == c ? 1.0f : 0.0f, 1e-3f) << r << c;
    }
    EXPECT_NEAR(a.shapes()[ParticleAnisotropy::kShapeFloats * i + 3], kRadius, 1e-6f);
    EXPECT_LT(glm::length(center_of(a, i) - glm::vec3(6.0f * kSpacing)), 1e-6f);
}

TEST(ParticleAnisotropy, AtAFlatSurfaceADiscAlongIt) {
    const glm::ivec3 n(14, 8, 14);
    const std::vector<float> p = lattice(n);
    ParticleAnisotropy a;
    a.reserve(p.size() / 3);
    a.compute(p.data(), p.size() / 3, kRadius);
    const std::size_t i = index(n, {7, 7, 7});  // the middle of the top face
    const glm::mat3 g = shape_of(a, i);
    const float up = semi_axis(g, {0, 1, 0}), across = semi_axis(g, {1, 0, 0});
    EXPECT_NEAR(semi_axis(g, {0, 0, 1}), across, 1e-4f);
    // Neighbours on one side only: the covariance across is about 2.6 times that along the
    // normal (at most k_r).
    EXPECT_GT(across / up, 2.0f);
    EXPECT_LE(across / up, AnisotropySettings{}.max_ratio + 1e-4f);
    EXPECT_NEAR(up, kRadius, 1e-6f);  // as far out along the normal as the sphere
    EXPECT_GT(across, kRadius);
    // The smoothing's first step moves the centre down into the fluid, its second back up: the
    // surface stays where it was, and nothing moves sideways.
    const glm::vec3 moved = center_of(a, i) - glm::vec3(7, 7, 7) * kSpacing;
    EXPECT_LT(std::abs(moved.y), 0.05f * kRadius);
    EXPECT_LT(std::abs(moved.x) + std::abs(moved.z), 1e-6f);
}

TEST(ParticleAnisotropy, ASheetOneParticleThickStaysThin) {
    const glm::ivec3 n(16, 1, 16);
    const std::vector<float> p = lattice(n);
    ParticleAnisotropy a;
    a.compute(p.data(), p.size() / 3, kRadius);  // no reserve: compute sizes itself
    const glm::mat3 g = shape_of(a, index(n, {8, 0, 8}));
    const float thickness = semi_axis(g, {0, 1, 0});
    EXPECT_NEAR(thickness, kRadius, 1e-6f);  // as thin as the particles
    EXPECT_NEAR(semi_axis(g, {1, 0, 0}) / thickness, AnisotropySettings{}.max_ratio, 0.05f);
}

TEST(ParticleAnisotropy, ALoneParticleIsASphere) {
    const float p[] = {0, 0, 0, 1, 1, 1, 1.01f, 1, 1};
    ParticleAnisotropy a;
    a.compute(p, 3, kRadius);
    for (std::size_t i = 0; i < 3; ++i) {
        const float* g = a.shapes() + ParticleAnisotropy::kShapeFloats * i;
        EXPECT_FLOAT_EQ(g[0], 1.0f / kRadius);
        EXPECT_FLOAT_EQ(g[1], 1.0f / kRadius);
        EXPECT_FLOAT_EQ(g[2], 1.0f / kRadius);
        EXPECT_FLOAT_EQ(g[3], kRadius);
        EXPECT_EQ(g[4], 0.0f);
        EXPECT_EQ(center_of(a, i), glm::vec3(p[3 * i], p[3 * i + 1], p[3 * i + 2]));
    }
}

// Reserved for the capacity, compute() keeps its arrays (the render thread allocates nothing per
// frame); prints the time for 10,648 particles (a 3D scene's size; not asserted).
TEST(ParticleAnisotropy, AllocatesNothingOnceReservedAndItsCost) {
    const glm::ivec3 n(22, 22, 22);
    const std::vector<float> p = lattice(n);
    ParticleAnisotropy a;
    a.reserve(p.size() / 3);
    a.compute(p.data(), p.size() / 3, kRadius);  // the neighbour lists find their size
    const float* centers = a.centers();
    const float* shapes = a.shapes();
    const auto start = std::chrono::steady_clock::now();
    constexpr int kRepeats = 3;
    for (int k = 0; k < kRepeats; ++k)
        a.compute(p.data(), p.size() / 3, kRadius);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("anisotropy of %zu particles: %.1f ms\n", p.size() / 3, ms / kRepeats);
    EXPECT_EQ(a.centers(), centers);
    EXPECT_EQ(a.shapes(), shapes);
    EXPECT_EQ(a.count(), p.size() / 3);
}

}  // namespace
}  // namespace flume
