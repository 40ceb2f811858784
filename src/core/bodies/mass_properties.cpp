#include "core/bodies/mass_properties.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace flume {

namespace {

// A polygon's centroid, its moment of inertia about it (the area's second moment times the mass
// over the area), its corners from the centroid and its reach.
void polygon_properties(const std::vector<glm::dvec2>& c, double mass, MassProperties& m) {
    double twice_area = 0.0, second = 0.0;
    glm::dvec2 moment(0.0);
    for (std::size_t k = 0; k < c.size(); ++k) {
        const glm::dvec2 &p = c[k], &q = c[(k + 1) % c.size()];
        const double cross = p.x * q.y - q.x * p.y;
        twice_area += cross;
        moment += (p + q) * cross;
        second += cross * (p.x * p.x + p.x * q.x + q.x * q.x + p.y * p.y + p.y * q.y + q.y * q.y);
    }
    const double area = 0.5 * twice_area;  // signed: the sums share its sign
    const glm::dvec2 centroid = moment / (6.0 * area);
    const double mean_r2 = second / 12.0 / area - glm::dot(centroid, centroid);
    m.centre = glm::dvec3(centroid, 0.0);
    m.moments = glm::dvec3(mass * mean_r2);
    m.extent = 0.0;
    for (const glm::dvec2& p : c) {
        m.corners.push_back(glm::dvec3(p - centroid, 0.0));
        m.extent = std::max(m.extent, glm::length(p - centroid));
    }
}

// A closed mesh's centroid and inertia tensor, exact: sums over the signed tetrahedra from a
// reference point to each triangle, whose parts outside the mesh cancel (for a tetrahedron of
// volume V with a corner at the origin and p, q, r the others, the integral of x x^T over it is
// V/20 (p p^T + q q^T + r r^T + s s^T), s = p + q + r); then its principal axes. Its vertices
// are its corners.
void mesh_properties(const TriangleMesh& mesh, double mass, MassProperties& m) {
    const glm::dvec3 reference = 0.5 * (mesh.lower() + mesh.upper());
    double six_volume = 0.0;
    glm::dvec3 first(0.0);   // 24 times the integral of x
    glm::dmat3 second(0.0);  // 120 times the integral of x x^T
    for (const glm::u32vec3& t : mesh.triangles) {
        const glm::dvec3 p = mesh.vertices[t.x] - reference, q = mesh.vertices[t.y] - reference,
                         r = mesh.vertices[t.z] - reference;
        const double v6 = glm::dot(p, glm::cross(q, r));
        const glm::dvec3 s = p + q + r;
        six_volume += v6;
        first += s * v6;
        second += (glm::outerProduct(p, p) + glm::outerProduct(q, q) + glm::outerProduct(r, r) +
                   glm::outerProduct(s, s)) *
                  v6;
    }
    const double volume = six_volume / 6.0;
    const glm::dvec3 centroid = first / (24.0 * volume);
    const glm::dmat3 spread =
        (second / (120.0 * volume) - glm::outerProduct(centroid, centroid)) * mass;
    const double trace = spread[0][0] + spread[1][1] + spread[2][2];
    glm::dmat3 axes;
    principal_moments(glm::dmat3(trace) - spread, m.moments, axes);
    if (axes != glm::dmat3(1.0)) m.axes = axes;
    m.centre = reference + centroid;
    m.extent = 0.0;
    for (const glm::dvec3& v : mesh.vertices) {
        m.corners.push_back(v - m.centre);
        m.extent = std::max(m.extent, glm::length(v - m.centre));
    }
}

}  // namespace

MassProperties mass_properties(const ShapeDesc& s, double mass, int dimension) {
    MassProperties m;
    if (s.shape == Shape::Box) {
        m.centre = 0.5 * (s.min + s.max);
        const glm::dvec3 e = s.max - s.min;  // edges
        const double m12 = mass / 12.0;
        m.moments = {m12 * (e.y * e.y + e.z * e.z), m12 * (e.x * e.x + e.z * e.z),
                     m12 * (e.x * e.x + e.y * e.y)};
        for (int corner = 0; corner < (1 << dimension); ++corner) {
            glm::dvec3 c(0.0);
            for (int k = 0; k < dimension; ++k)
                c[k] = (corner >> k) & 1 ? s.max[k] - m.centre[k] : s.min[k] - m.centre[k];
            m.corners.push_back(c);
        }
        m.extent = 0.5 * glm::length(e);
    } else if (s.shape == Shape::Mesh && dimension == 3) {
        mesh_properties(s.mesh->mesh, mass, m);
    } else if (s.shape == Shape::Mesh) {
        polygon_properties(s.mesh->outline, mass, m);
    } else {
        m.centre = s.center;
        const double r2 = s.radius * s.radius;
        m.moments = glm::dvec3((dimension == 2 ? 0.5 : 0.4) * mass * r2);
        m.extent = s.radius;
    }
    if (dimension == 2) m.moments.x = m.moments.y = m.moments.z;  // only z turns
    return m;
}

glm::dmat3 inertia_tensor(const MassProperties& m) {
    const glm::dmat3 axes = m.axes ? *m.axes : glm::dmat3(1.0);
    glm::dmat3 diagonal(0.0);
    for (int k = 0; k < 3; ++k)
        diagonal[k][k] = m.moments[k];
    return axes * diagonal * glm::transpose(axes);
}

void principal_moments(const glm::dmat3& tensor, glm::dvec3& moments, glm::dmat3& axes) {
    double a[3][3], v[3][3] = {{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}, {0.0, 0.0, 1.0}};
    for (int row = 0; row < 3; ++row) {
        for (int col = 0; col < 3; ++col)
            a[row][col] = tensor[col][row];
    }
    for (int sweep = 0; sweep < 50; ++sweep) {
        const double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
        const double diagonal = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2];
        if (off <= 1.0e-32 * diagonal) break;
        for (const auto& [p, q] : {std::pair{0, 1}, std::pair{0, 2}, std::pair{1, 2}}) {
            if (a[p][q] == 0.0) continue;
            // The rotation J in the (p, q) plane that zeroes a[p][q] (Numerical Recipes, 11.1):
            // a becomes J^T a J, v becomes v J.
            const double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            const double t =
                (theta >= 0.0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
            const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
            for (int k = 0; k < 3; ++k) {
                const double kp = a[k][p], kq = a[k][q];
                a[k][p] = c * kp - s * kq;
                a[k][q] = s * kp + c * kq;
            }
            for (int k = 0; k < 3; ++k) {
                const double pk = a[p][k], qk = a[q][k];
                a[p][k] = c * pk - s * qk;
                a[q][k] = s * pk + c * qk;
            }
            for (int k = 0; k < 3; ++k) {
                const double kp = v[k][p], kq = v[k][q];
                v[k][p] = c * kp - s * kq;
                v[k][q] = s * kp + c * kq;
            }
        }
    }
    for (int col = 0; col < 3; ++col) {
        moments[col] = a[col][col];
        for (int row = 0; row < 3; ++row)
            axes[col][row] = v[row][col];
    }
}

}  // namespace flume
