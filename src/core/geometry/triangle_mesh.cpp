#include "core/geometry/triangle_mesh.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>

#include "core/math/portable.hpp"

namespace flume {

namespace {

bool ends_with_ci(std::string_view s, std::string_view suffix) {
    if (s.size() < suffix.size()) return false;
    for (std::size_t i = 0; i < suffix.size(); ++i) {
        const auto a = std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i]));
        if (a != suffix[i]) return false;
    }
    return true;
}

// A word of the file as a message shows it: in quotes, at most 40 characters.
std::string quoted(std::string_view word) {
    if (word.empty()) return "the end of the file";
    std::string q(1, '"');
    q.append(word.substr(0, 40));
    q.push_back('"');
    return q;
}

void check_size(std::string_view bytes, const std::string& name) {
    if (bytes.size() > kMaxMeshFileBytes) {
        throw MeshError(name + ": the file is " + std::to_string(bytes.size()) +
                        " bytes, more than the limit of " + std::to_string(kMaxMeshFileBytes));
    }
}

void check_triangle_count(std::size_t count, const std::string& name) {
    if (count > kMaxMeshTriangles) {
        throw MeshError(name + ": " + std::to_string(count) +
                        " triangles, more than the limit of " + std::to_string(kMaxMeshTriangles));
    }
}

void check_finite(const glm::dvec3& v, const std::string& name, const std::string& where) {
    for (int k = 0; k < 3; ++k) {
        if (!std::isfinite(v[k]) || std::abs(v[k]) > 1.0e6) {
            throw MeshError(name + ": " + where + ": a coordinate is not a number in [-1e6, 1e6]");
        }
    }
}

// --- STL ----------------------------------------------------------------------------------

std::uint32_t read_u32(const char* p) {
    const auto* b = reinterpret_cast<const unsigned char*>(p);
    return std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 |
           std::uint32_t(b[3]) << 24;
}

float read_f32(const char* p) {
    const std::uint32_t bits = read_u32(p);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

bool is_binary_stl(std::string_view bytes) {
    if (bytes.size() < 84) return false;
    const std::uint64_t count = read_u32(bytes.data() + 80);
    return bytes.size() == 84 + 50 * count;
}

TriangleMesh read_binary_stl(std::string_view bytes, const std::string& name) {
    const std::size_t count = read_u32(bytes.data() + 80);
    check_triangle_count(count, name);
    TriangleMesh mesh;
    mesh.vertices.reserve(3 * count);
    mesh.triangles.reserve(count);
    for (std::size_t t = 0; t < count; ++t) {
        const char* facet = bytes.data() + 84 + 50 * t + 12;  // after the normal
        for (int c = 0; c < 3; ++c) {
            const glm::dvec3 v(read_f32(facet + 12 * c), read_f32(facet + 12 * c + 4),
                               read_f32(facet + 12 * c + 8));
            check_finite(v, name, "triangle " + std::to_string(t + 1));
            mesh.vertices.push_back(v);
        }
        const auto base = static_cast<std::uint32_t>(3 * t);
        mesh.triangles.emplace_back(base, base + 1, base + 2);
    }
    return mesh;
}

// ASCII STL: solid NAME, then facets of "facet normal n n n / outer loop / vertex x y z (three
// times) / endloop / endfacet", then endsolid. Read word by word, counting lines for messages.
class StlWords {
  public:
    StlWords(std::string_view text, const std::string& name) : text_(text), name_(name) {}

    bool done() {
        skip_space();
        return pos_ == text_.size();
    }

    std::string_view next() {
        skip_space();
        const std::size_t start = pos_;
        while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
        return text_.substr(start, pos_ - start);
    }

    void expect(std::string_view word) {
        const std::string_view got = next();
        if (got != word) {
            fail("expected " + quoted(word) + ", found " + quoted(got));
        }
    }

    double number() {
        const std::string word(next());
        char* end = nullptr;
        const double v = std::strtod(word.c_str(), &end);
        if (word.empty() || end != word.c_str() + word.size() || !std::isfinite(v) ||
            std::abs(v) > 1.0e6) {
            fail("expected a number in [-1e6, 1e6], found " + quoted(word));
        }
        return v;
    }

    void skip_line() {
        while (pos_ < text_.size() && text_[pos_] != '\n')
            ++pos_;
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw MeshError(name_ + ": line " + std::to_string(line_) + ": " + what);
    }

  private:
    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
            if (text_[pos_] == '\n') ++line_;
            ++pos_;
        }
    }

    std::string_view text_;
    const std::string& name_;
    std::size_t pos_ = 0;
    int line_ = 1;
};

