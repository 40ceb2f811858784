// Screen-space fluid surface rendering (3D scenes): the particles become a smooth, refracting,
// coloured surface, in passes over the pixels:
//
//   scene      the opaque geometry (domain faces, obstacles) into an offscreen colour + depth
//   depth      each particle a camera-facing quad (instanced) over its ellipsoid (anisotropic,
//              particle_anisotropy.hpp) or sphere (isotropic): the view depth of the nearest one
//              per pixel, by a ray cast into it, depth-tested against the scene
//   smooth     the narrow-range filter (Truong & Yuksel 2018) or a bilateral one, separable
//   thickness  every splat's chord added up, at half resolution
//   shade      normals from the smoothed depth; refraction of the scene, Beer-Lambert absorption,
//              Fresnel reflection of a procedural sky, specular; into the default framebuffer
//   whitewater (draw_whitewater) spray, foam and bubbles (whitewater.hpp) as white point sprites
//              over it, hidden behind the opaque scene, fading with their depth under the surface
//
// Needs float colour targets (R32F, R16F): core in OpenGL 3.3, EXT_color_buffer_float in WebGL 2.
// Without them init() says why and the app draws particles instead.
#pragma once

#include <glm/glm.hpp>
#include <optional>
#include <string>

#include "app/gl.hpp"
#include "app/gpu_timer.hpp"
#include "app/stream_buffer.hpp"

namespace flume {

enum class SurfaceFilter { NarrowRange, Bilateral };

// What the shade pass writes: the picture, or one of the buffers (debug views).
enum class SurfaceOutput { Shaded, Depth, SmoothedDepth, Normals, Thickness };

// The surface's look; the defaults look like water.
struct SurfaceSettings {
    SurfaceFilter filter = SurfaceFilter::NarrowRange;
    float filter_radius = 3.0f;           // in particle radii
    glm::vec3 color{0.35f, 0.7f, 0.95f};  // the light that water lets through
    float absorption = 12.0f;             // per metre, for a colour channel at 0
    float refraction = 0.25f;             // displacement of what is seen behind, per metre of
                                          // thickness (world units at the fluid's depth)
    bool anisotropic = true;              // ellipsoids (Yu & Turk 2013); false: spheres
    bool whitewater = true;               // spray, foam and bubbles (Ihmsen et al. 2012)
};

// The whitewater's sprites (Whitewater::sprites(): x, y, z, alpha; negative alpha a bubble).
struct WhitewaterSprites {
    const float* sprites = nullptr;
    std::size_t count = 0;
    float size = 0.01f;  // the sprites' diameter, world units
};

// The particles to splat: centres (3 floats each) and, for anisotropic splats, each one's
// ellipsoid (ParticleAnisotropy::shapes(); null: spheres of `radius`).
struct SurfaceSplats {
    const float* centers = nullptr;
    const float* shapes = nullptr;
    std::size_t count = 0;
    float radius = 0.01f;
};

struct SurfaceCamera {
    glm::mat4 view{1.0f}, projection{1.0f};
    float pixels_per_unit = 1.0f;       // on the screen, at distance 1
    glm::vec2 depth_range{0.0f, 1.0f};  // eye distances the depth views span
};

class FluidSurface {
  public:
    // Compiles the shaders and checks for float render targets. Returns why the surface cannot
    // be drawn, or nothing when it can. `float_targets` false: as if they were missing (tests).
    std::optional<std::string> init(bool float_targets);
    void destroy();
    // Sizes the particle centres' buffer for `particles` (once per scene; see StreamBuffer).
    void reserve_particles(std::size_t particles) {
        centers_.reserve(particles * 3 * sizeof(float));
        shapes_.reserve(particles * 8 * sizeof(float));
    }
    // The same for the whitewater's sprites (its capacity, once).
    void reserve_whitewater(std::size_t sprites) { sprites_.reserve(sprites * 4 * sizeof(float)); }

    // Draws into the offscreen scene target from here on (cleared to `background`): the opaque
    // geometry goes there, then draw() composites. Returns false (nothing bound) if the targets
    // of this size cannot be made; unavailable() then says why.
    bool begin_scene(const glm::ivec2& size, const glm::vec3& background);
    void draw(const SurfaceSplats& splats, const SurfaceCamera& camera,
              const SurfaceSettings& settings, SurfaceOutput output, GpuTimer& timer);
    // After draw() (the shaded surface): the whitewater over it, alpha-blended (timer pass
    // "whitewater").
    void draw_whitewater(const WhitewaterSprites& whitewater, const SurfaceCamera& camera,
                         GpuTimer& timer);

    const std::optional<std::string>& unavailable() const { return unavailable_; }

  private:
    void resize(const glm::ivec2& size);
    void release_targets();
    void splat(GLuint program, std::size_t count, float radius, const SurfaceCamera& camera);

    std::optional<std::string> unavailable_;
    GLuint depth_program_ = 0, thickness_program_ = 0, smooth_program_ = 0, shade_program_ = 0;
    GLuint whitewater_program_ = 0;
    GLuint quad_vao_ = 0, corner_buffer_ = 0, empty_vao_ = 0, whitewater_vao_ = 0;
    StreamBuffer centers_, shapes_, sprites_;
    glm::ivec2 size_{0, 0};
    // Textures: the scene's colour and depth, the splatted depth, the smoothing's two, thickness.
    GLuint scene_color_ = 0, scene_depth_ = 0, depth_ = 0, temp_ = 0, smoothed_ = 0, thickness_ = 0;
    GLuint splat_depth_buffer_ = 0;  // renderbuffer: the nearest sphere wins
    GLuint scene_fbo_ = 0, depth_fbo_ = 0, temp_fbo_ = 0, smoothed_fbo_ = 0, thickness_fbo_ = 0;
};

}  // namespace flume
