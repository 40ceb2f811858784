// What a frame is drawn with (scene_drawing.hpp decides which part of the scene is drawn as
// what): lit point sprites coloured in the shader (the particles, from buffers sized once per
// scene), lines (wireframes), lit opaque triangles (meshes; those kept on the GPU are uploaded
// once), overlays over everything drawn so far (marks, the brush), the fluid surface's passes;
// reads the drawn frame back for screenshots. The app's GL calls (other than ImGui's backend) are
// here and in the parts it owns: fluid_surface (the surface passes), gpu_timer (timer queries) and
// stream_buffer.hpp (the particle buffers). OpenGL 3.3 core / OpenGL ES 3.0 subset only.
#pragma once

#include <glm/glm.hpp>
#include <string>
#include <vector>

#include "app/color_map.hpp"
#include "app/fluid_surface.hpp"
#include "app/gl.hpp"
#include "app/gpu_timer.hpp"
#include "app/image.hpp"
#include "app/particle_colors.hpp"
#include "app/stream_buffer.hpp"
#include "core/geometry/triangle_mesh.hpp"

namespace flume {

// Particles to draw as sprites, straight from published arrays (nothing is converted on the
// CPU): positions of `dimension` floats (2D: z = 0), and the value to colour by (see
// ParticleValues) mapped over `range` through `map`, or `flat_color` when there is none.
struct ParticleDraw {
    const float* positions = nullptr;
    int dimension = 3;
    std::size_t count = 0;
    float radius = 0.01f;
    ParticleValues values;
    ColorMap map = ColorMap::Turbo;
    ValueRange range;
    glm::vec3 flat_color = kWaterColor;
};

struct ViewSetup {
    glm::mat4 view_projection{1.0f};
    glm::mat4 view{1.0f}, projection{1.0f};  // 3D
    float point_scale = 1.0f;                // see shaders/particles.vert
    bool perspective = false;
    glm::ivec2 viewport{1, 1};
};

// Triangles with a normal per vertex (flat shading), for opaque geometry.
struct Mesh {
    std::vector<glm::vec3> positions, normals;
};

// A Mesh uploaded once (Renderer::upload_mesh), drawn every frame without copying it again.
struct GpuMesh {
    GLuint vao = 0, positions = 0, normals = 0;
    GLsizei vertices = 0;
};

class Renderer {
  public:
    // Compiles the shaders and creates the buffers. Throws std::runtime_error with the GL log.
    // float_targets false: the fluid surface behaves as if float render targets were missing.
    void init(bool float_targets = true);
    void destroy();

    // Opaque triangles (back faces culled), lit from the sky's sun; `checker` > 0 draws a
    // checkerboard of squares that size.
    void draw_mesh(const Mesh& mesh, const glm::vec3& color, float checker = 0.0f);

    // Meshes kept on the GPU (the scene's obstacle meshes): uploaded once, drawn as draw_mesh
    // draws, placed by `model` (a rigid motion: the normals turn with it), deleted explicitly.
    GpuMesh upload_mesh(const Mesh& mesh);
    void draw_mesh(const GpuMesh& mesh, const glm::mat4& model, const glm::vec3& color);
    static void delete_mesh(GpuMesh& mesh);

    // Triangles over everything drawn so far, whatever its depth, both faces, lit as draw_mesh
    // lights them, blended with `color.a` (the emitters' and outlets' marks).
    void draw_overlay_mesh(const Mesh& mesh, const glm::vec4& color);

    FluidSurface& surface() { return surface_; }
    const FluidSurface& surface() const { return surface_; }
    GpuTimer& timer() { return timer_; }
    const GpuTimer& timer() const { return timer_; }

    // Sizes the particle buffers (the sprites' and the surface's) for `particles`: once per
    // scene, for its capacity; each frame then copies its particles in without reallocating.
    void reserve_particles(std::size_t particles);

    void begin(const ViewSetup& view, const glm::vec3& background);
    void draw_sprites(const ParticleDraw& particles);
    void draw_lines(const std::vector<glm::vec3>& segment_points, const glm::vec4& color);
    // Lines over everything drawn so far, whatever its depth (the brush outline).
    void draw_overlay_lines(const std::vector<glm::vec3>& segment_points, const glm::vec4& color);

    // The default framebuffer's pixels (size pixels from the bottom left), opaque.
    RgbaImage read_pixels(const glm::ivec2& size);

  private:
    void use_mesh_program(const glm::mat4& model, const glm::vec3& color, float checker,
                          float alpha = 1.0f);

    GLuint sprite_program_ = 0, line_program_ = 0, mesh_program_ = 0;
    GLuint sprite_vao_ = 0, line_vao_ = 0, mesh_vao_ = 0;
    StreamBuffer positions_, values_;  // the sprites' attributes
    GLuint line_buffer_ = 0, mesh_buffer_ = 0, normal_buffer_ = 0;
    FluidSurface surface_;
    GpuTimer timer_;
    ViewSetup view_;
};

// Adds the faces of the box [lo, hi] (3D) to `mesh`, facing out, or facing in (`inside`: a room,
// whose near walls are culled so that one sees into it).
void append_box_faces(Mesh& mesh, const glm::vec3& lo, const glm::vec3& hi, bool inside);
void append_sphere(Mesh& mesh, const glm::vec3& center, float radius);
// Adds a triangle mesh's faces, flat shaded: facing out as its triangles do, or facing in
// (`inside`: a container, whose near walls are culled so that one sees the fluid in it).
void append_triangle_mesh(Mesh& mesh, const TriangleMesh& triangles, bool inside);

// Adds a simple polygon (2D, counter-clockwise), cut into triangles by ear clipping (n - 2
// triangles) and placed by `pose`, facing +z.
void append_polygon_fill(Mesh& mesh, const std::vector<glm::dvec2>& corners, const glm::mat4& pose);

// Adds the 12 edges (2D: 4) of the box [lo, hi] to `points` as line segments.
void append_box_edges(std::vector<glm::vec3>& points, const glm::vec3& lo, const glm::vec3& hi,
                      int dimension);

// The shader source with the header for this platform: "#version 330 core" on the desktop,
// "#version 300 es" and precision statements in the browser.
std::string shader_source(std::string_view body);

// Compiles and links the embedded shaders/VERTEX and shaders/FRAGMENT, named as embedded
// ("particles_vert"). Throws std::runtime_error with the GL log.
GLuint link_program(std::string_view vertex, std::string_view fragment);

}  // namespace flume