TriangleMesh read_ascii_stl(std::string_view bytes, const std::string& name) {
    StlWords words(bytes, name);
    words.expect("solid");
    words.skip_line();  // the solid's name, possibly empty
    TriangleMesh mesh;
    for (;;) {
        const std::string_view word = words.next();
        if (word == "endsolid") break;
        if (word != "facet") {
            words.fail("expected \"facet\" or \"endsolid\", found " + quoted(word));
        }
        words.expect("normal");
        for (int k = 0; k < 3; ++k)
            (void)words.number();  // recomputed from the vertices
        words.expect("outer");
        words.expect("loop");
        const auto base = static_cast<std::uint32_t>(mesh.vertices.size());
        for (int c = 0; c < 3; ++c) {
            words.expect("vertex");
            glm::dvec3 v;
            for (int k = 0; k < 3; ++k)
                v[k] = words.number();
            mesh.vertices.push_back(v);
        }
        words.expect("endloop");
        words.expect("endfacet");
        mesh.triangles.emplace_back(base, base + 1, base + 2);
        check_triangle_count(mesh.triangles.size(), name);
    }
    return mesh;
}

}  // namespace

glm::dvec3 TriangleMesh::lower() const {
    glm::dvec3 lo(std::numeric_limits<double>::max());
    for (const glm::dvec3& v : vertices)
        lo = glm::min(lo, v);
    return lo;
}

glm::dvec3 TriangleMesh::upper() const {
    glm::dvec3 hi(std::numeric_limits<double>::lowest());
    for (const glm::dvec3& v : vertices)
        hi = glm::max(hi, v);
    return hi;
}

double TriangleMesh::area() const {
    double sum = 0.0;
    for (const glm::u32vec3& t : triangles) {
        sum += 0.5 * glm::length(glm::cross(vertices[t[1]] - vertices[t[0]],
                                            vertices[t[2]] - vertices[t[0]]));
    }
    return sum;
}

double TriangleMesh::volume() const {
    double sum = 0.0;
    for (const glm::u32vec3& t : triangles)
        sum += glm::dot(vertices[t[0]], glm::cross(vertices[t[1]], vertices[t[2]]));
    return sum / 6.0;
}

double TriangleMesh::volume_below(int axis, double level) const {
    glm::dvec3 apex(0.0);
    apex[axis] = level;
    double sum = 0.0;
    for (const glm::u32vec3& t : triangles) {
        // Sutherland-Hodgman against x[axis] <= level: at most 4 corners remain.
        glm::dvec3 kept[4];
        int count = 0;
        for (int c = 0; c < 3; ++c) {
            const glm::dvec3 a = vertices[t[c]], b = vertices[t[(c + 1) % 3]];
            const bool a_in = a[axis] <= level, b_in = b[axis] <= level;
            if (a_in) kept[count++] = a;
            if (a_in != b_in)
                kept[count++] = a + (b - a) * ((level - a[axis]) / (b[axis] - a[axis]));
        }
        for (int c = 1; c + 1 < count; ++c)
            sum += glm::dot(kept[0] - apex, glm::cross(kept[c] - apex, kept[c + 1] - apex));
    }
    return sum / 6.0;
}

