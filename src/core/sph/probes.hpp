// Probe readings (the scene's "probes", core/probes.hpp) from the state a step left: the fluid's
// positions and velocities, and the density and pressure the step computed for it.
//
//   point  Shepard-normalised SPH interpolation over the fluid within the kernel support,
//          A(x) = sum_j V_j A_j W(x - x_j) / sum_j V_j W(x - x_j), V_j = m / rho_j, for the
//          pressure, the velocity and the density; NaN when no fluid particle is that near.
//   gauge  the fluid fraction phi(y) = sum_j V_j W(x - x_j) on the vertical line, sampled every
//          r / 2 from the bottom of the domain to its top; the level is the highest height
//          where phi reaches 1/2 (linear between samples): a lattice column of fluid H high reads
//          H. No fluid on the line reads the bottom of the domain. A lone droplet stays below
//          1/2 (phi = V W(0), 0.32 in 3D, 0.45 in 2D with the cubic spline) but a clump of
//          spray above the surface counts as fluid.
//   force  the reaction of the boundary pressure force on the fluid (forces.hpp; Akinci et al.
//          2012 eq. 10): F = sum_f sum_b m rho0 V_b (p_f / rho_f^2 + p_b / rho_b^2) grad W_fb
//          over the part's boundary samples b, with p_b extrapolated from the fluid as
//          compute_pressure_terms does (Adami et al. 2012, eq. 27; the wall's acceleration
//          included). The solvers apply no viscous force at walls, so there is none here.
//          Each solver applies its wall pressure its own way (PBF as position corrections,
//          DFSPH's divergence solve apart): this one formula, from the pressure each reports,
//          serves them all. A domain wall's part is every wall sample beyond its plane (the
//          samples of a corner count for both faces that meet there). Torque about the given
//          point, else the obstacle's bounding-box centre (carried along its motion) or the
//          face's centre.
//
// Every sum runs serially in the fluid's array order, which a step leaves the same for any
// thread count: a reading has the same bits for any thread count. Arrays are sized at
// construction: a reading allocates nothing.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "core/math/portable.hpp"
#include "core/neighbours/grid.hpp"
#include "core/probes.hpp"
#include "core/scene.hpp"
#include "core/simulation.hpp"
#include "core/sph/kernels.hpp"
#include "core/sph/particles.hpp"

namespace flume {

// The part that a boundary sample belongs to: an obstacle's index, or this for a domain wall.
inline constexpr std::uint32_t kWallPart = 0xFFFFFFFEu;

// True if a probe of the scene measures a force: the simulation then keeps each sample's part.
inline bool measures_forces(const Scene& scene) {
    for (const ProbeDesc& p : scene.probes)
        if (p.type == ProbeType::Force) return true;
    return false;
}

template <int D>
class ProbeReader {
  public:
    // What a reading reads. `part` holds each boundary sample's part (kWallPart or an obstacle
    // index), in the boundary's current order (empty when no probe measures a force).
    struct State {
        const Scene& scene;
        double time;
        const FluidParticles<D>& fluid;
        const BoundaryParticles<D>& boundary;
        const NeighbourGrid<D>& boundary_grid;
        std::span<const std::uint32_t> part;
        const DerivedConstants& constants;
        KernelKind kernel;
        Vec<D> gravity;
        std::span<const BodyStatus> bodies;
        // Before the first step no density or pressure has been computed: the fluid is then
        // read as it starts, at the rest density (the lattice's, by the choice of the mass) and
        // at zero pressure.
        bool started;

        float density(std::size_t j) const {
            return started ? fluid.density[j] : constants.rest_density;
        }
        float pressure(std::size_t j) const { return started ? fluid.pressure[j] : 0.0f; }
    };

    ProbeReader() = default;

