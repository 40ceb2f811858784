// ImGui's font and sizes for the screen the window is on. ImGui lays out in the window's
// coordinates; a screen's content scale (the desktop's glfwGetWindowContentScale, the browser's
// devicePixelRatio) says how many of its pixels a unit of the UI should take, and the
// framebuffer may have more pixels than the window has coordinates (macOS, Wayland):
//
//   font rasterised at 13 * content pixels, drawn at 1 / pixel_ratio (crisp, never stretched);
//   every style size times content / pixel_ratio (AppOptions::ui_scale).
//
//   apply_ui_scale(scale, false);   // before the backend's first frame
//   apply_ui_scale(scale, true);    // between frames, when the window moved to another screen
#pragma once

namespace flume {

struct UiScale {
    float content = 1.0f;      // screen pixels per UI unit the screen asks for
    float pixel_ratio = 1.0f;  // framebuffer pixels per window coordinate
    // ImGui units per unit of the window's coordinates: AppOptions::ui_scale.
    float ui() const { return content / pixel_ratio; }
    bool operator==(const UiScale&) const = default;
};

// Rebuilds ImGui's font atlas and style for `scale` (ImGui's context current, outside a frame);
// `rebuild_texture`: the OpenGL 3 backend's font texture exists and is made again.
void apply_ui_scale(const UiScale& scale, bool rebuild_texture);

}  // namespace flume
