#include "core/geometry/distance_field.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/math/portable.hpp"
#include "core/worker_pool.hpp"

namespace flume {

namespace {

// In the order of the pseudonormals stored per triangle.
enum class Feature { Face, EdgeAB, EdgeBC, EdgeCA, VertexA, VertexB, VertexC };

struct TrianglePoint {
    glm::dvec3 point;
    Feature feature;
};

// The point of triangle abc nearest to p and the feature it lies on (Ericson, Real-Time
// Collision Detection, 5.1.5: the Voronoi regions of the vertices, then the edges, then the face).
TrianglePoint nearest_on_triangle(const glm::dvec3& p, const glm::dvec3& a, const glm::dvec3& b,
                                  const glm::dvec3& c) {
    const glm::dvec3 ab = b - a, ac = c - a, ap = p - a;
    const double d1 = glm::dot(ab, ap), d2 = glm::dot(ac, ap);
    if (d1 <= 0.0 && d2 <= 0.0) return {a, Feature::VertexA};
    const glm::dvec3 bp = p - b;
    const double d3 = glm::dot(ab, bp), d4 = glm::dot(ac, bp);
    if (d3 >= 0.0 && d4 <= d3) return {b, Feature::VertexB};
    const double vc = d1 * d4 - d3 * d2;
    if (vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0) {
        const double v = d1 / (d1 - d3);
        return {a + v * ab, Feature::EdgeAB};
    }
    const glm::dvec3 cp = p - c;
    const double d5 = glm::dot(ab, cp), d6 = glm::dot(ac, cp);
    if (d6 >= 0.0 && d5 <= d6) return {c, Feature::VertexC};
    const double vb = d5 * d2 - d1 * d6;
    if (vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0) {
        const double w = d2 / (d2 - d6);
        return {a + w * ac, Feature::EdgeCA};
    }
    const double va = d3 * d6 - d5 * d4;
    if (va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0) {
        const double w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
        return {b + w * (c - b), Feature::EdgeBC};
    }
    const double denom = 1.0 / (va + vb + vc);
    const double v = vb * denom, w = vc * denom;
    return {a + ab * v + ac * w, Feature::Face};
}

glm::dvec3 unit_or_zero(const glm::dvec3& v) {
    const double l2 = glm::dot(v, v);
    return l2 > 0.0 ? v / std::sqrt(l2) : glm::dvec3(0.0);
}

// The angle-weighted pseudonormals of every face, edge and vertex: the sign of the distance to a
// closed mesh is the sign of (p - nearest point) . (pseudonormal of the nearest feature).
struct Pseudonormals {
    std::vector<glm::dvec3> face;    // per triangle
    std::vector<glm::dvec3> edge;    // per triangle, 3: ab, bc, ca
    std::vector<glm::dvec3> vertex;  // per vertex

    explicit Pseudonormals(const TriangleMesh& mesh) {
        const std::size_t nt = mesh.triangles.size();
        face.resize(nt);
        vertex.assign(mesh.vertices.size(), glm::dvec3(0.0));
        for (std::size_t t = 0; t < nt; ++t) {
            const glm::u32vec3 tri = mesh.triangles[t];
            const glm::dvec3 a = mesh.vertices[tri[0]], b = mesh.vertices[tri[1]],
                             c = mesh.vertices[tri[2]];
            face[t] = unit_or_zero(glm::cross(b - a, c - a));
            for (int corner = 0; corner < 3; ++corner) {
                const glm::dvec3 v = mesh.vertices[tri[corner]];
                const glm::dvec3 u = mesh.vertices[tri[(corner + 1) % 3]] - v;
                const glm::dvec3 w = mesh.vertices[tri[(corner + 2) % 3]] - v;
                const double angle = portable::atan2(glm::length(glm::cross(u, w)), glm::dot(u, w));
                vertex[tri[corner]] += angle * face[t];
            }
        }
        // Each edge's neighbour: the triangle that runs along it the other way.
        struct Directed {
            std::uint32_t a, b, slot;  // slot = 3 * triangle + edge
            bool operator<(const Directed& o) const { return a != o.a ? a < o.a : b < o.b; }
        };
        std::vector<Directed> edges;
        edges.reserve(3 * nt);
        for (std::size_t t = 0; t < nt; ++t) {
            for (std::uint32_t e = 0; e < 3; ++e) {
                edges.push_back({mesh.triangles[t][e], mesh.triangles[t][(e + 1) % 3],
                                 static_cast<std::uint32_t>(3 * t + e)});
            }
        }
        std::sort(edges.begin(), edges.end());
        edge.assign(3 * nt, glm::dvec3(0.0));
        for (const Directed& d : edges) {
            glm::dvec3 n = face[d.slot / 3];
            const auto it = std::lower_bound(edges.begin(), edges.end(), Directed{d.b, d.a, 0});
            if (it != edges.end() && it->a == d.b && it->b == d.a) n += face[it->slot / 3];
            edge[d.slot] = n;
        }
    }

