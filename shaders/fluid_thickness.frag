// Thickness, at reduced resolution, added up over all splats: each adds the length of the eye's
// ray inside its ellipsoid at the pixel (see fluid_depth.frag), scaled by the particle's sphere's
// volume over the ellipsoid's, so that a splat spread along a surface adds the water its particle
// holds, no more (unscaled, the wide discs at the surfaces darkened them). Splats whose front
// point lies behind the opaque scene add nothing.
in vec3 v_position;
in vec3 v_ray;
flat in vec3 v_center;
flat in float v_volume;
uniform mat4 u_projection;
uniform sampler2D u_scene_depth;  // full resolution
uniform float u_scale;            // full-resolution pixels per pixel of this pass
out float frag_thickness;

void main() {
    float a = dot(v_ray, v_ray);
    float t0 = dot(v_ray, v_center) / a;
    vec3 h = t0 * v_ray - v_center;
    float h2 = dot(h, h);
    if (h2 > 1.0) discard;
    float half_chord = sqrt((1.0 - h2) / a);  // in t
    vec4 clip = u_projection * vec4((t0 - half_chord) * v_position, 1.0);
    float window_z = clip.z / clip.w * 0.5 + 0.5;
    ivec2 full = ivec2(gl_FragCoord.xy * u_scale);
    if (window_z >= texelFetch(u_scene_depth, full, 0).r) discard;
    frag_thickness = 2.0 * half_chord * length(v_position) * v_volume;
}
