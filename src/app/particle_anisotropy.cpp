#include "app/particle_anisotropy.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace flume {

namespace {

std::size_t bucket_count_for(std::size_t particles) {
    std::size_t n = 64;
    while (n < 2 * particles)
        n *= 2;
    return n;
}

std::uint32_t hash_cell(const glm::ivec3& c, std::size_t buckets) {
    // Teschner et al. 2003's primes; `buckets` is a power of two.
    const std::uint32_t h = (static_cast<std::uint32_t>(c.x) * 73856093u) ^
                            (static_cast<std::uint32_t>(c.y) * 19349663u) ^
                            (static_cast<std::uint32_t>(c.z) * 83492791u);
    return h & static_cast<std::uint32_t>(buckets - 1);
}

}  // namespace

void symmetric_eigen(const glm::mat3& m, glm::vec3& values, glm::mat3& vectors) {
    double a[3][3], v[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j)
            a[i][j] = m[j][i];
    }
    for (int sweep = 0; sweep < 12; ++sweep) {
        const double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
        const double diagonal = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2];
        if (off <= 1e-24 * diagonal || off == 0.0) break;
        for (const auto& [p, q] : {std::pair{0, 1}, {0, 2}, {1, 2}}) {
            if (a[p][q] == 0.0) continue;
            // The rotation that zeroes a[p][q] (Golub & Van Loan, 8.4.2).
            const double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            const double t =
                (theta >= 0.0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
            const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
            for (int k = 0; k < 3; ++k) {  // a = a J
                const double akp = a[k][p], akq = a[k][q];
                a[k][p] = c * akp - s * akq;
                a[k][q] = s * akp + c * akq;
            }
            for (int k = 0; k < 3; ++k) {  // a = J^T a
                const double apk = a[p][k], aqk = a[q][k];
                a[p][k] = c * apk - s * aqk;
                a[q][k] = s * apk + c * aqk;
            }
            for (int k = 0; k < 3; ++k) {  // v = v J
                const double vkp = v[k][p], vkq = v[k][q];
                v[k][p] = c * vkp - s * vkq;
                v[k][q] = s * vkp + c * vkq;
            }
        }
    }
    int order[3] = {0, 1, 2};
    std::sort(order, order + 3, [&](int i, int j) { return a[i][i] > a[j][j]; });
    for (int k = 0; k < 3; ++k) {
        values[k] = static_cast<float>(a[order[k]][order[k]]);
        for (int row = 0; row < 3; ++row)
            vectors[k][row] = static_cast<float>(v[row][order[k]]);
    }
}

void ParticleAnisotropy::reserve(std::size_t particles) {
    centers_.resize(3 * particles);
    shapes_.resize(kShapeFloats * particles);
    cell_.resize(particles);
    bucket_of_.resize(particles);
    sorted_.resize(particles);
    bucket_start_.resize(bucket_count_for(particles) + 1);
    neighbour_start_.resize(particles + 1);
    first_pass_.resize(particles);
    weight_sum_.resize(particles);
    smoothed_.resize(particles);
    // neighbours_ (about 113 a particle inside the fluid at R = 3 spacings) grows in the first
    // compute() to what the particles need and keeps its room after.
}

