#include "fluid_surface.hpp"

#include <glm/gtc/type_ptr.hpp>

#include "app/renderer.hpp"

#ifdef __EMSCRIPTEN__
#include <emscripten/html5.h>
#endif

namespace flume {

namespace {

constexpr int kThicknessDownscale = 2;

GLuint make_texture(GLenum internal_format, GLenum format, GLenum type, const glm::ivec2& size,
                    GLenum filter) {
    GLuint texture = 0;
    glGenTextures(1, &texture);
    glBindTexture(GL_TEXTURE_2D, texture);
    glTexImage2D(GL_TEXTURE_2D, 0, static_cast<GLint>(internal_format), size.x, size.y, 0, format,
                 type, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, static_cast<GLint>(filter));
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, static_cast<GLint>(filter));
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    return texture;
}

// A framebuffer with `color` and, if given, `depth_texture` or `depth_renderbuffer`.
GLuint make_framebuffer(GLuint color, GLuint depth_texture, GLuint depth_renderbuffer) {
    GLuint fbo = 0;
    glGenFramebuffers(1, &fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, color, 0);
    if (depth_texture)
        glFramebufferTexture2D(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_TEXTURE_2D, depth_texture,
                               0);
    if (depth_renderbuffer) {
        glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER,
                                  depth_renderbuffer);
    }
    return fbo;
}

bool complete(GLuint fbo) {
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    return glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
}

void bind_texture(GLuint program, const char* name, int unit, GLuint texture) {
    glActiveTexture(static_cast<GLenum>(GL_TEXTURE0 + unit));
    glBindTexture(GL_TEXTURE_2D, texture);
    glUniform1i(glGetUniformLocation(program, name), unit);
}

void set_matrix(GLuint program, const char* name, const glm::mat4& m) {
    glUniformMatrix4fv(glGetUniformLocation(program, name), 1, GL_FALSE, glm::value_ptr(m));
}

// Whether float colour targets can be rendered to; the reason when not.
std::optional<std::string> float_target_support(bool allowed) {
    if (!allowed) return "float render targets are turned off (--no-float-targets)";
#ifdef __EMSCRIPTEN__
    if (!emscripten_webgl_enable_extension(emscripten_webgl_get_current_context(),
                                           "EXT_color_buffer_float")) {
        return "this browser's WebGL 2 has no EXT_color_buffer_float (float render targets)";
    }
#endif
    return std::nullopt;
}

}  // namespace

std::optional<std::string> FluidSurface::init(bool float_targets) {
    unavailable_ = float_target_support(float_targets);
    if (unavailable_) return unavailable_;
    depth_program_ = link_program("fluid_splat_vert", "fluid_depth_frag");
    thickness_program_ = link_program("fluid_splat_vert", "fluid_thickness_frag");
    smooth_program_ = link_program("fullscreen_vert", "fluid_smooth_frag");
    shade_program_ = link_program("fullscreen_vert", "fluid_shade_frag");
    whitewater_program_ = link_program("whitewater_vert", "whitewater_frag");

    const float corners[] = {-1, -1, 1, -1, -1, 1, 1, 1};  // a triangle strip
    glGenVertexArrays(1, &quad_vao_);
    glGenBuffers(1, &corner_buffer_);
    centers_.create();
    shapes_.create();
    glBindVertexArray(quad_vao_);
    glBindBuffer(GL_ARRAY_BUFFER, corner_buffer_);
    glBufferData(GL_ARRAY_BUFFER, sizeof corners, corners, GL_STATIC_DRAW);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    centers_.reserve(0);  // binds it
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
    glVertexAttribDivisor(1, 1);
    shapes_.reserve(0);
    constexpr GLsizei kStride = 8 * sizeof(float);
    glVertexAttribPointer(2, 4, GL_FLOAT, GL_FALSE, kStride, nullptr);
    glVertexAttribPointer(3, 4, GL_FLOAT, GL_FALSE, kStride,
                          reinterpret_cast<const void*>(4 * sizeof(float)));
    glVertexAttribDivisor(2, 1);
    glVertexAttribDivisor(3, 1);
    glGenVertexArrays(1, &empty_vao_);
    glGenVertexArrays(1, &whitewater_vao_);
    sprites_.create();
    glBindVertexArray(whitewater_vao_);
    sprites_.reserve(0);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 4, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindVertexArray(0);
    return std::nullopt;
}

