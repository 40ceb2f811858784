// Cameras: an orthographic one for 2D scenes, an orbit camera for 3D scenes; matrices for the
// renderer and picking rays for the mouse. Pixel coordinates have their origin at the top left.
#pragma once

#include <glm/glm.hpp>

namespace flume {

struct Ray {
    glm::vec3 origin;
    glm::vec3 direction;  // unit length
};

class Camera2D {
  public:
    // Shows the box [lo, hi] whole, centred, with a small margin, in the part of the viewport
    // between `left_inset` pixels from its left and `right_inset` from its right (where UI panels
    // may sit).
    void fit(const glm::vec2& lo, const glm::vec2& hi, const glm::vec2& viewport,
             float left_inset = 0.0f, float right_inset = 0.0f);
    glm::mat4 view_projection(float aspect) const;
    // World point under a pixel; viewport = (width, height) in pixels.
    glm::vec2 pixel_to_world(const glm::vec2& pixel, const glm::vec2& viewport) const;
    // World units per pixel.
    float world_per_pixel(const glm::vec2& viewport) const {
        return 2.0f * half_height_ / viewport.y;
    }
    void pan_pixels(const glm::vec2& delta, const glm::vec2& viewport);
    // Zooms by `factor` (> 1 zooms in) keeping the world point under `pixel` fixed.
    void zoom_at(float factor, const glm::vec2& pixel, const glm::vec2& viewport);

    glm::vec2 center() const { return center_; }
    float half_height() const { return half_height_; }

  private:
    glm::vec2 center_{0.0f};
    float half_height_ = 1.0f;
};

class OrbitCamera {
  public:
    // Looks at the centre of [lo, hi] from a distance that shows it whole, in the part of the
    // viewport between `left_inset` pixels from its left and `right_inset` from its right (where
    // UI panels may sit): the view is shifted sideways so that the target is that part's centre.
    void fit(const glm::vec3& lo, const glm::vec3& hi, const glm::vec2& viewport = {1.0f, 1.0f},
             float left_inset = 0.0f, float right_inset = 0.0f);
    glm::vec3 eye() const;
    glm::mat4 view() const;
    glm::mat4 projection(float aspect) const;
    Ray pick_ray(const glm::vec2& pixel, const glm::vec2& viewport) const;
    // Pixels on the screen per world unit at `depth` along the view direction.
    float pixels_per_unit(float depth, const glm::vec2& viewport) const;

    void rotate(float dyaw, float dpitch);  // radians; pitch is kept within (-89, 89) degrees
    void pan_pixels(const glm::vec2& delta, const glm::vec2& viewport);
    void zoom(float factor);  // > 1 moves closer

    glm::vec3 target() const { return target_; }
    float distance() const { return distance_; }
    float fov_y() const { return fov_y_; }

  private:
    glm::vec3 target_{0.0f};
    float distance_ = 5.0f;
    float yaw_ = 0.6f;
    float pitch_ = 0.35f;
    float fov_y_ = 0.7853982f;  // 45 degrees
    float shift_ndc_ = 0.0f;    // the projection's sideways shift, in normalised x
    float near_ = 0.01f;
    float far_ = 100.0f;
};

}  // namespace flume
