// Screen-space fluid, depth and thickness passes: one camera-facing quad per particle (instanced;
// not point sprites, whose size WebGL caps), in view space, over the particle's ellipsoid
// {x : |G (x - c)| <= 1} (src/app/particle_anisotropy.hpp; isotropic splats: G = I / r). The
// fragment shaders cast the eye's ray through the quad into the ellipsoid's unit-ball frame.
layout(location = 0) in vec2 a_corner;          // (+-1, +-1), per vertex
layout(location = 1) in vec3 a_center;          // per instance, world
layout(location = 2) in vec4 a_shape_diagonal;  // Gxx, Gyy, Gzz, longest semi-axis
layout(location = 3) in vec4 a_shape_off;       // Gxy, Gxz, Gyz, unused
uniform mat4 u_view;
uniform mat4 u_projection;
uniform float u_radius;  // the particles' radius
out vec3 v_position;    // the quad's point, view space: the ray from the eye is t v_position
out vec3 v_ray;         // G R^T v_position: the same in the unit-ball frame
flat out vec3 v_center; // G R^T c: the centre in the unit-ball frame
flat out float v_volume; // the sphere's volume over the ellipsoid's: r^3 det G

void main() {
    vec3 d = a_shape_diagonal.xyz, o = a_shape_off.xyz;
    mat3 g = mat3(vec3(d.x, o.x, o.y), vec3(o.x, d.y, o.z), vec3(o.y, o.z, d.z));
    mat3 to_ball = g * transpose(mat3(u_view));  // view -> world rotation, then G
    vec3 center = (u_view * vec4(a_center, 1.0)).xyz;
    v_position = vec3(center.xy + a_corner * a_shape_diagonal.w, center.z);
    v_ray = to_ball * v_position;
    v_center = to_ball * center;
    v_volume = determinant(g) * u_radius * u_radius * u_radius;
    gl_Position = u_projection * vec4(v_position, 1.0);
}
