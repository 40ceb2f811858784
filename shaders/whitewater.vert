// Whitewater (src/app/whitewater.hpp): each spray, foam or bubble particle a small white point
// sprite over the shaded fluid surface.
layout(location = 0) in vec4 a_sprite;  // world x, y, z; alpha (negative: a bubble)
uniform mat4 u_view;
uniform mat4 u_projection;
uniform float u_size;             // the sprite's diameter, world units
uniform float u_pixels_per_unit;  // on the screen, at distance 1
out float v_alpha;
out float v_eye_depth;

void main() {
    vec4 view = u_view * vec4(a_sprite.xyz, 1.0);
    gl_Position = u_projection * view;
    v_eye_depth = -view.z;
    v_alpha = abs(a_sprite.w);
    // Small and far away: at least a pixel and a half, fainter (the same light over more room).
    float pixels = u_pixels_per_unit * u_size / max(-view.z, 1e-3);
    gl_PointSize = clamp(pixels, 1.5, 16.0);
    v_alpha *= min(1.0, pixels / 1.5);
}
