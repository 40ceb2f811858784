// Splat depth: the view depth of the ellipsoid's front point at this pixel (the eye's ray through
// the quad, cast in the ellipsoid's unit-ball frame), nearest splat kept by the depth test; pixels
// behind the opaque scene are left out.
in vec3 v_position;
in vec3 v_ray;
flat in vec3 v_center;
flat in float v_volume;  // unused here
uniform mat4 u_projection;
uniform sampler2D u_scene_depth;
out float frag_depth;

void main() {
    // The ray t v_ray meets the unit ball around v_center: its closest approach at t0, at a
    // squared distance h2 (no cancellation between the large b^2 and a c of the quadratic).
    float a = dot(v_ray, v_ray);
    float t0 = dot(v_ray, v_center) / a;
    vec3 h = t0 * v_ray - v_center;
    float h2 = dot(h, h);
    if (h2 > 1.0) discard;
    vec3 p = (t0 - sqrt((1.0 - h2) / a)) * v_position;
    vec4 clip = u_projection * vec4(p, 1.0);
    float window_z = clip.z / clip.w * 0.5 + 0.5;
    if (window_z >= texelFetch(u_scene_depth, ivec2(gl_FragCoord.xy), 0).r) discard;
    gl_FragDepth = window_z;
    frag_depth = -p.z;
}
