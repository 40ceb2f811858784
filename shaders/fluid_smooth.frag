// Depth smoothing, one direction per pass (separable). Default: the narrow-range filter of
// Truong & Yuksel 2018 ("A Narrow-Range Filter for Screen-Space Fluid Rendering", I3D): a
// Gaussian whose samples farther than a threshold behind the centre (another layer) are ignored
// and nearer than it in front are clamped to the threshold, so that the surface is smoothed
// without bleeding across layers. Option: a bilateral filter (Gaussian in depth difference).
// The radius in pixels is a world size divided by depth, as in the paper.
in vec2 v_uv;
uniform sampler2D u_depth;        // eye distance, 0 where there is no fluid
uniform ivec2 u_direction;        // (1, 0) or (0, 1)
uniform int u_filter;             // 0: narrow range, 1: bilateral
uniform float u_world_radius;     // filter radius, world units
uniform float u_pixels_per_unit;  // on the screen at distance 1
uniform float u_threshold;        // world units (a few particle radii)
out float frag_depth;

const int kMaxRadius = 20;

void main() {
    ivec2 px = ivec2(gl_FragCoord.xy);
    float zc = texelFetch(u_depth, px, 0).r;
    if (zc <= 0.0) {
        frag_depth = 0.0;
        return;
    }
    float radius = clamp(u_world_radius * u_pixels_per_unit / zc, 1.0, float(kMaxRadius));
    float inv_two_sigma2 = 2.0 / (radius * radius);  // sigma = radius / 2
    ivec2 last = textureSize(u_depth, 0) - 1;
    float sum = zc, weights = 1.0;
    for (int i = 1; i <= kMaxRadius; ++i) {
        if (float(i) > radius) break;
        float spatial = exp(-float(i * i) * inv_two_sigma2);
        for (int side = -1; side <= 1; side += 2) {
            float z = texelFetch(u_depth, clamp(px + side * i * u_direction, ivec2(0), last), 0).r;
            if (z <= 0.0) continue;  // no fluid there
            float w = spatial;
            if (u_filter == 0) {
                if (z > zc + u_threshold) continue;
                z = max(z, zc - u_threshold);
            } else {
                float dz = (z - zc) / u_threshold;
                w *= exp(-dz * dz);
            }
            sum += w * z;
            weights += w;
        }
    }
    frag_depth = sum / weights;
}