void FluidSurface::release_targets() {
    const GLuint textures[] = {scene_color_, scene_depth_, depth_, temp_, smoothed_, thickness_};
    glDeleteTextures(6, textures);
    const GLuint fbos[] = {scene_fbo_, depth_fbo_, temp_fbo_, smoothed_fbo_, thickness_fbo_};
    glDeleteFramebuffers(5, fbos);
    glDeleteRenderbuffers(1, &splat_depth_buffer_);
    scene_color_ = scene_depth_ = depth_ = temp_ = smoothed_ = thickness_ = 0;
    scene_fbo_ = depth_fbo_ = temp_fbo_ = smoothed_fbo_ = thickness_fbo_ = 0;
    splat_depth_buffer_ = 0;
    size_ = glm::ivec2(0);
}

void FluidSurface::destroy() {
    if (!depth_program_) return;
    release_targets();
    glDeleteBuffers(1, &corner_buffer_);
    centers_.destroy();
    shapes_.destroy();
    sprites_.destroy();
    glDeleteVertexArrays(1, &quad_vao_);
    glDeleteVertexArrays(1, &empty_vao_);
    glDeleteVertexArrays(1, &whitewater_vao_);
    for (GLuint p :
         {depth_program_, thickness_program_, smooth_program_, shade_program_, whitewater_program_})
        glDeleteProgram(p);
    depth_program_ = thickness_program_ = smooth_program_ = shade_program_ = 0;
    whitewater_program_ = 0;
}

void FluidSurface::resize(const glm::ivec2& size) {
    release_targets();
    size_ = size;
    scene_color_ = make_texture(GL_RGBA8, GL_RGBA, GL_UNSIGNED_BYTE, size, GL_LINEAR);
    scene_depth_ =
        make_texture(GL_DEPTH_COMPONENT24, GL_DEPTH_COMPONENT, GL_UNSIGNED_INT, size, GL_NEAREST);
    // R32F is not filterable in WebGL 2 without another extension: the depths are read with
    // texelFetch. R16F (the thickness) is, and is upsampled bilinearly.
    depth_ = make_texture(GL_R32F, GL_RED, GL_FLOAT, size, GL_NEAREST);
    temp_ = make_texture(GL_R32F, GL_RED, GL_FLOAT, size, GL_NEAREST);
    smoothed_ = make_texture(GL_R32F, GL_RED, GL_FLOAT, size, GL_NEAREST);
    const glm::ivec2 small = glm::max((size + kThicknessDownscale - 1) / kThicknessDownscale, 1);
    thickness_ = make_texture(GL_R16F, GL_RED, GL_HALF_FLOAT, small, GL_LINEAR);
    glGenRenderbuffers(1, &splat_depth_buffer_);
    glBindRenderbuffer(GL_RENDERBUFFER, splat_depth_buffer_);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, size.x, size.y);
    scene_fbo_ = make_framebuffer(scene_color_, scene_depth_, 0);
    depth_fbo_ = make_framebuffer(depth_, 0, splat_depth_buffer_);
    temp_fbo_ = make_framebuffer(temp_, 0, 0);
    smoothed_fbo_ = make_framebuffer(smoothed_, 0, 0);
    thickness_fbo_ = make_framebuffer(thickness_, 0, 0);
    for (GLuint fbo : {scene_fbo_, depth_fbo_, temp_fbo_, smoothed_fbo_, thickness_fbo_}) {
        if (!complete(fbo)) {
            glBindFramebuffer(GL_FRAMEBUFFER, 0);
            release_targets();
            unavailable_ = "the float render targets are incomplete on this GPU";
            return;
        }
    }
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

