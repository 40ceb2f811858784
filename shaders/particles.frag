// A lit sphere impostor in each point sprite.
in vec3 v_color;
out vec4 frag_color;

void main() {
    vec2 p = gl_PointCoord * 2.0 - 1.0;
    float r2 = dot(p, p);
    if (r2 > 1.0) discard;
    vec3 normal = vec3(p.x, -p.y, sqrt(1.0 - r2));
    vec3 light = normalize(vec3(0.35, 0.6, 0.75));
    float diffuse = max(dot(normal, light), 0.0);
    float specular = pow(max(dot(reflect(-light, normal), vec3(0.0, 0.0, 1.0)), 0.0), 32.0);
    frag_color = vec4(v_color * (0.35 + 0.65 * diffuse) + vec3(0.3 * specular), 1.0);
}