    // Per triangle, in Feature order: face, edges ab, bc, ca, corners a, b, c.
    std::vector<glm::dvec3> flat(const TriangleMesh& mesh) const {
        std::vector<glm::dvec3> out;
        out.reserve(7 * face.size());
        for (std::size_t t = 0; t < face.size(); ++t) {
            out.push_back(face[t]);
            for (int e = 0; e < 3; ++e)
                out.push_back(edge[3 * t + static_cast<std::size_t>(e)]);
            for (int c = 0; c < 3; ++c)
                out.push_back(vertex[mesh.triangles[t][c]]);
        }
        return out;
    }
};

constexpr std::uint32_t kNone = 0xFFFFFFFFu;

// The signed distance from p to triangle t and its nearest point.
DistanceField::Nearest signed_nearest(const glm::dvec3& p, const std::vector<glm::dvec3>& vertices,
                                      const glm::u32vec3& tri, const glm::dvec3* normals) {
    const TrianglePoint near =
        nearest_on_triangle(p, vertices[tri[0]], vertices[tri[1]], vertices[tri[2]]);
    const glm::dvec3 d = p - near.point;
    const double length = std::sqrt(glm::dot(d, d));
    const bool inside = glm::dot(d, normals[static_cast<int>(near.feature)]) < 0.0;
    return {inside ? -length : length, near.point};
}

// Slabs of this many z layers are the unit of parallel work.
constexpr int kSlabLayers = 4;

}  // namespace

DistanceGrid DistanceGrid::around(const glm::dvec3& lower, const glm::dvec3& upper, double spacing,
                                  int margin) {
    DistanceGrid g;
    g.origin = lower;
    for (int k = 0; k < 3; ++k) {
        const int n = std::max(1, static_cast<int>(std::lround((upper[k] - lower[k]) / spacing)));
        g.step[k] = (upper[k] - lower[k]) / n;
        if (!(g.step[k] > 0.0)) g.step[k] = spacing;  // a flat extent: one node across
        g.first[k] = -margin;
        g.count[k] = n + 2 * margin;
    }
    return g;
}

namespace {

// A node index v (a whole number, or NaN) bounded to [lo, hi] before it becomes an int: a
// triangle far from the grid, or an axis whose step is tiny, gives an index far out of range.
// NaN gives lo.
int node_index(double v, int lo, int hi) {
    if (!(v > lo)) return lo;
    if (v > hi) return hi;
    return static_cast<int>(v);
}

}  // namespace

DistanceField::DistanceField(const TriangleMesh& mesh, const DistanceGrid& grid, double band,
                             WorkerPool& pool)
    : grid_(grid),
      band_(band),
      value_(grid.node_count()),
      triangle_(grid.node_count(), kNone),
      vertices_(mesh.vertices),
      triangles_(mesh.triangles) {
    const Pseudonormals pseudonormals(mesh);
    normals_ = pseudonormals.flat(mesh);
    const std::size_t nt = mesh.triangles.size();
    const glm::ivec3 n = grid_.count;
    // Each triangle's nodes within the band: a box of indices.
    auto node_range = [&](std::size_t t, glm::ivec3& lo, glm::ivec3& hi) {
        const glm::u32vec3 tri = mesh.triangles[t];
        const glm::dvec3 tlo =
            glm::min(mesh.vertices[tri[0]], glm::min(mesh.vertices[tri[1]], mesh.vertices[tri[2]]));
        const glm::dvec3 thi =
            glm::max(mesh.vertices[tri[0]], glm::max(mesh.vertices[tri[1]], mesh.vertices[tri[2]]));
        for (int k = 0; k < 3; ++k) {
            const double a = (tlo[k] - band_ - grid_.origin[k]) / grid_.step[k] - grid_.first[k];
            const double b = (thi[k] + band_ - grid_.origin[k]) / grid_.step[k] - grid_.first[k];
            lo[k] = node_index(std::ceil(a - 0.5), 0, n[k]);
            hi[k] = node_index(std::floor(b - 0.5), -1, n[k] - 1);
        }
    };
    // Triangles binned by the slabs their band reaches, in triangle order (CSR).
    const int slabs = (n.z + kSlabLayers - 1) / kSlabLayers;
    std::vector<std::size_t> start(static_cast<std::size_t>(slabs) + 1, 0);
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<std::size_t> fill(start.begin(), start.end() - 1);
        std::vector<std::uint32_t> bins(pass == 1 ? start.back() : 0);
        for (std::size_t t = 0; t < nt; ++t) {
            glm::ivec3 lo, hi;
            node_range(t, lo, hi);
            if (lo.x > hi.x || lo.y > hi.y || lo.z > hi.z) continue;
            for (int s = lo.z / kSlabLayers; s <= hi.z / kSlabLayers; ++s) {
                if (pass == 0) {
                    ++start[static_cast<std::size_t>(s) + 1];
                } else {
                    bins[fill[static_cast<std::size_t>(s)]++] = static_cast<std::uint32_t>(t);
                }
            }
        }
        if (pass == 0) {
            for (int s = 0; s < slabs; ++s)
                start[static_cast<std::size_t>(s) + 1] += start[static_cast<std::size_t>(s)];
            continue;
        }
        const double band2 = band_ * band_;
        pool.parallel_for(
            0, static_cast<std::size_t>(slabs), 1, [&](const WorkerPool::Range& r, int) {
                for (std::size_t s = r.begin; s < r.end; ++s) {
                    const int k0 = static_cast<int>(s) * kSlabLayers;
                    const int k1 = std::min(n.z, k0 + kSlabLayers);
                    const std::size_t layer =
                        static_cast<std::size_t>(n.x) * static_cast<std::size_t>(n.y);
                    std::vector<double> best(layer * static_cast<std::size_t>(k1 - k0), band2);
                    std::vector<signed char> sign(best.size(), 0);
                    std::uint32_t* nearest_triangle =
                        triangle_.data() + layer * static_cast<std::size_t>(k0);
                    for (std::size_t b = start[s]; b < start[s + 1]; ++b) {
                        const std::uint32_t t = bins[b];
                        const glm::u32vec3 tri = mesh.triangles[t];
                        const glm::dvec3 a = mesh.vertices[tri[0]], bv = mesh.vertices[tri[1]],
                                         c = mesh.vertices[tri[2]];
                        glm::ivec3 lo, hi;
                        node_range(t, lo, hi);
                        for (int k = std::max(lo.z, k0); k <= std::min(hi.z, k1 - 1); ++k) {
                            for (int j = lo.y; j <= hi.y; ++j) {
                                for (int i = lo.x; i <= hi.x; ++i) {
                                    const std::size_t local =
                                        static_cast<std::size_t>(i) +
                                        static_cast<std::size_t>(n.x) *
                                            (static_cast<std::size_t>(j) +
                                             static_cast<std::size_t>(n.y) *
                                                 static_cast<std::size_t>(k - k0));
                                    const glm::dvec3 p = grid_.position(i, j, k);
                                    const double plane = glm::dot(pseudonormals.face[t], p - a);
                                    if (plane * plane >= best[local]) continue;
                                    const TrianglePoint near = nearest_on_triangle(p, a, bv, c);
                                    const glm::dvec3 d = p - near.point;
                                    const double d2 = glm::dot(d, d);
                                    if (d2 >= best[local]) continue;
                                    best[local] = d2;
                                    nearest_triangle[local] = t;
                                    const glm::dvec3& normal =
                                        normals_[7 * t + static_cast<std::size_t>(near.feature)];
                                    sign[local] = glm::dot(d, normal) < 0.0 ? -1 : 1;
                                }
                            }
                        }
                    }
                    // Far nodes take the sign of the band before them on their x line; a line
                    // starts outside the mesh (the grid reaches beyond its bounding box).
                    for (int k = k0; k < k1; ++k) {
                        for (int j = 0; j < n.y; ++j) {
                            signed char carried = 1;
                            for (int i = 0; i < n.x; ++i) {
                                const std::size_t local =
                                    static_cast<std::size_t>(i) +
                                    static_cast<std::size_t>(n.x) *
                                        (static_cast<std::size_t>(j) +
                                         static_cast<std::size_t>(n.y) *
                                             static_cast<std::size_t>(k - k0));
                                float v = static_cast<float>(carried * band_);
                                if (sign[local] != 0) {
                                    carried = sign[local];
                                    v = static_cast<float>(carried * std::sqrt(best[local]));
                                }
                                value_[grid_.index(i, j, k)] = v;
                            }
                        }
                    }
                }
            });
    }
}

