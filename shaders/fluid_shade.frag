// Screen-space fluid, last pass: normals from the smoothed depth, then refraction of the opaque
// scene behind, Beer-Lambert absorption over the thickness, Fresnel reflection of a procedural
// sky and a specular highlight; or one of the passes' buffers (the debug views). Where there is
// no fluid the scene shows through.
in vec2 v_uv;
uniform sampler2D u_scene_color;
uniform sampler2D u_depth;     // eye distance, 0: no fluid (the splat)
uniform sampler2D u_smoothed;  // the same, smoothed
uniform sampler2D u_thickness; // metres, reduced resolution
uniform sampler2D u_scene_depth;  // window depth of the opaque scene, 1: nothing
uniform mat4 u_projection;
uniform mat3 u_view_to_world;  // rotation
uniform int u_mode;            // 0 surface, 1 depth, 2 smoothed depth, 3 normals, 4 thickness
uniform vec2 u_depth_range;    // near and far eye distances of the depth views
uniform vec3 u_absorption;     // per metre, per colour channel
uniform vec3 u_color;          // the water's colour (light scattered back)
uniform float u_refraction;    // displacement (world units) per unit of normal and metre of thickness
out vec4 frag_color;

const vec3 kSun = vec3(0.4, 0.8, 0.45);  // world, normalised below (as in mesh.frag)

vec3 view_position(ivec2 px, float z) {
    vec2 ndc = (vec2(px) + 0.5) / vec2(textureSize(u_smoothed, 0)) * 2.0 - 1.0;
    return vec3(ndc.x * z / u_projection[0][0], ndc.y * z / u_projection[1][1], -z);
}

// The difference to the neighbour along `step` on the side whose depth is closer (so that an
// edge does not tilt the normal); zero when neither side has fluid.
vec3 tangent(ivec2 px, vec3 center, float zc, ivec2 step) {
    ivec2 last = textureSize(u_smoothed, 0) - 1;
    ivec2 a = clamp(px + step, ivec2(0), last), b = clamp(px - step, ivec2(0), last);
    float za = texelFetch(u_smoothed, a, 0).r, zb = texelFetch(u_smoothed, b, 0).r;
    bool use_a = za > 0.0 && (zb <= 0.0 || abs(za - zc) <= abs(zb - zc));
    if (use_a) return view_position(a, za) - center;
    if (zb > 0.0) return center - view_position(b, zb);
    return vec3(0.0);
}

vec3 view_normal(ivec2 px, float zc) {
    vec3 center = view_position(px, zc);
    vec3 n = cross(tangent(px, center, zc, ivec2(1, 0)), tangent(px, center, zc, ivec2(0, 1)));
    return dot(n, n) > 0.0 ? normalize(n) : vec3(0.0, 0.0, 1.0);
}

vec3 sky(vec3 d) {
    vec3 horizon = vec3(0.80, 0.86, 0.92), zenith = vec3(0.20, 0.42, 0.78);
    vec3 ground = vec3(0.30, 0.28, 0.26);
    if (d.y >= 0.0) return mix(horizon, zenith, pow(d.y, 0.6));
    return mix(horizon, ground, min(-d.y * 4.0, 1.0));
}

// What is seen through the surface at `px`: the scene displaced along the normal by u_refraction
// x thickness in world units at the fluid's depth (so the offset scales with the fluid on the
// screen, not with the window), taken only where the scene there lies behind this fluid. Taken
// anywhere (as before), thick fluid moved the lookup by a hundred pixels, out of the room onto
// the dark clear colour, or onto the front of the fluid: the dark streaks at the depth
// discontinuities, where the normals turn sideways. Where the displaced point fails, the
// offset is halved, down to none (what lies straight behind, which always passes).
vec3 refracted(ivec2 px, vec3 n, float z, float thickness) {
    vec2 size = vec2(textureSize(u_scene_color, 0));
    vec2 offset = -n.xy * u_refraction * thickness *
                  vec2(u_projection[0][0], u_projection[1][1]) * 0.5 / z * size;  // pixels
    vec4 clip = u_projection * vec4(0.0, 0.0, -z, 1.0);
    float fluid_window_z = clip.z / clip.w * 0.5 + 0.5;
    ivec2 last = ivec2(size) - 1;
    for (int k = 0; k < 4; ++k) {
        ivec2 q = clamp(px + ivec2(floor(offset + 0.5)), ivec2(0), last);
        float scene_z = texelFetch(u_scene_depth, q, 0).r;
        if (scene_z < 1.0 && scene_z > fluid_window_z) return texelFetch(u_scene_color, q, 0).rgb;
        offset *= 0.5;
    }
    return texelFetch(u_scene_color, px, 0).rgb;
}

float depth_shade(float z) {
    return 1.0 - clamp((z - u_depth_range.x) / (u_depth_range.y - u_depth_range.x), 0.0, 1.0);
}

void main() {
    ivec2 px = ivec2(gl_FragCoord.xy);
    float z = texelFetch(u_smoothed, px, 0).r;
    float thickness = texture(u_thickness, v_uv).r;
    if (u_mode != 0) {  // the debug views, on black
        vec3 c = vec3(0.0);
        if (u_mode == 1) {
            float raw = texelFetch(u_depth, px, 0).r;
            if (raw > 0.0) c = vec3(depth_shade(raw));
        } else if (z > 0.0 && u_mode == 2) {
            c = vec3(depth_shade(z));
        } else if (z > 0.0 && u_mode == 3) {
            c = u_view_to_world * view_normal(px, z) * 0.5 + 0.5;  // world normal
        } else if (u_mode == 4) {
            c = vec3(1.0 - exp(-4.0 * thickness));  // 0.25 m: 63% grey
        }
        frag_color = vec4(c, 1.0);
        return;
    }
    if (z <= 0.0) {
        frag_color = vec4(texelFetch(u_scene_color, px, 0).rgb, 1.0);
        return;
    }
    vec3 n = view_normal(px, z);
    vec3 to_eye = normalize(-view_position(px, z));
    vec3 behind = refracted(px, n, z, thickness);
    vec3 transmittance = exp(-u_absorption * thickness);  // Beer-Lambert
    vec3 transmitted = behind * transmittance + u_color * (1.0 - transmittance) * 0.12;
    // Fresnel (Schlick, water's F0 = 0.02) between it and the sky reflected by the surface.
    float fresnel = 0.02 + 0.98 * pow(1.0 - max(dot(n, to_eye), 0.0), 5.0);
    vec3 reflected = sky(u_view_to_world * reflect(-to_eye, n));
    vec3 sun = normalize(transpose(u_view_to_world) * normalize(kSun));
    float specular = pow(max(dot(n, normalize(sun + to_eye)), 0.0), 240.0);
    frag_color = vec4(mix(transmitted, reflected, fresnel) + vec3(0.9 * specular), 1.0);
}
