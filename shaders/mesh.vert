// Opaque geometry: the domain's inside faces and the obstacles (the surface view), the obstacle
// meshes (both views).
layout(location = 0) in vec3 a_position;
layout(location = 1) in vec3 a_normal;
uniform mat4 u_view_projection;
uniform mat4 u_model;  // a rigid motion (identity for still geometry)
out vec3 v_position;
out vec3 v_normal;

void main() {
    vec4 world = u_model * vec4(a_position, 1.0);
    v_position = world.xyz;
    v_normal = mat3(u_model) * a_normal;
    gl_Position = u_view_projection * world;
}
