#include "renderer.hpp"

#include <algorithm>
#include <cmath>
#include <glm/gtc/type_ptr.hpp>
#include <stdexcept>
#include <tuple>

#include "core/embedded_file.hpp"

namespace flume {

namespace embedded {
std::span<const EmbeddedFile> shader_files();  // generated from shaders/*
}

namespace {

std::string_view shader_text(std::string_view name) {
    for (const EmbeddedFile& f : embedded::shader_files()) {
        if (f.name == name) return f.text;
    }
    throw std::runtime_error("no embedded shader named " + std::string(name));
}

GLuint compile(GLenum type, const std::string& source, const char* name) {
    const GLuint shader = glCreateShader(type);
    const char* text = source.c_str();
    glShaderSource(shader, 1, &text, nullptr);
    glCompileShader(shader);
    GLint ok = 0;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[2048];
        glGetShaderInfoLog(shader, sizeof log, nullptr, log);
        glDeleteShader(shader);
        throw std::runtime_error(std::string("shader ") + name + " does not compile: " + log);
    }
    return shader;
}

}  // namespace

GLuint link_program(std::string_view vertex, std::string_view fragment) {
    const std::string name = std::string(vertex) + " + " + std::string(fragment);
    const GLuint vs = compile(GL_VERTEX_SHADER, shader_source(shader_text(vertex)), name.c_str());
    const GLuint fs =
        compile(GL_FRAGMENT_SHADER, shader_source(shader_text(fragment)), name.c_str());
    const GLuint program = glCreateProgram();
    glAttachShader(program, vs);
    glAttachShader(program, fs);
    glLinkProgram(program);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(program, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[2048];
        glGetProgramInfoLog(program, sizeof log, nullptr, log);
        throw std::runtime_error("shader program " + name + " does not link: " + log);
    }
    return program;
}

namespace {

// shaders/NAME.vert and shaders/NAME.frag, embedded as NAME_vert and NAME_frag.
GLuint link(const char* name) {
    const std::string base(name);
    return link_program(base + "_vert", base + "_frag");
}

std::size_t float_bytes(int components, std::size_t count) {
    return count * static_cast<std::size_t>(components) * sizeof(float);
}

// `components` floats per vertex from the buffer bound, as vertex attribute `location` (missing
// components read as 0).
void point_attribute(GLuint location, int components) {
    glEnableVertexAttribArray(location);
    glVertexAttribPointer(location, components, GL_FLOAT, GL_FALSE, 0, nullptr);
}

// Copies `count` vectors of `components` floats into `buffer` (reallocated at that size: for
// geometry made each frame) as vertex attribute `location`.
void upload_attribute(GLuint location, GLuint buffer, const float* data, int components,
                      std::size_t count) {
    glBindBuffer(GL_ARRAY_BUFFER, buffer);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(float_bytes(components, count)), data,
                 GL_STREAM_DRAW);
    point_attribute(location, components);
}

// The same into a buffer sized beforehand (the particles).
void stream_attribute(GLuint location, StreamBuffer& buffer, const float* data, int components,
                      std::size_t count) {
    buffer.update(data, float_bytes(components, count));
    point_attribute(location, components);
}

}  // namespace

std::string shader_source(std::string_view body) {
#ifdef __EMSCRIPTEN__
    std::string s = "#version 300 es\nprecision highp float;\nprecision highp int;\n";
#else
    std::string s = "#version 330 core\n";
#endif
    s += body;
    return s;
}

void Renderer::init(bool float_targets) {
    sprite_program_ = link("particles");
    line_program_ = link("lines");
    mesh_program_ = link("mesh");
    glGenVertexArrays(1, &mesh_vao_);
    glGenBuffers(1, &mesh_buffer_);
    glGenBuffers(1, &normal_buffer_);
    surface_.init(float_targets);
    timer_.init();
    glGenVertexArrays(1, &sprite_vao_);
    positions_.create();
    values_.create();
    glGenVertexArrays(1, &line_vao_);
    glGenBuffers(1, &line_buffer_);
    glBindVertexArray(line_vao_);
    glBindBuffer(GL_ARRAY_BUFFER, line_buffer_);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindVertexArray(0);
}

void Renderer::destroy() {
    positions_.destroy();
    values_.destroy();
    glDeleteBuffers(1, &line_buffer_);
    glDeleteVertexArrays(1, &sprite_vao_);
    glDeleteVertexArrays(1, &line_vao_);
    glDeleteBuffers(1, &mesh_buffer_);
    glDeleteBuffers(1, &normal_buffer_);
    glDeleteVertexArrays(1, &mesh_vao_);
    glDeleteProgram(sprite_program_);
    glDeleteProgram(line_program_);
    glDeleteProgram(mesh_program_);
    surface_.destroy();
    timer_.destroy();
}