void ParticleAnisotropy::compute(const float* positions, std::size_t count, float radius,
                                 const AnisotropySettings& settings) {
    if (count > cell_.size()) reserve(count);  // more than the scene's capacity: grows once
    count_ = count;
    const std::size_t buckets = bucket_start_.size() - 1;
    const float reach = settings.neighbourhood * radius, reach2 = reach * reach;
    auto at = [&](std::size_t i) {
        return glm::vec3(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]);
    };

    // Counting sort of the particles by bucket.
    std::fill(bucket_start_.begin(), bucket_start_.end(), 0u);
    for (std::size_t i = 0; i < count; ++i) {
        cell_[i] = glm::ivec3(glm::floor(at(i) / reach));
        bucket_of_[i] = hash_cell(cell_[i], buckets);
        ++bucket_start_[bucket_of_[i] + 1];
    }
    for (std::size_t b = 0; b < buckets; ++b)
        bucket_start_[b + 1] += bucket_start_[b];
    for (std::size_t i = 0; i < count; ++i)
        sorted_[bucket_start_[bucket_of_[i]]++] = static_cast<std::uint32_t>(i);
    for (std::size_t b = buckets; b > 0; --b)  // back to the starts
        bucket_start_[b] = bucket_start_[b - 1];
    bucket_start_[0] = 0;

    const float sphere = 1.0f / radius;
    neighbours_.clear();
    for (std::size_t i = 0; i < count; ++i) {
        neighbour_start_[i] = static_cast<std::uint32_t>(neighbours_.size());
        const glm::vec3 xi = at(i);
        // Sums relative to x_i (no cancellation far from the origin).
        float weights = 0.0f;
        glm::vec3 first(0.0f);
        glm::mat3 second(0.0f);
        int neighbours = 0;
        for (int dz = -1; dz <= 1; ++dz) {
            for (int dy = -1; dy <= 1; ++dy) {
                for (int dx = -1; dx <= 1; ++dx) {
                    const glm::ivec3 cell = cell_[i] + glm::ivec3(dx, dy, dz);
                    const std::uint32_t b = hash_cell(cell, buckets);
                    for (std::uint32_t k = bucket_start_[b]; k < bucket_start_[b + 1]; ++k) {
                        const std::uint32_t j = sorted_[k];
                        if (cell_[j] != cell) continue;  // another cell in the same bucket
                        const glm::vec3 d = at(j) - xi;
                        const float d2 = glm::dot(d, d);
                        if (d2 >= reach2) continue;
                        const float q = std::sqrt(d2) / reach;
                        const float w = 1.0f - q * q * q;
                        neighbours_.push_back({j, w});
                        weights += w;
                        first += w * d;
                        second += w * glm::outerProduct(d, d);
                        neighbours += j != i;
                    }
                }
            }
        }
        const glm::vec3 mean = first / weights;  // relative to x_i; the particle itself has w = 1
        glm::vec3 center = xi + settings.smoothing * mean;
        weight_sum_[i] = weights;
        float* g = &shapes_[kShapeFloats * i];
        smoothed_[i] = neighbours >= settings.min_neighbours;
        if (!smoothed_[i]) {
            center = xi;
            g[0] = g[1] = g[2] = sphere;
            g[3] = radius;
            g[4] = g[5] = g[6] = g[7] = 0.0f;
        } else {
            const glm::mat3 covariance = second / weights - glm::outerProduct(mean, mean);
            glm::vec3 s;
            glm::mat3 q;
            symmetric_eigen(covariance, s, q);
            s = glm::max(s, glm::vec3(std::max(s[0], 0.0f) / settings.max_ratio));
            if (!(s[2] > 0.0f)) s = glm::vec3(1.0f);  // degenerate (all on one point): a sphere
            const float scale = radius / s[2];
            const glm::vec3 axes = scale * s;
            // G = Q diag(1 / axes) Q^T.
            const glm::mat3 shape = q *
                                    glm::mat3(glm::vec3(1.0f / axes[0], 0.0f, 0.0f),
                                              glm::vec3(0.0f, 1.0f / axes[1], 0.0f),
                                              glm::vec3(0.0f, 0.0f, 1.0f / axes[2])) *
                                    glm::transpose(q);
            g[0] = shape[0][0];
            g[1] = shape[1][1];
            g[2] = shape[2][2];
            g[3] = axes[0];
            g[4] = shape[1][0];
            g[5] = shape[2][0];
            g[6] = shape[2][1];
            g[7] = 0.0f;
        }
        first_pass_[i] = center;
    }
    neighbour_start_[count] = static_cast<std::uint32_t>(neighbours_.size());

    // Taubin's second step (1995, "A signal processing approach to fair surface design"): the
    // smoothing backwards, x'' = x' - mu (mean' - x'), over the same neighbours and weights. The
    // first step moved the particles at a surface inward (their neighbours all lie on one side):
    // by about a spacing, enough to shrink a pool's silhouette by 16%; this one moves them back
    // out, while the jitter of one particle against its neighbours, damped by the first step
    // (to 0.1), stays damped (to 0.25).
    for (std::size_t i = 0; i < count; ++i) {
        glm::vec3 center = first_pass_[i];
        if (smoothed_[i]) {
            glm::vec3 sum(0.0f);
            for (std::uint32_t k = neighbour_start_[i]; k < neighbour_start_[i + 1]; ++k)
                sum += neighbours_[k].weight * (first_pass_[neighbours_[k].index] - center);
            center -= settings.unshrinking * (sum / weight_sum_[i]);
        }
        centers_[3 * i] = center.x;
        centers_[3 * i + 1] = center.y;
        centers_[3 * i + 2] = center.z;
    }
}

}  // namespace flume
