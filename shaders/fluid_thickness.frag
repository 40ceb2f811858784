// Thickness, at reduced resolution, added up over all spheres: each adds its chord at the pixel.
// Spheres behind the opaque scene add nothing.
in vec2 v_corner;
in vec3 v_center;
uniform mat4 u_projection;
uniform float u_radius;
uniform sampler2D u_scene_depth;  // full resolution
uniform float u_scale;            // full-resolution pixels per pixel of this pass
out float frag_thickness;

void main() {
    float r2 = dot(v_corner, v_corner);
    if (r2 > 1.0) discard;
    float half_chord = sqrt(1.0 - r2) * u_radius;
    vec4 clip = u_projection * vec4(v_center + vec3(v_corner * u_radius, half_chord), 1.0);
    float window_z = clip.z / clip.w * 0.5 + 0.5;
    ivec2 full = ivec2(gl_FragCoord.xy * u_scale);
    if (window_z >= texelFetch(u_scene_depth, full, 0).r) discard;
    frag_thickness = 2.0 * half_chord;
}