TriangleMesh read_stl(std::string_view bytes, const std::string& name) {
    check_size(bytes, name);
    TriangleMesh mesh;
    // Binary when the size matches the header's count, even when the 80-byte header starts with
    // "solid" (SolidWorks writes "solidworks ..."). ASCII only when it starts with the word
    // "solid" and holds no NUL byte: otherwise a binary file whose size does not match is told
    // so, not given an ASCII parse error.
    const bool ascii = bytes.substr(0, 5) == "solid" &&
                       (bytes.size() == 5 || std::isspace(static_cast<unsigned char>(bytes[5]))) &&
                       bytes.find('\0') == std::string_view::npos;
    if (is_binary_stl(bytes)) {
        mesh = read_binary_stl(bytes, name);
    } else if (ascii) {
        mesh = read_ascii_stl(bytes, name);
    } else if (bytes.size() >= 84 && bytes.substr(0, 5) == "solid") {
        const std::uint64_t count = read_u32(bytes.data() + 80);
        throw MeshError(name +
                        ": a binary STL file (its header starts with \"solid\", but it is not " +
                        "an ASCII STL) of " + std::to_string(bytes.size()) + " bytes, where the " +
                        std::to_string(count) + " triangles its header counts need 84 + 50 x " +
                        std::to_string(count) + " = " + std::to_string(84 + 50 * count) +
                        " bytes: the file is cut short or has bytes after its triangles");
    } else {
        throw MeshError(name +
                        ": not an STL file: neither ASCII (it does not start with \"solid\") nor "
                        "binary (its size is not 84 + 50 x the triangle count in its header)");
    }
    weld(mesh);
    return mesh;
}

TriangleMesh read_mesh(std::string_view bytes, const std::string& name) {
    if (ends_with_ci(name, ".obj")) return read_obj(bytes, name);
    if (ends_with_ci(name, ".stl")) return read_stl(bytes, name);
    throw MeshError(name + ": unknown mesh format: expected a file ending in .obj or .stl");
}

void weld(TriangleMesh& mesh) {
    const std::size_t n = mesh.vertices.size();
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    auto less = [&](std::uint32_t a, std::uint32_t b) {
        const glm::dvec3 &p = mesh.vertices[a], &q = mesh.vertices[b];
        if (p.x != q.x) return p.x < q.x;
        if (p.y != q.y) return p.y < q.y;
        if (p.z != q.z) return p.z < q.z;
        return a < b;
    };
    std::sort(order.begin(), order.end(), less);
    // Each vertex maps to the first vertex (in file order) at its position.
    std::vector<std::uint32_t> first(n);
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        while (j < n && mesh.vertices[order[j]] == mesh.vertices[order[i]])
            ++j;
        for (std::size_t k = i; k < j; ++k)
            first[order[k]] = order[i];
        i = j;
    }
    // Keep the first vertices, in file order, renumbered.
    std::vector<std::uint32_t> index(n, 0);
    std::vector<glm::dvec3> kept;
    for (std::size_t v = 0; v < n; ++v) {
        if (first[v] == v) {
            index[v] = static_cast<std::uint32_t>(kept.size());
            kept.push_back(mesh.vertices[v]);
        }
    }
    std::vector<glm::u32vec3> triangles;
    triangles.reserve(mesh.triangles.size());
    for (const glm::u32vec3& t : mesh.triangles) {
        const glm::u32vec3 w(index[first[t[0]]], index[first[t[1]]], index[first[t[2]]]);
        if (w[0] != w[1] && w[1] != w[2] && w[2] != w[0]) triangles.push_back(w);
    }
    mesh.vertices = std::move(kept);
    mesh.triangles = std::move(triangles);
}

void transform(TriangleMesh& mesh, const MeshTransform& t) {
    const double axis_length = glm::length(t.axis);
    glm::dmat3 rotation(1.0);
    if (t.degrees != 0.0 && axis_length > 0.0)
        rotation = portable::rotation(t.axis / axis_length, t.degrees);
    for (glm::dvec3& v : mesh.vertices)
        v = rotation * (v * t.scale) + t.translate;
    if (t.scale.x * t.scale.y * t.scale.z < 0.0) {  // a mirror turns the triangles inside out
        for (glm::u32vec3& tri : mesh.triangles)
            std::swap(tri[1], tri[2]);
    }
}

