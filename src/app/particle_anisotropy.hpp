// Anisotropic splats for the fluid surface (3D): each particle drawn as the ellipsoid of its
// neighbourhood's weighted covariance, after Yu & Turk 2013 ("Reconstructing surfaces of
// particle-based fluids using anisotropic kernels", ACM TOG 32(1)), so that a flat surface is
// flat and a thin sheet stays thin instead of a row of bumps, one per particle.
//
// Per particle i, over its neighbours j within R (a spatial hash of cells R wide):
//   w_ij = 1 - (|x_j - x_i| / R)^3                                        (paper, eq. 11)
//   mean m_i = sum w_ij x_j / sum w_ij                                    (eq. 6)
//   C_i = sum w_ij (x_j - m_i)(x_j - m_i)^T / sum w_ij                    (eq. 7)
//   C_i = Q diag(s1 >= s2 >= s3) Q^T, s_k clamped to >= s1 / max_ratio    (eq. 10, k_r)
//   centre  x_i' = (1 - lambda) x_i + lambda m_i   (Laplacian smoothing of the centres, eq. 5),
//           then x_i'' = x_i' - mu (m_i' - x_i') over the same neighbours (Taubin 1995), so
//           that the smoothing flattens the surface without shrinking the fluid
// The ellipsoid's semi-axes along Q's columns are r s_k / s3: proportional to the eigenvalues as
// in the paper, the shortest r, so the inside of the fluid keeps spheres of radius r and at a
// surface the splat reaches as far out along the normal as the particle's sphere did (scaled to
// the sphere's volume instead, the surface moved in by half a radius and a pool's silhouette
// shrank by 5%), while it spreads along the surface. Fewer than `min_neighbours` neighbours
// (spray): a sphere of radius r at the particle.
//
// What a splat needs, per particle: its centre (3 floats) and the matrix G that maps the ellipsoid
// onto the unit ball, {x : |G (x - c)| <= 1}, symmetric, as 8 floats: (Gxx, Gyy, Gzz, bound),
// (Gxy, Gxz, Gyz, 0), bound the longest semi-axis (the splat's quad). Isotropic: G = I / r.
//
// Usage: reserve() once per scene for its capacity, then compute() when the particles changed;
// compute() allocates nothing once reserved (the hash table is sized for the capacity). Runs on
// the render thread, one core, in both builds; about 10k particles of a 3D scene per frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <glm/glm.hpp>
#include <vector>

namespace flume {

struct AnisotropySettings {
    float neighbourhood = 6.0f;  // R, in particle radii (3 spacings)
    float smoothing = 0.9f;      // lambda: how far the centres move to their neighbours' mean
    // -mu: how far they move back (Taubin's second step, > lambda): 1.45 leaves the top layer of
    // a flat surface where it was (tests/particle_anisotropy_test.cpp).
    float unshrinking = 1.45f;
    float max_ratio = 4.0f;   // k_r: the largest axis over the smallest
    int min_neighbours = 10;  // fewer (the particle itself not counted): a sphere
};

class ParticleAnisotropy {
  public:
    static constexpr int kShapeFloats = 8;

    // Room for `particles` (once per scene): no allocation in compute() up to that many.
    void reserve(std::size_t particles);
    // The ellipsoids of `count` particles (3 floats each) of radius `radius`.
    void compute(const float* positions, std::size_t count, float radius,
                 const AnisotropySettings& settings = {});

    std::size_t count() const { return count_; }
    const float* centers() const { return centers_.data(); }  // 3 floats a particle
    const float* shapes() const { return shapes_.data(); }    // kShapeFloats a particle

  private:
    std::size_t count_ = 0;
    std::vector<float> centers_, shapes_;
    // The spatial hash: each particle's cell, the particles sorted by bucket, each bucket's start.
    std::vector<glm::ivec3> cell_;
    std::vector<std::uint32_t> bucket_of_, sorted_, bucket_start_;
    // Each particle's neighbours and weights (from neighbour_start_[i]), for the second step of
    // the centres' smoothing; the first step's centres, the weights' sums, whether smoothed.
    struct Neighbour {
        std::uint32_t index;
        float weight;
    };
    std::vector<Neighbour> neighbours_;
    std::vector<std::uint32_t> neighbour_start_;
    std::vector<glm::vec3> first_pass_;
    std::vector<float> weight_sum_;
    std::vector<unsigned char> smoothed_;
};

// The eigenvalues (descending) and unit eigenvectors (columns, matching) of a symmetric 3x3
// matrix, by cyclic Jacobi rotations.
void symmetric_eigen(const glm::mat3& a, glm::vec3& values, glm::mat3& vectors);

}  // namespace flume
