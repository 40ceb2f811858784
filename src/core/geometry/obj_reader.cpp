// Wavefront OBJ through Debian's tinyobjloader (libtinyobjloader-dev: one header, compiled here
// so that the wasm build has it too). Only the geometry is read: materials, normals and texture
// coordinates are ignored, polygons are split into triangles by tinyobjloader (a quad along its
// shorter diagonal, larger polygons by ear clipping).
//
// tinyobjloader reads what it cannot parse as 0 (a coordinate "nan", "abc" or "0,5", a missing
// one), wraps face indices past 2^31 and builds every face before anything can be counted. So
// the file is first read here, line by line in linear time: every vertex line's values must be
// numbers and every face corner a vertex of the file, the vertices, the triangles and each face's
// corners are counted against their limits, and only then does tinyobjloader get the vertex and
// face lines, rewritten plainly (x y z; absolute vertex indices).
#define TINYOBJLOADER_IMPLEMENTATION
#include <tiny_obj_loader.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "core/geometry/triangle_mesh.hpp"

namespace flume {

namespace {

// A word of the file as a message shows it: in quotes, at most 40 characters.
std::string quoted(std::string_view word) {
    std::string q(1, '"');
    q.append(word.substr(0, 40));
    if (word.size() > 40) q.append("...");
    q.push_back('"');
    return q;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// The lines of an OBJ file, each split into words at spaces and tabs; a word that starts with
// '#' ends the line (a comment). "\n", "\r" and "\r\n" end a line, as in tinyobjloader.
class ObjLines {
  public:
    explicit ObjLines(std::string_view text) : text_(text) {}

    // The next line's words (empty for a blank or comment line); false at the end of the text.
    bool next(std::vector<std::string_view>& words) {
        words.clear();
        if (pos_ >= text_.size()) return false;
        ++line_;
        for (;;) {
            while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t'))
                ++pos_;
            if (pos_ == text_.size() || text_[pos_] == '\n' || text_[pos_] == '\r') break;
            const std::size_t start = pos_;
            while (pos_ < text_.size() && !is_space_or_end(text_[pos_]))
                ++pos_;
            if (text_[start] == '#') {  // a comment, to the end of the line
                while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r')
                    ++pos_;
                break;
            }
            words.push_back(text_.substr(start, pos_ - start));
        }
        if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
        return true;
    }

    // Whether the next line is a vertex line ("v" then a space or tab), skipping the rest of it:
    // the first pass, which only counts vertices, without splitting lines into words.
    bool next_is_vertex(bool& vertex) {
        if (pos_ >= text_.size()) return false;
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t'))
            ++pos_;
        vertex = pos_ < text_.size() && text_[pos_] == 'v' &&
                 (pos_ + 1 == text_.size() || is_space_or_end(text_[pos_ + 1]));
        while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r')
            ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
        return true;
    }

    std::size_t line() const { return line_; }

  private:
    static bool is_space_or_end(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_ = 0;
};

// Whether a word is a decimal number as tinyobjloader reads one: an optional sign, digits with
// an optional decimal point (at least one digit), an optional exponent of at most three digits
// (tinyobjloader's exponent is an int that a longer one could overflow). No "nan", "inf", hex,
// or decimal comma.
bool is_decimal(std::string_view w) {
    std::size_t i = 0, digits = 0;
    if (i < w.size() && (w[i] == '+' || w[i] == '-')) ++i;
    for (; i < w.size() && is_digit(w[i]); ++i)
        ++digits;
    if (i < w.size() && w[i] == '.') {
        for (++i; i < w.size() && is_digit(w[i]); ++i)
            ++digits;
    }
    if (digits == 0) return false;
    if (i < w.size() && (w[i] == 'e' || w[i] == 'E')) {
        ++i;
        if (i < w.size() && (w[i] == '+' || w[i] == '-')) ++i;
        std::size_t exponent = 0;
        for (; i < w.size() && is_digit(w[i]); ++i)
            ++exponent;
        if (exponent == 0 || exponent > 3) return false;
    }
    return i == w.size();
}

class ObjScan {
  public:
    explicit ObjScan(const std::string& name) : name_(name) {}

    [[noreturn]] void fail(std::size_t line, const std::string& what) const {
        throw MeshError(name_ + ": line " + std::to_string(line) + ": " + what);
    }

    // A vertex line's words after "v": x y z, then w or r g b (ignored). Appends "v x y z".
    void vertex(const std::vector<std::string_view>& words, std::size_t line, std::string& out) {
        const std::size_t values = words.size() - 1;
        if (values != 3 && values != 4 && values != 6) {
            fail(line, "expected a vertex's 3 coordinates (then w, or r g b), found " +
                           std::to_string(values) + " value(s)");
        }
        for (std::size_t k = 1; k < words.size(); ++k) {
            const std::string word(words[k]);
            const double v = is_decimal(word) ? std::strtod(word.c_str(), nullptr) : NAN;
            const double limit = k <= 3 ? 1.0e6 : 1.0e30;  // w, r g b: any plain number
            if (!std::isfinite(v) || std::abs(v) > limit) {
                fail(line, std::string(k <= 3 ? "expected a number in [-1e6, 1e6]"
                                              : "expected a number") +
                               ", found " + quoted(words[k]));
            }
        }
        out.append("v ");
        for (std::size_t k = 1; k <= 3; ++k) {
            out.append(words[k]);
            out.push_back(k == 3 ? '\n' : ' ');
        }
        ++vertices_so_far_;
    }

    // A face line's words after "f": corners v, v/vt, v//vn or v/vt/vn (vt and vn ignored).
    // Appends "f a b c ..." with absolute vertex indices; a face of fewer than 3 corners (not a
    // surface) is left out, as tinyobjloader leaves it out.
    void face(const std::vector<std::string_view>& words, std::size_t line, std::string& out) {
        const std::size_t corners = words.size() - 1;
        if (corners > kMaxObjFaceCorners) {
            fail(line, "a face of " + std::to_string(corners) +
                           " corners, more than the limit of " +
                           std::to_string(kMaxObjFaceCorners) +
                           " (split it into smaller faces, or export triangles)");
        }
        if (corners >= 3) {
            triangles_ += corners - 2;
            if (triangles_ > kMaxMeshTriangles) {
                fail(line, "more than the limit of " + std::to_string(kMaxMeshTriangles) +
                               " triangles (a face of n corners makes n - 2)");
            }
            out.push_back('f');
        }
        for (std::size_t k = 1; k < words.size(); ++k) {
            const std::size_t index = corner(words[k], line);
            if (corners >= 3) {
                out.push_back(' ');
                out.append(std::to_string(index));
            }
        }
        if (corners >= 3) out.push_back('\n');
    }

    std::size_t vertex_count = 0;  // in the whole file (the first pass)

  private:
    // The 1-based vertex that a face corner names.
    std::size_t corner(std::string_view word, std::size_t line) const {
        const std::size_t slash = std::min(word.find('/'), word.size());
        const std::string_view v = word.substr(0, slash);
        const std::string_view rest = word.substr(slash);
        std::size_t slashes = 0;
        bool plain = true;
        for (const char c : rest) {
            slashes += c == '/';
            plain = plain && (c == '/' || c == '-' || is_digit(c));
        }
        const bool negative = !v.empty() && v[0] == '-';
        const std::string_view digits = v.substr(negative ? 1 : 0);
        bool number = !digits.empty();
        for (const char c : digits)
            number = number && is_digit(c);
        if (!number || !plain || slashes > 2) {
            fail(line,
                 "expected a face corner (v, v/vt, v//vn or v/vt/vn, v a vertex number), "
                 "found " +
                     quoted(word));
        }
        // More digits than any vertex count has: no vertex, whatever the value (no wrapping).
        std::uint64_t n = 0;
        const bool huge = digits.size() > 12;
        if (!huge) {
            for (const char c : digits)
                n = 10 * n + static_cast<std::uint64_t>(c - '0');
        }
        if (!huge && n == 0) fail(line, "face index 0: OBJ numbers the vertices from 1");
        if (!negative) {
            if (huge || n > vertex_count) {
                fail(line, "face index " + std::string(v.substr(0, 40)) +
                               " names no vertex: the file has " + std::to_string(vertex_count));
            }
            return static_cast<std::size_t>(n);
        }
        if (huge || n > vertices_so_far_) {
            fail(line, "face index " + std::string(v.substr(0, 40)) +
                           " reaches before the first vertex (" + std::to_string(vertices_so_far_) +
                           " so far)");
        }
        return vertices_so_far_ + 1 - static_cast<std::size_t>(n);
    }

    const std::string& name_;
    std::size_t vertices_so_far_ = 0;
    std::size_t triangles_ = 0;
};

// The file's vertex and face lines, checked and rewritten plainly for tinyobjloader.
std::string checked_geometry(std::string_view bytes, const std::string& name) {
    ObjScan scan(name);
    {
        ObjLines lines(bytes);
        for (bool vertex = false; lines.next_is_vertex(vertex);) {
            if (vertex && ++scan.vertex_count > kMaxObjVertices) {
                throw MeshError(name + ": more than the limit of " +
                                std::to_string(kMaxObjVertices) + " vertices");
            }
        }
    }
    std::string out;
    ObjLines lines(bytes);
    std::vector<std::string_view> words;
    while (lines.next(words)) {
        if (words.empty()) continue;
        if (words[0] == "v") {
            scan.vertex(words, lines.line(), out);
        } else if (words[0] == "f") {
            scan.face(words, lines.line(), out);
        }
        // Anything else (normals, texture coordinates, groups, materials, lines, points) is not
        // the surface: left out.
    }
    return out;
}

}  // namespace

TriangleMesh read_obj(std::string_view bytes, const std::string& name) {
    if (bytes.size() > kMaxMeshFileBytes) {
        throw MeshError(name + ": the file is " + std::to_string(bytes.size()) +
                        " bytes, more than the limit of " + std::to_string(kMaxMeshFileBytes));
    }
    const std::string geometry = checked_geometry(bytes, name);
    tinyobj::ObjReaderConfig config;
    config.triangulate = true;
    config.vertex_color = false;
    tinyobj::ObjReader reader;
    if (!reader.ParseFromString(geometry, std::string(), config)) {
        std::string why = reader.Error();
        while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
            why.pop_back();
        throw MeshError(name + ": cannot parse the OBJ file: " +
                        (why.empty() ? std::string("no reason given") : why));
    }
    const tinyobj::attrib_t& attrib = reader.GetAttrib();
    TriangleMesh mesh;
    const std::size_t vertex_count = attrib.vertices.size() / 3;
    mesh.vertices.reserve(vertex_count);
    for (std::size_t v = 0; v < vertex_count; ++v) {
        const glm::dvec3 p(attrib.vertices[3 * v], attrib.vertices[3 * v + 1],
                           attrib.vertices[3 * v + 2]);
        for (int k = 0; k < 3; ++k) {
            if (!std::isfinite(p[k]) || std::abs(p[k]) > 1.0e6) {
                throw MeshError(name + ": vertex " + std::to_string(v + 1) +
                                ": a coordinate is not a number in [-1e6, 1e6]");
            }
        }
        mesh.vertices.push_back(p);
    }
    // The checks above leave tinyobjloader nothing to refuse; these are the last line of defence.
    for (const tinyobj::shape_t& shape : reader.GetShapes()) {
        const auto& indices = shape.mesh.indices;
        for (std::size_t f = 0, offset = 0; f < shape.mesh.num_face_vertices.size(); ++f) {
            const std::size_t corners = shape.mesh.num_face_vertices[f];
            if (corners == 3) {
                glm::u32vec3 t;
                for (int c = 0; c < 3; ++c) {
                    const int index = indices[offset + static_cast<std::size_t>(c)].vertex_index;
                    if (index < 0 || static_cast<std::size_t>(index) >= vertex_count) {
                        throw MeshError(name + ": triangle " +
                                        std::to_string(mesh.triangles.size() + 1) +
                                        " names vertex " + std::to_string(index + 1) + " of " +
                                        std::to_string(vertex_count));
                    }
                    t[c] = static_cast<std::uint32_t>(index);
                }
                mesh.triangles.push_back(t);
                if (mesh.triangles.size() > kMaxMeshTriangles) {
                    throw MeshError(name + ": more than the limit of " +
                                    std::to_string(kMaxMeshTriangles) + " triangles");
                }
            }
            offset += corners;
        }
    }
    weld(mesh);
    return mesh;
}

}  // namespace flume