    ProbeReader(const Scene& scene, float particle_radius, std::size_t boundary_samples)
        : probes_(scene.probes), columns_(probe_columns(scene.probes, D)) {
        const double bottom = scene.domain_min[1], height = scene.domain_max[1] - bottom;
        constexpr std::size_t kMaxGaugeSamples = 1u << 16;
        std::size_t samples = static_cast<std::size_t>(height / (0.5 * particle_radius)) + 1;
        samples = std::min(std::max<std::size_t>(samples, 2), kMaxGaugeSamples);
        gauge_bottom_ = bottom;
        gauge_step_ = height / static_cast<double>(samples - 1);
        for (const ProbeDesc& p : probes_) {
            if (p.type == ProbeType::Gauge) gauge_phi_.emplace_back(samples, 0.0);
            if (p.type == ProbeType::Force) has_forces_ = true;
        }
        if (has_forces_) {
            wall_sums_.resize(boundary_samples);
            wall_term_.resize(boundary_samples);
        }
        points_.resize(probes_.size());
        centres_.resize(probes_.size());
    }

    const std::vector<ProbeColumn>& columns() const { return columns_; }
    std::size_t memory_bytes() const {
        std::size_t bytes = wall_sums_.capacity() * sizeof(WallSums) +
                            wall_term_.capacity() * sizeof(float) +
                            points_.capacity() * sizeof(Sums);
        for (const std::vector<double>& phi : gauge_phi_)
            bytes += phi.capacity() * sizeof(double);
        return bytes;
    }

    // Writes one reading, columns() in order, into `out` (columns().size() values).
    void read(const State& s, std::span<double> out) {
        with_kernel<D>(s.kernel, s.constants.support, [&](const auto& kernel) {
            interpolate(s, kernel);
            if (has_forces_) measure_forces(s, kernel);
        });
        std::size_t c = 0, gauge = 0;
        for (std::size_t i = 0; i < probes_.size(); ++i) {
            const Sums& sums = points_[i];
            switch (probes_[i].type) {
                case ProbeType::Point: {
                    const double nan = std::numeric_limits<double>::quiet_NaN();
                    const bool any = sums.weight > 0.0;
                    out[c++] = any ? sums.pressure / sums.weight : nan;
                    for (int k = 0; k < D; ++k)
                        out[c++] = any ? sums.velocity[k] / sums.weight : nan;
                    out[c++] = any ? sums.density / sums.weight : nan;
                    break;
                }
                case ProbeType::Gauge:
                    out[c++] = level(gauge_phi_[gauge++]);
                    break;
                case ProbeType::Force:
                    for (int k = 0; k < D; ++k)
                        out[c++] = sums.force[k];
                    for (int k = 0; k < (D == 2 ? 1 : 3); ++k)
                        out[c++] = sums.torque[k];
                    break;
                case ProbeType::Body: {
                    const BodyStatus& b = s.bodies[static_cast<std::size_t>(probes_[i].body)];
                    for (int k = 0; k < D; ++k)
                        out[c++] = b.position[k];
                    if (D == 2) {
                        out[c++] = 2.0 * portable::atan2(b.orientation.w, b.orientation.x) *
                                   (180.0 / portable::kPi);
                    } else {
                        for (int k = 0; k < 4; ++k)
                            out[c++] = b.orientation[k];
                    }
                    for (int k = 0; k < D; ++k)
                        out[c++] = b.velocity[k];
                    for (int k = D == 2 ? 2 : 0; k < 3; ++k)
                        out[c++] = b.angular_velocity[k];
                    for (int k = 0; k < D; ++k)
                        out[c++] = b.force[k];
                    for (int k = D == 2 ? 2 : 0; k < 3; ++k)
                        out[c++] = b.torque[k];
                    break;
                }
            }
        }
    }

  private:
    // A point's sums, or a force probe's totals.
    struct Sums {
        double weight = 0.0, pressure = 0.0, density = 0.0;
        double velocity[D] = {};
        double force[D] = {};
        double torque[3] = {};
    };

    // The kernel sums of Adami's wall pressure at one boundary sample (compute_pressure_terms).
    struct WallSums {
        float weight = 0.0f, pressure = 0.0f, density = 0.0f;
        Vec<D> moment{0.0f};
    };

