// Particles as point sprites, sized from the particle radius, coloured by a quantity through a
// colour map (or one flat colour).
layout(location = 0) in vec3 a_position;  // 2D scenes: (x, y), z = 0
layout(location = 1) in vec3 a_value;     // the quantity, or the vector whose length it is

uniform mat4 u_view_projection;
uniform float u_radius;       // world units
uniform float u_point_scale;  // pixels per world unit (2D), or per unit at depth 1 (3D)
uniform int u_perspective;

uniform int u_value_components;  // 0: flat colour; 1: a_value.x; 2, 3: length(a_value)
uniform vec3 u_flat_color;
uniform vec2 u_range;            // the value at the map's low end and at its high end
uniform vec3 u_stops[9];         // the colour map (app/color_map.cpp), evenly spaced
uniform int u_stop_count;

out vec3 v_color;

vec3 map_color(float value) {
    float t = (value - u_range.x) / (u_range.y - u_range.x);
    // NaN (a comparison with it fails) takes the low end, as on the CPU.
    t = (isnan(value) || !(t >= 0.0)) ? 0.0 : min(t, 1.0);
    float x = t * float(u_stop_count - 1);
    int i = min(int(x), u_stop_count - 2);
    return mix(u_stops[i], u_stops[i + 1], x - float(i));
}

void main() {
    gl_Position = u_view_projection * vec4(a_position, 1.0);
    float pixels = u_point_scale * u_radius;
    if (u_perspective == 1) pixels /= gl_Position.w;
    gl_PointSize = max(2.0 * pixels, 1.5);
    if (u_value_components == 0)
        v_color = u_flat_color;
    else
        v_color = map_color(u_value_components == 1 ? a_value.x : length(a_value));
}
