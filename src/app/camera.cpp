#include "camera.hpp"

#include <algorithm>
#include <cmath>
#include <glm/gtc/matrix_transform.hpp>

namespace flume {

namespace {

// The insets that fit leaves free of the view: in a narrow window the panels cover the view
// rather than leave too little of it.
void usable_insets(const glm::vec2& viewport, float& left_inset, float& right_inset) {
    if (left_inset + right_inset > 0.6f * viewport.x) right_inset = 0.0f;
    if (left_inset > 0.5f * viewport.x) left_inset = 0.0f;
}

}  // namespace

void Camera2D::fit(const glm::vec2& lo, const glm::vec2& hi, const glm::vec2& viewport,
                   float left_inset, float right_inset) {
    usable_insets(viewport, left_inset, right_inset);
    const float usable = viewport.x - left_inset - right_inset;
    const glm::vec2 half = 0.5f * (hi - lo) * 1.08f;
    half_height_ = std::max(half.y, half.x * viewport.y / std::max(usable, 1.0f));
    // Centre the box in the usable part: shift the view by half the insets' difference.
    const float shift = 0.5f * (left_inset - right_inset) * world_per_pixel(viewport);
    center_ = 0.5f * (lo + hi) - glm::vec2(shift, 0.0f);
}

glm::mat4 Camera2D::view_projection(float aspect) const {
    const float hw = half_height_ * aspect;
    return glm::ortho(center_.x - hw, center_.x + hw, center_.y - half_height_,
                      center_.y + half_height_, -1.0f, 1.0f);
}

glm::vec2 Camera2D::pixel_to_world(const glm::vec2& pixel, const glm::vec2& viewport) const {
    const float scale = world_per_pixel(viewport);
    return center_ + glm::vec2(pixel.x - 0.5f * viewport.x, 0.5f * viewport.y - pixel.y) * scale;
}

void Camera2D::pan_pixels(const glm::vec2& delta, const glm::vec2& viewport) {
    center_ -= glm::vec2(delta.x, -delta.y) * world_per_pixel(viewport);
}

void Camera2D::zoom_at(float factor, const glm::vec2& pixel, const glm::vec2& viewport) {
    const glm::vec2 anchor = pixel_to_world(pixel, viewport);
    half_height_ = std::clamp(half_height_ / factor, 1.0e-4f, 1.0e5f);
    center_ += anchor - pixel_to_world(pixel, viewport);
}

void OrbitCamera::fit(const glm::vec3& lo, const glm::vec3& hi, const glm::vec2& viewport,
                      float left_inset, float right_inset) {
    usable_insets(viewport, left_inset, right_inset);
    const float usable = std::max(viewport.x - left_inset - right_inset, 1.0f);
    target_ = 0.5f * (lo + hi);
    // The box's bounding sphere within the vertical field of view and within the usable width's.
    const float radius = 0.5f * glm::length(hi - lo);
    const float half_y = 0.5f * fov_y_;
    const float half_x = std::atan(std::tan(half_y) * usable / std::max(viewport.y, 1.0f));
    distance_ = radius / std::sin(std::min(half_y, half_x)) * 1.05f;
    near_ = distance_ * 0.01f;
    far_ = distance_ * 10.0f;
    shift_ndc_ = (left_inset - right_inset) / std::max(viewport.x, 1.0f);
}

glm::vec3 OrbitCamera::eye() const {
    const glm::vec3 dir(std::cos(pitch_) * std::sin(yaw_), std::sin(pitch_),
                        std::cos(pitch_) * std::cos(yaw_));
    return target_ + dir * distance_;
}

glm::mat4 OrbitCamera::view() const {
    return glm::lookAt(eye(), target_, glm::vec3(0, 1, 0));
}

glm::mat4 OrbitCamera::projection(float aspect) const {
    // x' = x + shift w in clip space: the whole image moves by shift in normalised x.
    glm::mat4 shift(1.0f);
    shift[3][0] = shift_ndc_;
    return shift * glm::perspective(fov_y_, aspect, near_, far_);
}

Ray OrbitCamera::pick_ray(const glm::vec2& pixel, const glm::vec2& viewport) const {
    const glm::vec2 ndc(2.0f * pixel.x / viewport.x - 1.0f, 1.0f - 2.0f * pixel.y / viewport.y);
    const glm::mat4 inverse = glm::inverse(projection(viewport.x / viewport.y) * view());
    glm::vec4 near_point = inverse * glm::vec4(ndc, -1.0f, 1.0f);
    glm::vec4 far_point = inverse * glm::vec4(ndc, 1.0f, 1.0f);
    near_point /= near_point.w;
    far_point /= far_point.w;
    const glm::vec3 origin = eye();
    return Ray{origin, glm::normalize(glm::vec3(far_point) - glm::vec3(near_point))};
}

float OrbitCamera::pixels_per_unit(float depth, const glm::vec2& viewport) const {
    return viewport.y / (2.0f * std::tan(0.5f * fov_y_) * std::max(depth, 1.0e-6f));
}

void OrbitCamera::rotate(float dyaw, float dpitch) {
    yaw_ += dyaw;
    pitch_ = std::clamp(pitch_ + dpitch, -1.55f, 1.55f);
}

void OrbitCamera::pan_pixels(const glm::vec2& delta, const glm::vec2& viewport) {
    const glm::vec3 forward = glm::normalize(target_ - eye());
    const glm::vec3 right = glm::normalize(glm::cross(forward, glm::vec3(0, 1, 0)));
    const glm::vec3 up = glm::cross(right, forward);
    const float scale = 1.0f / pixels_per_unit(distance_, viewport);
    target_ += (-delta.x * right + delta.y * up) * scale;
}

void OrbitCamera::zoom(float factor) {
    distance_ = std::clamp(distance_ / factor, 1.0e-3f, 1.0e4f);
}

}  // namespace flume