void Renderer::reserve_particles(std::size_t particles) {
    positions_.reserve(float_bytes(3, particles));
    values_.reserve(float_bytes(3, particles));
    surface_.reserve_particles(particles);
}

void Renderer::begin(const ViewSetup& view, const glm::vec3& background) {
    view_ = view;
    glViewport(0, 0, view.viewport.x, view.viewport.y);
    glClearColor(background.r, background.g, background.b, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
#ifndef __EMSCRIPTEN__
    glEnable(GL_PROGRAM_POINT_SIZE);  // always on in OpenGL ES
#endif
}

void Renderer::draw_sprites(const ParticleDraw& p) {
    if (p.count == 0) return;
    const GLuint program = sprite_program_;
    glUseProgram(program);
    glUniformMatrix4fv(glGetUniformLocation(program, "u_view_projection"), 1, GL_FALSE,
                       glm::value_ptr(view_.view_projection));
    glUniform1f(glGetUniformLocation(program, "u_radius"), p.radius);
    glUniform1f(glGetUniformLocation(program, "u_point_scale"), view_.point_scale);
    glUniform1i(glGetUniformLocation(program, "u_perspective"), view_.perspective ? 1 : 0);
    glUniform1i(glGetUniformLocation(program, "u_value_components"), p.values.components);
    glUniform3fv(glGetUniformLocation(program, "u_flat_color"), 1, glm::value_ptr(p.flat_color));
    glUniform2f(glGetUniformLocation(program, "u_range"), p.range.min, p.range.max);
    const std::span<const glm::vec3> stops = color_map_stops(p.map);
    glUniform3fv(glGetUniformLocation(program, "u_stops"), static_cast<GLsizei>(stops.size()),
                 glm::value_ptr(stops[0]));
    glUniform1i(glGetUniformLocation(program, "u_stop_count"), static_cast<GLint>(stops.size()));

    glBindVertexArray(sprite_vao_);
    stream_attribute(0, positions_, p.positions, p.dimension, p.count);
    if (p.values.components > 0) {
        stream_attribute(1, values_, p.values.data, p.values.components, p.count);
    } else {
        glDisableVertexAttribArray(1);
        glVertexAttrib3f(1, 0.0f, 0.0f, 0.0f);
    }
    glDrawArrays(GL_POINTS, 0, static_cast<GLsizei>(p.count));
    glBindVertexArray(0);
}

void Renderer::use_mesh_program(const glm::mat4& model, const glm::vec3& color, float checker,
                                float alpha) {
    glUseProgram(mesh_program_);
    glUniformMatrix4fv(glGetUniformLocation(mesh_program_, "u_view_projection"), 1, GL_FALSE,
                       glm::value_ptr(view_.view_projection));
    glUniformMatrix4fv(glGetUniformLocation(mesh_program_, "u_model"), 1, GL_FALSE,
                       glm::value_ptr(model));
    glUniform3fv(glGetUniformLocation(mesh_program_, "u_color"), 1, glm::value_ptr(color));
    glUniform1f(glGetUniformLocation(mesh_program_, "u_checker"), checker);
    glUniform1f(glGetUniformLocation(mesh_program_, "u_alpha"), alpha);
}

void Renderer::draw_mesh(const Mesh& mesh, const glm::vec3& color, float checker) {
    if (mesh.positions.empty()) return;
    use_mesh_program(glm::mat4(1.0f), color, checker);
    glBindVertexArray(mesh_vao_);
    upload_attribute(0, mesh_buffer_, &mesh.positions[0].x, 3, mesh.positions.size());
    upload_attribute(1, normal_buffer_, &mesh.normals[0].x, 3, mesh.normals.size());
    glEnable(GL_CULL_FACE);
    glDrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(mesh.positions.size()));
    glDisable(GL_CULL_FACE);
    glBindVertexArray(0);
}

void Renderer::draw_overlay_mesh(const Mesh& mesh, const glm::vec4& color) {
    if (mesh.positions.empty()) return;
    use_mesh_program(glm::mat4(1.0f), glm::vec3(color), 0.0f, color.a);
    glBindVertexArray(mesh_vao_);
    upload_attribute(0, mesh_buffer_, &mesh.positions[0].x, 3, mesh.positions.size());
    upload_attribute(1, normal_buffer_, &mesh.normals[0].x, 3, mesh.normals.size());
    glDisable(GL_DEPTH_TEST);
    glEnable(GL_BLEND);
    // The target's alpha stays as it is (the browser composites the canvas with it).
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE);
    glDrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(mesh.positions.size()));
    glDisable(GL_BLEND);
    glEnable(GL_DEPTH_TEST);
    glBindVertexArray(0);
}

