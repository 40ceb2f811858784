// Lambert lighting from the sky's sun, with an optional checkerboard (so that refraction shows);
// u_alpha below 1 for translucent overlays.
in vec3 v_position;
in vec3 v_normal;
uniform vec3 u_color;
uniform float u_checker;  // square size in world units; 0: plain
uniform float u_alpha;
out vec4 frag_color;

void main() {
    vec3 light = normalize(vec3(0.4, 0.8, 0.45));
    float diffuse = max(dot(normalize(v_normal), light), 0.0);
    float shade = 0.5 + 0.5 * diffuse;
    if (u_checker > 0.0) {
        vec3 cell = floor(v_position / u_checker + 1.0e-3);
        shade *= mod(cell.x + cell.y + cell.z, 2.0) < 0.5 ? 1.0 : 0.82;
    }
    frag_color = vec4(u_color * shade, u_alpha);
}