bool FluidSurface::begin_scene(const glm::ivec2& size, const glm::vec3& background) {
    if (unavailable_ || !depth_program_) return false;
    if (size != size_) resize(size);
    if (unavailable_) return false;
    glBindFramebuffer(GL_FRAMEBUFFER, scene_fbo_);
    glViewport(0, 0, size.x, size.y);
    glClearColor(background.r, background.g, background.b, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    return true;
}

void FluidSurface::splat(GLuint program, std::size_t count, float radius,
                         const SurfaceCamera& camera) {
    glUseProgram(program);
    set_matrix(program, "u_view", camera.view);
    set_matrix(program, "u_projection", camera.projection);
    glUniform1f(glGetUniformLocation(program, "u_radius"), radius);
    bind_texture(program, "u_scene_depth", 0, scene_depth_);
    glBindVertexArray(quad_vao_);
    glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, static_cast<GLsizei>(count));
}

void FluidSurface::draw(const SurfaceSplats& splats, const SurfaceCamera& camera,
                        const SurfaceSettings& settings, SurfaceOutput output, GpuTimer& timer) {
    const std::size_t count = splats.count;
    const float radius = splats.radius;
    glBindVertexArray(quad_vao_);
    centers_.update(splats.centers, count * 3 * sizeof(float));
    if (splats.shapes) {
        shapes_.update(splats.shapes, count * 8 * sizeof(float));
        glEnableVertexAttribArray(2);
        glEnableVertexAttribArray(3);
    } else {
        // Spheres: the same shape for every instance, as constant attributes.
        glDisableVertexAttribArray(2);
        glDisableVertexAttribArray(3);
        glVertexAttrib4f(2, 1.0f / radius, 1.0f / radius, 1.0f / radius, radius);
        glVertexAttrib4f(3, 0.0f, 0.0f, 0.0f, 0.0f);
    }
    glDisable(GL_BLEND);

    timer.begin("depth");
    glBindFramebuffer(GL_FRAMEBUFFER, depth_fbo_);
    glClearColor(0.0f, 0.0f, 0.0f, 0.0f);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    if (count > 0) splat(depth_program_, count, radius, camera);
    timer.end();

    timer.begin("thickness");
    const glm::ivec2 small = glm::max((size_ + kThicknessDownscale - 1) / kThicknessDownscale, 1);
    glBindFramebuffer(GL_FRAMEBUFFER, thickness_fbo_);
    glViewport(0, 0, small.x, small.y);
    glClear(GL_COLOR_BUFFER_BIT);
    glDisable(GL_DEPTH_TEST);
    glEnable(GL_BLEND);
    glBlendFunc(GL_ONE, GL_ONE);
    glUseProgram(thickness_program_);
    glUniform1f(glGetUniformLocation(thickness_program_, "u_scale"),
                static_cast<float>(kThicknessDownscale));
    if (count > 0) splat(thickness_program_, count, radius, camera);
    glDisable(GL_BLEND);
    glViewport(0, 0, size_.x, size_.y);
    timer.end();

    timer.begin("smooth");
    glBindVertexArray(empty_vao_);
    glUseProgram(smooth_program_);
    glUniform1i(glGetUniformLocation(smooth_program_, "u_filter"),
                settings.filter == SurfaceFilter::NarrowRange ? 0 : 1);
    glUniform1f(glGetUniformLocation(smooth_program_, "u_world_radius"),
                settings.filter_radius * radius);
    glUniform1f(glGetUniformLocation(smooth_program_, "u_pixels_per_unit"), camera.pixels_per_unit);
    glUniform1f(glGetUniformLocation(smooth_program_, "u_threshold"), 4.0f * radius);
    const GLint direction = glGetUniformLocation(smooth_program_, "u_direction");
    glBindFramebuffer(GL_FRAMEBUFFER, temp_fbo_);
    glUniform2i(direction, 1, 0);
    bind_texture(smooth_program_, "u_depth", 0, depth_);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glBindFramebuffer(GL_FRAMEBUFFER, smoothed_fbo_);
    glUniform2i(direction, 0, 1);
    bind_texture(smooth_program_, "u_depth", 0, temp_);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    timer.end();

    timer.begin("shade");
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glUseProgram(shade_program_);
    bind_texture(shade_program_, "u_scene_color", 0, scene_color_);
    bind_texture(shade_program_, "u_depth", 1, depth_);
    bind_texture(shade_program_, "u_smoothed", 2, smoothed_);
    bind_texture(shade_program_, "u_thickness", 3, thickness_);
    bind_texture(shade_program_, "u_scene_depth", 4, scene_depth_);
    set_matrix(shade_program_, "u_projection", camera.projection);
    const glm::mat3 view_to_world = glm::transpose(glm::mat3(camera.view));
    glUniformMatrix3fv(glGetUniformLocation(shade_program_, "u_view_to_world"), 1, GL_FALSE,
                       glm::value_ptr(view_to_world));
    glUniform1i(glGetUniformLocation(shade_program_, "u_mode"), static_cast<GLint>(output));
    glUniform2fv(glGetUniformLocation(shade_program_, "u_depth_range"), 1,
                 glm::value_ptr(camera.depth_range));
    const glm::vec3 absorption = settings.absorption * (glm::vec3(1.0f) - settings.color);
    glUniform3fv(glGetUniformLocation(shade_program_, "u_absorption"), 1,
                 glm::value_ptr(absorption));
    glUniform3fv(glGetUniformLocation(shade_program_, "u_color"), 1,
                 glm::value_ptr(settings.color));
    glUniform1f(glGetUniformLocation(shade_program_, "u_refraction"), settings.refraction);
    glDisable(GL_DEPTH_TEST);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glEnable(GL_DEPTH_TEST);
    glActiveTexture(GL_TEXTURE0);
    glBindVertexArray(0);
    timer.end();
}