GpuMesh Renderer::upload_mesh(const Mesh& mesh) {
    GpuMesh gpu;
    if (mesh.positions.empty()) return gpu;
    glGenVertexArrays(1, &gpu.vao);
    glGenBuffers(1, &gpu.positions);
    glGenBuffers(1, &gpu.normals);
    glBindVertexArray(gpu.vao);
    for (const auto& [location, buffer, data] :
         {std::tuple{0u, gpu.positions, &mesh.positions}, {1u, gpu.normals, &mesh.normals}}) {
        glBindBuffer(GL_ARRAY_BUFFER, buffer);
        glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(data->size() * sizeof(glm::vec3)),
                     data->data(), GL_STATIC_DRAW);
        glEnableVertexAttribArray(location);
        glVertexAttribPointer(location, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
    }
    glBindVertexArray(0);
    gpu.vertices = static_cast<GLsizei>(mesh.positions.size());
    return gpu;
}

void Renderer::draw_mesh(const GpuMesh& mesh, const glm::mat4& model, const glm::vec3& color) {
    if (mesh.vertices == 0) return;
    use_mesh_program(model, color, 0.0f);
    glBindVertexArray(mesh.vao);
    glEnable(GL_CULL_FACE);
    glDrawArrays(GL_TRIANGLES, 0, mesh.vertices);
    glDisable(GL_CULL_FACE);
    glBindVertexArray(0);
}

void Renderer::delete_mesh(GpuMesh& mesh) {
    if (mesh.vao == 0) return;
    glDeleteBuffers(1, &mesh.positions);
    glDeleteBuffers(1, &mesh.normals);
    glDeleteVertexArrays(1, &mesh.vao);
    mesh = GpuMesh{};
}

void Renderer::draw_lines(const std::vector<glm::vec3>& points, const glm::vec4& color) {
    if (points.empty()) return;
    glUseProgram(line_program_);
    glUniformMatrix4fv(glGetUniformLocation(line_program_, "u_view_projection"), 1, GL_FALSE,
                       glm::value_ptr(view_.view_projection));
    glUniform4fv(glGetUniformLocation(line_program_, "u_color"), 1, glm::value_ptr(color));
    glBindVertexArray(line_vao_);
    glBindBuffer(GL_ARRAY_BUFFER, line_buffer_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(points.size() * sizeof(glm::vec3)),
                 points.data(), GL_STREAM_DRAW);
    glDrawArrays(GL_LINES, 0, static_cast<GLsizei>(points.size()));
    glBindVertexArray(0);
}

void Renderer::draw_overlay_lines(const std::vector<glm::vec3>& points, const glm::vec4& color) {
    glDisable(GL_DEPTH_TEST);
    draw_lines(points, color);
    glEnable(GL_DEPTH_TEST);
}

RgbaImage Renderer::read_pixels(const glm::ivec2& size) {
    const std::size_t stride = static_cast<std::size_t>(size.x) * 4;
    std::vector<unsigned char> bottom_up(stride * static_cast<std::size_t>(size.y));
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, size.x, size.y, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
    // OpenGL's rows run bottom-up; an image's top-down.
    RgbaImage image{size, std::vector<unsigned char>(bottom_up.size())};
    for (std::size_t y = 0; y < static_cast<std::size_t>(size.y); ++y) {
        std::copy_n(&bottom_up[(static_cast<std::size_t>(size.y) - 1 - y) * stride], stride,
                    &image.pixels[y * stride]);
    }
    for (std::size_t i = 3; i < image.pixels.size(); i += 4)
        image.pixels[i] = 255;  // opaque
    return image;
}

void append_box_faces(Mesh& mesh, const glm::vec3& lo, const glm::vec3& hi, bool inside) {
    const glm::vec3 corner[2] = {lo, hi};
    for (int axis = 0; axis < 3; ++axis) {
        const int u = (axis + 1) % 3, v = (axis + 2) % 3;
        for (int side = 0; side < 2; ++side) {
            // The face at lo or hi along `axis`; its outward normal points away from the box.
            glm::vec3 normal(0.0f);
            normal[axis] = side == 0 ? -1.0f : 1.0f;
            if (inside) normal = -normal;
            auto point = [&](int a, int b) {
                glm::vec3 p;
                p[axis] = corner[side][axis];
                p[u] = corner[a][u];
                p[v] = corner[b][v];
                return p;
            };
            glm::vec3 quad[4] = {point(0, 0), point(1, 0), point(1, 1), point(0, 1)};
            // Counter-clockwise seen from where the normal points.
            if (glm::dot(glm::cross(quad[1] - quad[0], quad[2] - quad[0]), normal) < 0.0f)
                std::swap(quad[1], quad[3]);
            for (int i : {0, 1, 2, 0, 2, 3}) {
                mesh.positions.push_back(quad[i]);
                mesh.normals.push_back(normal);
            }
        }
    }
}