    // The points' and gauges' sums, in one pass over the fluid.
    template <class K>
    void interpolate(const State& s, const K& kernel) {
        for (Sums& sums : points_)
            sums = Sums{};
        for (std::vector<double>& phi : gauge_phi_)
            std::fill(phi.begin(), phi.end(), 0.0);
        const float h = kernel.support(), h2 = h * h;
        const double mass = s.constants.particle_mass;
        const FluidParticles<D>& f = s.fluid;
        for (std::size_t j = 0; j < f.size(); ++j) {
            const Vec<D>& x = f.position[j];
            const double volume = mass / s.density(j);
            std::size_t gauge = 0;
            for (std::size_t i = 0; i < probes_.size(); ++i) {
                const ProbeDesc& p = probes_[i];
                if (p.type == ProbeType::Point) {
                    const Vec<D> d = x - to_vec<D>(p.position);
                    const float r2 = length_squared<D>(d);
                    if (r2 >= h2) continue;
                    const double vw = volume * kernel.W(std::sqrt(r2));
                    Sums& sums = points_[i];
                    sums.weight += vw;
                    sums.pressure += vw * s.pressure(j);
                    sums.density += vw * s.density(j);
                    for (int k = 0; k < D; ++k)
                        sums.velocity[k] += vw * f.velocity[j][k];
                } else if (p.type == ProbeType::Gauge) {
                    add_to_gauge(gauge_phi_[gauge++], p, x, volume, kernel);
                }
            }
        }
    }

    // Particle x's V W on the samples of a gauge's line within its support.
    template <class K>
    void add_to_gauge(std::vector<double>& phi, const ProbeDesc& p, const Vec<D>& x, double volume,
                      const K& kernel) const {
        const float h = kernel.support();
        float across2 = 0.0f;  // squared horizontal distance to the line
        for (int k = 0; k < D; k += 2) {
            const float d = x[k] - static_cast<float>(p.position[k]);
            across2 += d * d;
        }
        if (across2 >= h * h) return;
        const double y = x[1];
        const double first = std::ceil((y - h - gauge_bottom_) / gauge_step_);
        const double last = std::floor((y + h - gauge_bottom_) / gauge_step_);
        const double top = static_cast<double>(phi.size() - 1);
        for (double n = std::max(first, 0.0); n <= std::min(last, top); n += 1.0) {
            const float dy = static_cast<float>(gauge_bottom_ + n * gauge_step_ - y);
            phi[static_cast<std::size_t>(n)] += volume * kernel.W(std::sqrt(across2 + dy * dy));
        }
    }

    // The highest height where phi reaches 1/2, linear between samples; the bottom if none.
    double level(const std::vector<double>& phi) const {
        for (std::size_t n = phi.size(); n-- > 0;) {
            if (phi[n] < 0.5) continue;
            if (n + 1 == phi.size()) return gauge_bottom_ + static_cast<double>(n) * gauge_step_;
            const double t = (phi[n] - 0.5) / (phi[n] - phi[n + 1]);
            return gauge_bottom_ + (static_cast<double>(n) + t) * gauge_step_;
        }
        return gauge_bottom_;
    }

    // True if sample b belongs to force probe p.
    bool in_part(const State& s, const ProbeDesc& p, std::size_t b) const {
        if (p.obstacle >= 0) return s.part[b] == static_cast<std::uint32_t>(p.obstacle);
        if (s.part[b] != kWallPart) return false;
        const float x = s.boundary.position[b][p.wall_axis];
        return p.wall_upper ? x > static_cast<float>(s.scene.domain_max[p.wall_axis])
                            : x < static_cast<float>(s.scene.domain_min[p.wall_axis]);
    }

    bool probed(const State& s, std::size_t b) const {
        for (const ProbeDesc& p : probes_)
            if (p.type == ProbeType::Force && in_part(s, p, b)) return true;
        return false;
    }

    // Where a force probe takes its torque about, now.
    glm::dvec3 torque_centre(const State& s, const ProbeDesc& p) const {
        if (p.has_about) return p.about;
        if (p.obstacle >= 0) {
            const ShapeDesc& shape = s.scene.obstacles[static_cast<std::size_t>(p.obstacle)];
            const glm::dvec3 centre = 0.5 * (shape.lower() + shape.upper());
            return shape.motion.moves() ? shape.motion.at(s.time).apply(centre) : centre;
        }
        glm::dvec3 c = 0.5 * (s.scene.domain_min + s.scene.domain_max);
        if (D == 2) c.z = 0.0;
        c[p.wall_axis] =
            p.wall_upper ? s.scene.domain_max[p.wall_axis] : s.scene.domain_min[p.wall_axis];
        return c;
    }