void FluidSurface::draw_whitewater(const WhitewaterSprites& whitewater, const SurfaceCamera& camera,
                                   GpuTimer& timer) {
    timer.begin("whitewater");
    if (whitewater.count > 0) {
        glBindVertexArray(whitewater_vao_);
        sprites_.update(whitewater.sprites, whitewater.count * 4 * sizeof(float));
        glUseProgram(whitewater_program_);
        set_matrix(whitewater_program_, "u_view", camera.view);
        set_matrix(whitewater_program_, "u_projection", camera.projection);
        glUniform1f(glGetUniformLocation(whitewater_program_, "u_size"), whitewater.size);
        glUniform1f(glGetUniformLocation(whitewater_program_, "u_pixels_per_unit"),
                    camera.pixels_per_unit);
        // Fainter by e every four sprite sizes under the surface.
        glUniform1f(glGetUniformLocation(whitewater_program_, "u_fade"), 0.25f / whitewater.size);
        bind_texture(whitewater_program_, "u_scene_depth", 0, scene_depth_);
        bind_texture(whitewater_program_, "u_surface", 1, smoothed_);
        glDisable(GL_DEPTH_TEST);
        glDepthMask(GL_FALSE);
        glEnable(GL_BLEND);
        glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
        glDrawArrays(GL_POINTS, 0, static_cast<GLsizei>(whitewater.count));
        glDisable(GL_BLEND);
        glDepthMask(GL_TRUE);
        glEnable(GL_DEPTH_TEST);
        glActiveTexture(GL_TEXTURE0);
        glBindVertexArray(0);
    }
    timer.end();
}

}  // namespace flume