DistanceField::Cell DistanceField::locate(const glm::dvec3& p) const {
    Cell c;
    glm::dvec3 clamped;
    for (int k = 0; k < 3; ++k) {
        const double u = (p[k] - grid_.origin[k]) / grid_.step[k] - grid_.first[k] - 0.5;
        const double q = std::clamp(u, 0.0, static_cast<double>(grid_.count[k] - 1));
        c.base[k] = std::min(static_cast<int>(std::floor(q)), grid_.count[k] - 2);
        c.t[k] = q - c.base[k];
        clamped[k] = p[k] + (q - u) * grid_.step[k];
    }
    c.inward = clamped - p;
    c.outside = glm::length(c.inward);
    return c;
}

double DistanceField::distance(const glm::dvec3& p) const {
    const Cell c = locate(p);
    double sum = 0.0;
    for (int corner = 0; corner < 8; ++corner) {
        double w = 1.0;
        glm::ivec3 i = c.base;
        for (int k = 0; k < 3; ++k) {
            const bool up = (corner >> k) & 1;
            w *= up ? c.t[k] : 1.0 - c.t[k];
            i[k] += up ? 1 : 0;
        }
        sum += w * node(i.x, i.y, i.z);
    }
    return sum + c.outside;
}

bool DistanceField::nearest(const glm::dvec3& p, Nearest& out) const {
    const Cell c = locate(p);
    std::uint32_t seen[8];
    int count = 0;
    bool found = false;
    for (int corner = 0; corner < 8; ++corner) {
        const std::uint32_t t =
            triangle_[grid_.index(c.base.x + (corner & 1), c.base.y + ((corner >> 1) & 1),
                                  c.base.z + ((corner >> 2) & 1))];
        if (t == kNone || std::find(seen, seen + count, t) != seen + count) continue;
        seen[count++] = t;
        const Nearest candidate = signed_nearest(p, vertices_, triangles_[t], &normals_[7 * t]);
        // The smallest distance; between equals, the first (the corners' fixed order).
        if (!found || std::abs(candidate.distance) < std::abs(out.distance)) {
            out = candidate;
            found = true;
        }
    }
    return found;
}

glm::dvec3 DistanceField::gradient(const glm::dvec3& p) const {
    const Cell c = locate(p);
    glm::dvec3 g(0.0);
    for (int corner = 0; corner < 8; ++corner) {
        glm::ivec3 i = c.base;
        glm::dvec3 w(1.0);  // the weight's derivative along each axis
        for (int k = 0; k < 3; ++k) {
            const bool up = (corner >> k) & 1;
            i[k] += up ? 1 : 0;
            for (int m = 0; m < 3; ++m) {
                if (m == k) {
                    w[m] *= (up ? 1.0 : -1.0) / grid_.step[k];
                } else {
                    w[m] *= up ? c.t[k] : 1.0 - c.t[k];
                }
            }
        }
        g += w * static_cast<double>(node(i.x, i.y, i.z));
    }
    if (c.outside > 0.0) g -= c.inward / c.outside;
    return g;
}

}  // namespace flume
