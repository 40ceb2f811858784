// Sphere depth: the eye-space distance of the sphere's front point at this pixel, nearest sphere
// kept by the depth test; pixels behind the opaque scene are left out.
in vec2 v_corner;
in vec3 v_center;
uniform mat4 u_projection;
uniform float u_radius;
uniform sampler2D u_scene_depth;
out float frag_depth;

void main() {
    float r2 = dot(v_corner, v_corner);
    if (r2 > 1.0) discard;
    vec3 p = v_center + vec3(v_corner, sqrt(1.0 - r2)) * u_radius;
    vec4 clip = u_projection * vec4(p, 1.0);
    float window_z = clip.z / clip.w * 0.5 + 0.5;
    if (window_z >= texelFetch(u_scene_depth, ivec2(gl_FragCoord.xy), 0).r) discard;
    gl_FragDepth = window_z;
    frag_depth = -p.z;
}
