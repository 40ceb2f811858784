// Particles as point sprites, sized from the particle radius.
layout(location = 0) in vec3 a_position;
layout(location = 1) in vec3 a_color;

uniform mat4 u_view_projection;
uniform float u_radius;       // world units
uniform float u_point_scale;  // pixels per world unit (2D), or per unit at depth 1 (3D)
uniform int u_perspective;

out vec3 v_color;

void main() {
    gl_Position = u_view_projection * vec4(a_position, 1.0);
    float pixels = u_point_scale * u_radius;
    if (u_perspective == 1) pixels /= gl_Position.w;
    gl_PointSize = max(2.0 * pixels, 1.5);
    v_color = a_color;
}