    // Two passes over the fluid's boundary neighbours: the wall pressure of every probed sample,
    // then each pair's force on the probes whose part holds the sample.
    template <class K>
    void measure_forces(const State& s, const K& kernel) {
        const FluidParticles<D>& f = s.fluid;
        const Vec<D>* xb = s.boundary.position.data();
        const float h = kernel.support();
        for (std::size_t b = 0; b < s.boundary.size(); ++b)
            wall_sums_[b] = probed(s, b) ? WallSums{} : WallSums{-1.0f};
        for (std::size_t j = 0; j < f.size(); ++j) {
            s.boundary_grid.for_each_neighbour(
                f.position[j], xb, h, [&](std::uint32_t b, const Vec<D>& xfb, float r) {
                    WallSums& w = wall_sums_[b];
                    if (w.weight < 0.0f) return;
                    const float wf = kernel.W(r);
                    w.weight += wf;
                    w.pressure += s.pressure(j) * wf;
                    w.density += s.density(j) * wf;
                    w.moment -= xfb * (s.density(j) * wf);  // (x_b - x_f) rho_f W
                });
        }
        const bool moving = s.boundary.moving();
        for (std::size_t b = 0; b < s.boundary.size(); ++b) {
            const WallSums& w = wall_sums_[b];
            if (!(w.weight > 0.0f)) {
                wall_term_[b] = 0.0f;
                continue;
            }
            const Vec<D> g = moving ? s.gravity - s.boundary.acceleration[b] : s.gravity;
            const float p = std::max((w.pressure + dot<D>(g, w.moment)) / w.weight, 0.0f);
            const float rho = w.density / w.weight;
            wall_term_[b] = p / (rho * rho);
        }
        for (std::size_t i = 0; i < probes_.size(); ++i) {
            if (probes_[i].type == ProbeType::Force) centres_[i] = torque_centre(s, probes_[i]);
        }
        const double mass = s.constants.particle_mass, rho0 = s.constants.rest_density;
        for (std::size_t j = 0; j < f.size(); ++j) {
            const double fluid_term = s.pressure(j) / (s.density(j) * s.density(j));
            s.boundary_grid.for_each_neighbour(
                f.position[j], xb, h, [&](std::uint32_t b, const Vec<D>& xfb, float r) {
                    if (wall_sums_[b].weight < 0.0f) return;
                    const Vec<D> grad = kernel.gradient(xfb, r);
                    const double scale =
                        mass * rho0 * s.boundary.volume[b] * (fluid_term + wall_term_[b]);
                    for (std::size_t i = 0; i < probes_.size(); ++i) {
                        const ProbeDesc& p = probes_[i];
                        if (p.type == ProbeType::Force && in_part(s, p, b))
                            add_force(points_[i], centres_[i], xb[b], grad, scale);
                    }
                });
        }
    }

    static void add_force(Sums& sums, const glm::dvec3& centre, const Vec<D>& at,
                          const Vec<D>& grad, double scale) {
        glm::dvec3 force(0.0), arm(0.0);
        for (int k = 0; k < D; ++k) {
            force[k] = scale * grad[k];
            arm[k] = at[k] - centre[k];
            sums.force[k] += force[k];
        }
        const glm::dvec3 torque = glm::cross(arm, force);
        if (D == 2) {
            sums.torque[0] += torque.z;
        } else {
            for (int k = 0; k < 3; ++k)
                sums.torque[k] += torque[k];
        }
    }

    std::vector<ProbeDesc> probes_;
    std::vector<ProbeColumn> columns_;
    std::vector<Sums> points_;                    // per probe (points and forces)
    std::vector<std::vector<double>> gauge_phi_;  // per gauge, phi at each sample
    double gauge_bottom_ = 0.0, gauge_step_ = 1.0;
    bool has_forces_ = false;
    std::vector<WallSums> wall_sums_;  // per boundary sample; weight -1: not probed
    std::vector<float> wall_term_;     // per boundary sample, p_b / rho_b^2
    std::vector<glm::dvec3> centres_;  // per probe, a force's torque centre this reading
};

}  // namespace flume