namespace {

constexpr std::size_t kNoCrossing = static_cast<std::size_t>(-1);

// Six times the signed volume of the tetrahedron (a, b, c, d).
double orient(const glm::dvec3& a, const glm::dvec3& b, const glm::dvec3& c, const glm::dvec3& d) {
    return glm::dot(glm::cross(b - a, c - a), d - a);
}

// True when the segment pq passes through the inside of triangle abc (a touch or a crossing in
// the triangle's plane does not count).
bool crosses(const glm::dvec3& p, const glm::dvec3& q, const glm::dvec3& a, const glm::dvec3& b,
             const glm::dvec3& c) {
    const double sp = orient(a, b, c, p), sq = orient(a, b, c, q);
    if (!((sp > 0.0 && sq < 0.0) || (sp < 0.0 && sq > 0.0))) return false;
    const double u = orient(p, q, a, b), v = orient(p, q, b, c), w = orient(p, q, c, a);
    return (u > 0.0 && v > 0.0 && w > 0.0) || (u < 0.0 && v < 0.0 && w < 0.0);
}

// A triangle that an edge of the mesh (of triangles not touching it) passes through, or
// kNoCrossing: for a closed surface, where it crosses itself. The triangles are binned in a
// grid of about one cell per triangle over the bounding box, each edge tested against the
// triangles of the cells its box covers.
std::size_t first_crossing(const TriangleMesh& mesh) {
    const std::size_t n = mesh.triangles.size();
    const glm::dvec3 lo = mesh.lower(), hi = mesh.upper();
    const glm::dvec3 size = glm::max(hi - lo, glm::dvec3(1.0e-300));
    // Cells: about n in all, shaped like the box.
    const double cell = std::cbrt(size.x * size.y * size.z / static_cast<double>(n));
    glm::ivec3 count;
    for (int k = 0; k < 3; ++k) {
        count[k] = static_cast<int>(std::clamp(std::ceil(size[k] / std::max(cell, 1.0e-300)), 1.0,
                                               std::cbrt(8.0 * static_cast<double>(n)) + 1.0));
    }
    auto cell_of = [&](const glm::dvec3& x) {
        glm::ivec3 c;
        for (int k = 0; k < 3; ++k) {
            c[k] =
                std::clamp(static_cast<int>((x[k] - lo[k]) / size[k] * count[k]), 0, count[k] - 1);
        }
        return c;
    };
    // Counting sort of (cell, triangle) pairs over the cells each triangle's box covers.
    const std::size_t cells = static_cast<std::size_t>(count.x) * count.y * count.z;
    auto index = [&](int i, int j, int k) {
        return (static_cast<std::size_t>(k) * count.y + j) * count.x + i;
    };
    std::vector<std::uint32_t> first(cells + 1, 0);
    auto for_cells = [&](const glm::dvec3& a, const glm::dvec3& b, auto&& f) {
        const glm::ivec3 c0 = cell_of(glm::min(a, b)), c1 = cell_of(glm::max(a, b));
        for (int k = c0.z; k <= c1.z; ++k)
            for (int j = c0.y; j <= c1.y; ++j)
                for (int i = c0.x; i <= c1.x; ++i)
                    f(index(i, j, k));
    };
    auto box = [&](const glm::u32vec3& t, glm::dvec3& a, glm::dvec3& b) {
        const glm::dvec3 &p = mesh.vertices[t[0]], &q = mesh.vertices[t[1]],
                         &r = mesh.vertices[t[2]];
        a = glm::min(p, glm::min(q, r));
        b = glm::max(p, glm::max(q, r));
    };
    for (const glm::u32vec3& t : mesh.triangles) {
        glm::dvec3 a, b;
        box(t, a, b);
        for_cells(a, b, [&](std::size_t c) { ++first[c + 1]; });
    }
    for (std::size_t c = 0; c < cells; ++c)
        first[c + 1] += first[c];
    std::vector<std::uint32_t> binned(first[cells]);
    std::vector<std::uint32_t> fill(first.begin(), first.end() - 1);
    for (std::size_t t = 0; t < n; ++t) {
        glm::dvec3 a, b;
        box(mesh.triangles[t], a, b);
        for_cells(a, b, [&](std::size_t c) { binned[fill[c]++] = static_cast<std::uint32_t>(t); });
    }
    std::vector<std::uint32_t> seen(n, 0xFFFFFFFFu);  // the last edge each triangle was tried on
    std::uint32_t edge = 0;
    for (const glm::u32vec3& t : mesh.triangles) {
        for (int e = 0; e < 3; ++e) {
            const std::uint32_t ia = t[e], ib = t[(e + 1) % 3];
            if (ia > ib) continue;  // each undirected edge once (its twin runs the other way)
            const glm::dvec3 &p = mesh.vertices[ia], &q = mesh.vertices[ib];
            ++edge;
            std::size_t hit = kNoCrossing;
            for_cells(p, q, [&](std::size_t c) {
                for (std::uint32_t k = first[c]; k < first[c + 1] && hit == kNoCrossing; ++k) {
                    const std::uint32_t other = binned[k];
                    if (seen[other] == edge) continue;
                    seen[other] = edge;
                    const glm::u32vec3& o = mesh.triangles[other];
                    if (o[0] == ia || o[1] == ia || o[2] == ia || o[0] == ib || o[1] == ib ||
                        o[2] == ib) {
                        continue;
                    }
                    if (crosses(p, q, mesh.vertices[o[0]], mesh.vertices[o[1]],
                                mesh.vertices[o[2]])) {
                        hit = other;
                    }
                }
            });
            if (hit != kNoCrossing) return hit;
        }
    }
    return kNoCrossing;
}

}  // namespace

