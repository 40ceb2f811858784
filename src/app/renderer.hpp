// Draws a frame: particles as lit point sprites (coloured in the shader), the domain and box
// obstacles as wireframes, sphere obstacles as large sprites; reads the drawn frame back for
// screenshots. Every GL call of the app (other than ImGui's backend) is here. OpenGL 3.3 core /
// OpenGL ES 3.0 subset only.
#pragma once

#include <glm/glm.hpp>
#include <string>
#include <vector>

#include "app/color_map.hpp"
#include "app/gl.hpp"
#include "app/image.hpp"
#include "app/particle_colors.hpp"

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
    float point_scale = 1.0f;  // see shaders/particles.vert
    bool perspective = false;
    glm::ivec2 viewport{1, 1};
};

class Renderer {
  public:
    // Compiles the shaders and creates the buffers. Throws std::runtime_error with the GL log.
    void init();
    void destroy();

    void begin(const ViewSetup& view, const glm::vec3& background);
    void draw_sprites(const ParticleDraw& particles);
    void draw_lines(const std::vector<glm::vec3>& segment_points, const glm::vec4& color);
    // Lines over everything drawn so far, whatever its depth (the brush outline).
    void draw_overlay_lines(const std::vector<glm::vec3>& segment_points, const glm::vec4& color);

    // The default framebuffer's pixels (size pixels from the bottom left), opaque.
    RgbaImage read_pixels(const glm::ivec2& size);

  private:
    GLuint sprite_program_ = 0, line_program_ = 0;
    GLuint sprite_vao_ = 0, line_vao_ = 0;
    GLuint position_buffer_ = 0, value_buffer_ = 0, line_buffer_ = 0;
    ViewSetup view_;
};

// Adds the 12 edges (2D: 4) of the box [lo, hi] to `points` as line segments.
void append_box_edges(std::vector<glm::vec3>& points, const glm::vec3& lo, const glm::vec3& hi,
                      int dimension);

// The shader source with the header for this platform: "#version 330 core" on the desktop,
// "#version 300 es" and precision statements in the browser.
std::string shader_source(std::string_view body);

}  // namespace flume