void append_sphere(Mesh& mesh, const glm::vec3& center, float radius) {
    constexpr int kRings = 16, kSegments = 24;
    auto direction = [](int ring, int segment) {
        const float theta = 3.14159265f * static_cast<float>(ring) / kRings;
        const float phi = 6.2831853f * static_cast<float>(segment) / kSegments;
        return glm::vec3(std::sin(theta) * std::cos(phi), std::cos(theta),
                         std::sin(theta) * std::sin(phi));
    };
    for (int r = 0; r < kRings; ++r) {
        for (int s = 0; s < kSegments; ++s) {
            const glm::vec3 d[4] = {direction(r, s), direction(r + 1, s), direction(r + 1, s + 1),
                                    direction(r, s + 1)};
            for (int i : {0, 2, 1, 0, 3, 2}) {  // counter-clockwise from outside
                mesh.positions.push_back(center + radius * d[i]);
                mesh.normals.push_back(d[i]);
            }
        }
    }
}

void append_triangle_mesh(Mesh& mesh, const TriangleMesh& triangles, bool inside) {
    mesh.positions.reserve(mesh.positions.size() + 3 * triangles.triangles.size());
    mesh.normals.reserve(mesh.normals.size() + 3 * triangles.triangles.size());
    for (const glm::u32vec3& t : triangles.triangles) {
        glm::vec3 corner[3] = {glm::vec3(triangles.vertices[t.x]),
                               glm::vec3(triangles.vertices[t.y]),
                               glm::vec3(triangles.vertices[t.z])};
        // Turned round for a container: its inside faces the camera, its near walls are culled.
        if (inside) std::swap(corner[1], corner[2]);
        const glm::vec3 n = glm::cross(corner[1] - corner[0], corner[2] - corner[0]);
        const float length = glm::length(n);
        if (length == 0.0f) continue;  // degenerate: nothing to see
        for (const glm::vec3& c : corner) {
            mesh.positions.push_back(c);
            mesh.normals.push_back(n / length);
        }
    }
}

void append_polygon_fill(Mesh& out, const std::vector<glm::dvec2>& corners, const glm::mat4& pose) {
    std::vector<std::size_t> left(corners.size());
    for (std::size_t i = 0; i < left.size(); ++i)
        left[i] = i;
    auto cross = [](const glm::dvec2& a, const glm::dvec2& b, const glm::dvec2& c) {
        return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    };
    auto emit = [&](const glm::dvec2& p) {
        out.positions.push_back(glm::vec3(pose * glm::vec4(glm::vec2(p), 0.0f, 1.0f)));
        out.normals.emplace_back(0.0f, 0.0f, 1.0f);
    };
    while (left.size() > 3) {
        bool clipped = false;
        for (std::size_t k = 0; k < left.size() && !clipped; ++k) {
            const glm::dvec2& a = corners[left[(k + left.size() - 1) % left.size()]];
            const glm::dvec2& b = corners[left[k]];
            const glm::dvec2& c = corners[left[(k + 1) % left.size()]];
            if (cross(a, b, c) <= 0.0) continue;  // a reflex corner is no ear
            bool empty = true;
            for (std::size_t m : left) {
                const glm::dvec2& p = corners[m];
                if (p == a || p == b || p == c) continue;
                empty = empty &&
                        !(cross(a, b, p) > 0.0 && cross(b, c, p) > 0.0 && cross(c, a, p) > 0.0);
            }
            if (!empty) continue;
            emit(a), emit(b), emit(c);
            left.erase(left.begin() + static_cast<std::ptrdiff_t>(k));
            clipped = true;
        }
        if (!clipped) break;  // numerically degenerate: leave the rest unfilled
    }
    if (left.size() == 3) emit(corners[left[0]]), emit(corners[left[1]]), emit(corners[left[2]]);
}

void append_box_edges(std::vector<glm::vec3>& points, const glm::vec3& lo, const glm::vec3& hi,
                      int dimension) {
    auto corner = [&](int bits) {
        return glm::vec3(bits & 1 ? hi.x : lo.x, bits & 2 ? hi.y : lo.y, bits & 4 ? hi.z : lo.z);
    };
    const int corners = dimension == 2 ? 4 : 8;
    for (int a = 0; a < corners; ++a) {
        for (int axis = 0; axis < dimension; ++axis) {
            const int b = a | (1 << axis);
            if (b != a) {
                points.push_back(corner(a));
                points.push_back(corner(b));
            }
        }
    }
}

}  // namespace flume
