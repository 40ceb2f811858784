#include "core/sph/boundary_sampling.hpp"

#include <algorithm>
#include <cmath>

namespace flume {

namespace {

// Visits the lattice nodes p = lo + (i + 0.5) * step, i in [-layers, n + layers) per axis, of a
// box [lo, hi] whose extent is divided into n cells of about `spacing`; calls
// f(p, layers_outside, layers_inside) where layers_outside is how many layers the node lies
// outside the box (0 inside) and layers_inside how deep inside it is (0 outside). Nodes more than
// `layers` deep are skipped (no shell keeps them), so the work follows the shell, not the volume.
template <int D, class F>
void visit_box_lattice(const glm::dvec3& lo, const glm::dvec3& hi, double spacing, int layers,
                       F f) {
    IVec<D> n;
    glm::dvec3 step(0.0);
    for (int k = 0; k < D; ++k) {
        n[k] = std::max(1, static_cast<int>(std::lround((hi[k] - lo[k]) / spacing)));
        step[k] = (hi[k] - lo[k]) / n[k];
    }
    auto deep = [&](int k, int index) { return index >= layers && index < n[k] - layers; };
    IVec<D> i(-layers);
    for (;;) {
        // At the start of a deep run along axis 0, jump to its end.
        if (layers > 0 && i[0] == layers && deep(0, layers)) {
            bool across = true;
            for (int k = 1; k < D; ++k)
                across = across && deep(k, i[k]);
            if (across) i[0] = n[0] - layers;
        }
        glm::dvec3 p(0.0);
        int outside = 0;
        int inside = 1 << 30;
        for (int k = 0; k < D; ++k) {
            p[k] = lo[k] + (i[k] + 0.5) * step[k];
            const int below = -i[k], above = i[k] - n[k] + 1;  // > 0 when outside on that side
            outside = std::max({outside, below, above});
            inside = std::min({inside, i[k] + 1, n[k] - i[k]});
        }
        f(p, outside, outside > 0 ? 0 : inside);
        int k = 0;
        while (k < D && ++i[k] >= n[k] + layers) {
            i[k] = -layers;
            ++k;
        }
        if (k == D) break;
    }
}

// Points on a circle (2D) or sphere (3D) of `radius`, about `spacing` apart.
template <int D>
void sample_sphere_shell(const glm::dvec3& c, double radius, double spacing,
                         std::vector<Vec<D>>& out) {
    if constexpr (D == 2) {
        const int n = std::max(3, static_cast<int>(std::lround(2.0 * kPi * radius / spacing)));
        for (int i = 0; i < n; ++i) {
            const double a = 2.0 * kPi * i / n;
            out.push_back(
                to_vec<D>(c + glm::dvec3(radius * std::cos(a), radius * std::sin(a), 0.0)));
        }
    } else {
        // Fibonacci lattice: near-uniform points, one per spacing^2 of area.
        const int n = std::max(
            4, static_cast<int>(std::lround(4.0 * kPi * radius * radius / (spacing * spacing))));
        const double golden = kPi * (3.0 - std::sqrt(5.0));
        for (int i = 0; i < n; ++i) {
            const double y = 1.0 - 2.0 * (i + 0.5) / n;
            const double ring = std::sqrt(1.0 - y * y);
            const double a = golden * i;
            out.push_back(
                to_vec<D>(c + radius * glm::dvec3(ring * std::cos(a), y, ring * std::sin(a))));
        }
    }
}

}  // namespace

template <int D>
std::vector<Vec<D>> sample_volume(const ShapeDesc& region, double spacing) {
    std::vector<Vec<D>> points;
    const glm::dvec3 lo = region.lower(), hi = region.upper();
    IVec<D> n;
    glm::dvec3 origin(0.0);
    for (int k = 0; k < D; ++k) {
        n[k] = static_cast<int>(std::floor((hi[k] - lo[k]) / spacing + 1.0e-6));
        if (n[k] <= 0) return points;
        // Centre the lattice in the bounding box: equal gaps on both sides.
        origin[k] = lo[k] + 0.5 * ((hi[k] - lo[k]) - n[k] * spacing) + 0.5 * spacing;
    }
    IVec<D> i(0);
    for (;;) {
        glm::dvec3 p(0.0);
        for (int k = 0; k < D; ++k)
            p[k] = origin[k] + spacing * i[k];
        bool keep = true;
        if (region.shape == Shape::Sphere) {
            double d2 = 0.0;
            for (int k = 0; k < D; ++k)
                d2 += (p[k] - region.center[k]) * (p[k] - region.center[k]);
            keep = std::sqrt(d2) <= region.radius - 0.5 * spacing + 1.0e-9;
        }
        if (keep) points.push_back(to_vec<D>(p));
        int k = 0;
        while (k < D && ++i[k] >= n[k]) {
            i[k] = 0;
            ++k;
        }
        if (k == D) break;
    }
    return points;
}

template <int D>
void sample_domain_walls(const glm::dvec3& lo, const glm::dvec3& hi, double spacing, int layers,
                         BoundarySamples<D>& out) {
    visit_box_lattice<D>(lo, hi, spacing, layers,
                         [&](const glm::dvec3& p, int outside, int inside) {
                             if (outside > 0 || inside <= layers) {
                                 out.position.push_back(to_vec<D>(p));
                                 out.real.push_back(outside > 0 ? 1 : 0);
                             }
                         });
}

template <int D>
void sample_obstacle(const ShapeDesc& shape, double spacing, int layers, BoundarySamples<D>& out) {
    if (shape.shape == Shape::Box) {
        visit_box_lattice<D>(shape.min, shape.max, spacing, layers,
                             [&](const glm::dvec3& p, int outside, int inside) {
                                 if (inside > layers) return;  // deep inside: never a neighbour
                                 out.position.push_back(to_vec<D>(p));
                                 out.real.push_back(outside > 0 ? 0 : 1);
                             });
        return;
    }
    bool centre_added = false;
    for (int layer = 0; layer < layers; ++layer) {
        const double offset = (layer + 0.5) * spacing;
        sample_sphere_shell<D>(shape.center, shape.radius + offset, spacing, out.position);
        out.real.resize(out.position.size(), 0);
        if (shape.radius - offset > 0.25 * spacing) {
            sample_sphere_shell<D>(shape.center, shape.radius - offset, spacing, out.position);
            out.real.resize(out.position.size(), 1);
        } else if (!centre_added) {
            out.position.push_back(to_vec<D>(shape.center));  // the core of a small sphere
            out.real.push_back(1);
            centre_added = true;
        }
    }
}

template <int D>
void sample_mesh_shell(const DistanceField& field, bool invert, double thickness,
                       BoundarySamples<D>& out) {
    const DistanceGrid& g = field.grid();
    for (int k = 0; k < (D == 2 ? 1 : g.count.z); ++k) {
        for (int j = 0; j < g.count.y; ++j) {
            for (int i = 0; i < g.count.x; ++i) {
                const double solid = invert ? -field.node(i, j, k) : field.node(i, j, k);
                if (std::abs(solid) >= thickness) continue;
                out.position.push_back(to_vec<D>(g.position(i, j, k)));
                out.real.push_back(solid < 0.0 ? 1 : 0);
            }
        }
    }
}

template <int D>
std::vector<Vec<D>> sample_mesh_volume(const DistanceField& field, const glm::dvec3& lo,
                                       const glm::dvec3& hi, double spacing) {
    ShapeDesc bounds;
    bounds.min = lo;
    bounds.max = hi;
    std::vector<Vec<D>> points;
    for (const Vec<D>& p : sample_volume<D>(bounds, spacing)) {
        glm::dvec3 x(0.0);
        for (int k = 0; k < D; ++k)
            x[k] = p[k];
        const double limit = -0.5 * spacing * (1.0 - kFluidLayerTolerance);
        if (distance_near(field, x, limit) <= limit) points.push_back(p);
    }
    return points;
}

double distance_near(const DistanceField& field, const glm::dvec3& p, double threshold) {
    const double d = field.distance(p);
    const glm::dvec3 step = field.grid().step;
    if (std::abs(d - threshold) > 2.0 * std::max({step.x, step.y, step.z})) return d;
    DistanceField::Nearest near;
    return field.nearest(p, near) ? near.distance : d;
}

template <int D>
bool inside_grown(const ShapeDesc& shape, const Vec<D>& p, double margin) {
    if (shape.shape == Shape::Box) {
        for (int k = 0; k < D; ++k) {
            if (p[k] < shape.min[k] - margin || p[k] > shape.max[k] + margin) return false;
        }
        return true;
    }
    double d2 = 0.0;
    for (int k = 0; k < D; ++k)
        d2 += (p[k] - shape.center[k]) * (p[k] - shape.center[k]);
    return d2 < (shape.radius + margin) * (shape.radius + margin);
}

template std::vector<Vec<2>> sample_volume<2>(const ShapeDesc&, double);
template std::vector<Vec<3>> sample_volume<3>(const ShapeDesc&, double);
template void sample_domain_walls<2>(const glm::dvec3&, const glm::dvec3&, double, int,
                                     BoundarySamples<2>&);
template void sample_domain_walls<3>(const glm::dvec3&, const glm::dvec3&, double, int,
                                     BoundarySamples<3>&);
template void sample_obstacle<2>(const ShapeDesc&, double, int, BoundarySamples<2>&);
template void sample_obstacle<3>(const ShapeDesc&, double, int, BoundarySamples<3>&);
template bool inside_grown<2>(const ShapeDesc&, const Vec<2>&, double);
template void sample_mesh_shell<2>(const DistanceField&, bool, double, BoundarySamples<2>&);
template void sample_mesh_shell<3>(const DistanceField&, bool, double, BoundarySamples<3>&);
template std::vector<Vec<2>> sample_mesh_volume<2>(const DistanceField&, const glm::dvec3&,
                                                   const glm::dvec3&, double);
template std::vector<Vec<3>> sample_mesh_volume<3>(const DistanceField&, const glm::dvec3&,
                                                   const glm::dvec3&, double);
template bool inside_grown<3>(const ShapeDesc&, const Vec<3>&, double);

}  // namespace flume