MeshCheck check_closed(TriangleMesh& mesh, const std::string& name) {
    if (mesh.triangles.empty()) throw MeshError(name + ": the mesh has no triangles");
    // Every directed edge (a, b), sorted: a closed, consistently oriented manifold has each one
    // exactly once, and its reverse (b, a) exactly once.
    struct Edge {
        std::uint32_t a, b;
        bool operator<(const Edge& o) const { return a != o.a ? a < o.a : b < o.b; }
        bool operator==(const Edge& o) const { return a == o.a && b == o.b; }
    };
    std::vector<Edge> edges;
    edges.reserve(3 * mesh.triangles.size());
    for (const glm::u32vec3& t : mesh.triangles) {
        for (int c = 0; c < 3; ++c)
            edges.push_back({t[c], t[(c + 1) % 3]});
    }
    std::sort(edges.begin(), edges.end());
    std::size_t open = 0, shared = 0, reversed = 0;
    for (std::size_t i = 0; i < edges.size();) {
        std::size_t j = i;
        while (j < edges.size() && edges[j] == edges[i])
            ++j;
        const std::size_t same = j - i;  // triangles that run along this edge the same way
        const Edge back{edges[i].b, edges[i].a};
        const auto range = std::equal_range(edges.begin(), edges.end(), back);
        const auto opposite = static_cast<std::size_t>(range.second - range.first);
        if (same + opposite > 2) {
            ++shared;
        } else if (same == 2) {
            ++reversed;
        } else if (opposite == 0) {
            ++open;
        }
        i = j;
    }
    // Each undirected edge was seen from both directions (when both exist): count it once.
    if (shared > 0) {
        throw MeshError(name + " is not a manifold surface: " + std::to_string((shared + 1) / 2) +
                        " edge(s) shared by more than two triangles");
    }
    if (open > 0) {
        throw MeshError(name + " is not closed: " + std::to_string(open) + " boundary edge(s)");
    }
    if (reversed > 0) {
        throw MeshError(name + " has inconsistent orientation: " + std::to_string(reversed) +
                        " edge(s) where neighbouring triangles face opposite ways");
    }
    MeshCheck check;
    for (const glm::u32vec3& t : mesh.triangles) {
        const glm::dvec3 n = glm::cross(mesh.vertices[t[1]] - mesh.vertices[t[0]],
                                        mesh.vertices[t[2]] - mesh.vertices[t[0]]);
        if (glm::dot(n, n) == 0.0) ++check.degenerate;
    }
    if (const std::size_t crossing = first_crossing(mesh); crossing != kNoCrossing) {
        throw MeshError(name + " intersects itself (triangle " + std::to_string(crossing) +
                        " is crossed by an edge of another): the inside of a surface that "
                        "crosses itself is not defined; join overlapping parts into one surface "
                        "(a boolean union in the modeller)");
    }
    const double volume = mesh.volume();
    const glm::dvec3 size = mesh.upper() - mesh.lower();
    if (!(std::abs(volume) > 1.0e-12 * size.x * size.y * size.z) || volume == 0.0) {
        throw MeshError(name + " encloses no volume (it is flat or folded onto itself)");
    }
    if (volume < 0.0) {
        for (glm::u32vec3& t : mesh.triangles)
            std::swap(t[1], t[2]);
        check.flipped = true;
    }
    return check;
}

