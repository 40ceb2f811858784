// Whitewater sprites: a soft white disc, hidden behind the opaque scene and fading with its depth
// under the fluid's surface (foam on the surface shows whole, a bubble just under it faintly).
in float v_alpha;
in float v_eye_depth;
uniform sampler2D u_scene_depth;  // window depth of the opaque scene, 1: nothing
uniform sampler2D u_surface;      // the fluid's smoothed eye distance, 0: no fluid
uniform float u_fade;             // per world unit under the surface
out vec4 frag_color;

void main() {
    vec2 p = gl_PointCoord * 2.0 - 1.0;
    float r2 = dot(p, p);
    if (r2 > 1.0) discard;
    ivec2 px = ivec2(gl_FragCoord.xy);
    if (gl_FragCoord.z >= texelFetch(u_scene_depth, px, 0).r) discard;
    float surface = texelFetch(u_surface, px, 0).r;
    float under = surface > 0.0 ? max(v_eye_depth - surface, 0.0) : 0.0;
    float alpha = v_alpha * (1.0 - r2 * r2) * exp(-under * u_fade);
    frag_color = vec4(0.95, 0.97, 1.0, alpha);
}
