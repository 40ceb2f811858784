// Screen-space fluid, depth and thickness passes: one camera-facing quad per particle (instanced;
// not point sprites, whose size WebGL caps), in view space.
layout(location = 0) in vec2 a_corner;  // (+-1, +-1), per vertex
layout(location = 1) in vec3 a_center;  // per instance
uniform mat4 u_view;
uniform mat4 u_projection;
uniform float u_radius;
out vec2 v_corner;
out vec3 v_center;  // view space

void main() {
    vec4 center = u_view * vec4(a_center, 1.0);
    v_corner = a_corner;
    v_center = center.xyz;
    gl_Position = u_projection * vec4(center.xy + a_corner * u_radius, center.z, 1.0);
}