TriangleMesh continued_through_plane(const TriangleMesh& mesh, int axis, double plane,
                                     double outward, double touch, double thickness) {
    auto on_plane = [&](std::uint32_t v) {
        return std::abs(mesh.vertices[v][axis] - plane) <= touch;
    };
    for (const glm::dvec3& v : mesh.vertices) {
        if ((v[axis] - plane) * outward > touch) return mesh;  // reaches beyond the plane
    }
    TriangleMesh out;
    out.vertices = mesh.vertices;
    std::vector<glm::u32vec3> footprint;
    for (const glm::u32vec3& t : mesh.triangles) {
        if (on_plane(t.x) && on_plane(t.y) && on_plane(t.z)) {
            footprint.push_back(t);
        } else {
            out.triangles.push_back(t);
        }
    }
    if (footprint.empty()) return mesh;
    // Each footprint corner's copy beyond the plane, in order of first use.
    constexpr std::uint32_t kNoVertex = 0xFFFFFFFFu;
    std::vector<std::uint32_t> copy(mesh.vertices.size(), kNoVertex);
    auto beyond = [&](std::uint32_t v) {
        if (copy[v] == kNoVertex) {
            glm::dvec3 p = mesh.vertices[v];
            p[axis] = plane + outward * thickness;
            copy[v] = static_cast<std::uint32_t>(out.vertices.size());
            out.vertices.push_back(p);
        }
        return copy[v];
    };
    // The footprint's directed edges, to find its outline (edges with no reverse among them).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (const glm::u32vec3& t : footprint) {
        edges.emplace_back(t.x, t.y);
        edges.emplace_back(t.y, t.z);
        edges.emplace_back(t.z, t.x);
    }
    std::sort(edges.begin(), edges.end());
    for (const glm::u32vec3& t : footprint) {
        out.triangles.emplace_back(beyond(t.x), beyond(t.y), beyond(t.z));
        const glm::dvec3 centre =
            (mesh.vertices[t.x] + mesh.vertices[t.y] + mesh.vertices[t.z]) / 3.0;
        const std::uint32_t corners[3] = {t.x, t.y, t.z};
        for (int e = 0; e < 3; ++e) {
            const std::uint32_t a = corners[e], b = corners[(e + 1) % 3];
            if (std::binary_search(edges.begin(), edges.end(), std::make_pair(b, a))) continue;
            // A side wall from edge a-b to its copy, facing away from the footprint.
            const std::uint32_t a2 = beyond(a), b2 = beyond(b);
            const glm::dvec3 pa = out.vertices[a], pb = out.vertices[b], pb2 = out.vertices[b2];
            const glm::dvec3 away = 0.5 * (pa + pb) - centre;
            if (glm::dot(glm::cross(pb - pa, pb2 - pa), away) > 0.0) {
                out.triangles.emplace_back(a, b, b2);
                out.triangles.emplace_back(a, b2, a2);
            } else {
                out.triangles.emplace_back(a, b2, b);
                out.triangles.emplace_back(a, a2, b2);
            }
        }
    }
    return out;
}

}  // namespace flume
