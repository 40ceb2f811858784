#include "app/scene_drawing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include "app/flow_marks.hpp"
#include "app/scene_display.hpp"

namespace flume {

namespace {

glm::vec3 to3(const glm::dvec3& v) {
    return glm::vec3(v);
}

const glm::vec3 kBackground(0.08f, 0.09f, 0.11f);
const glm::vec3 kObstacleColor(0.75f, 0.45f, 0.3f);
const glm::vec3 kContainerColor(0.7f, 0.66f, 0.55f);

// Where obstacle `obstacle` is this frame, from where the scene placed it (the identity unless it
// moves), as the simulation published it with the particles.
glm::mat4 obstacle_pose(const Frame& f, std::size_t obstacle) {
    return obstacle < f.obstacle_poses.size() ? f.obstacle_poses[obstacle] : glm::mat4(1.0f);
}

// The vertices appended to `mesh` from `first` on, moved by `pose`.
void move_appended(Mesh& mesh, std::size_t first, const glm::mat4& pose) {
    const glm::mat3 turn(pose);
    for (std::size_t v = first; v < mesh.positions.size(); ++v) {
        mesh.positions[v] = glm::vec3(pose * glm::vec4(mesh.positions[v], 1.0f));
        mesh.normals[v] = turn * mesh.normals[v];
    }
}

// Over the fluid, whatever its depth: an emitter or outlet under water stays in sight.
void draw_flow_marks(Renderer& renderer, const FlowMarks& flows, int dimension) {
    renderer.draw_overlay_mesh(flows.outlets.fill, glm::vec4(kOutletColor, 0.15f));
    renderer.draw_overlay_lines(flows.outlets.lines, glm::vec4(kOutletColor, 1.0f));
    const float patch_alpha = dimension == 2 ? 1.0f : 0.4f;  // 2D: bars and arrows
    for (const auto& [layer, color] :
         {std::pair{&flows.idle, kIdleEmitterColor}, {&flows.emitting, kEmitterColor}}) {
        renderer.draw_overlay_mesh(layer->fill, glm::vec4(color, patch_alpha));
        renderer.draw_overlay_lines(layer->lines, glm::vec4(color, 1.0f));
    }
}

void draw_brush(Renderer& renderer, const BrushMark& brush, const OrbitCamera& camera3d,
                int dimension) {
    glm::vec3 u(1, 0, 0), v(0, 1, 0);
    if (dimension == 3) {
        const glm::vec3 forward = glm::normalize(camera3d.target() - camera3d.eye());
        u = glm::normalize(glm::cross(forward, glm::vec3(0, 1, 0)));
        v = glm::cross(u, forward);
    }
    std::vector<glm::vec3> circle;
    for (int i = 0; i < 48; ++i) {
        for (int j : {i, i + 1}) {
            const float a = 6.2831853f * static_cast<float>(j) / 48.0f;
            circle.push_back(brush.center + (u * std::cos(a) + v * std::sin(a)) * brush.radius);
        }
    }
    renderer.draw_overlay_lines(circle, brush.pull ? glm::vec4(0.4f, 0.9f, 0.5f, 1.0f)
                                                   : glm::vec4(1.0f, 0.55f, 0.2f, 1.0f));
}

void draw_drag(Renderer& renderer, const Frame& f, const DragMark& drag) {
    if (drag.body >= f.body_poses.size()) return;
    const glm::vec3 held = glm::vec3(f.body_poses[drag.body] * glm::vec4(drag.anchor, 1.0f));
    renderer.draw_overlay_lines({held, drag.target}, glm::vec4(1.0f, 0.9f, 0.5f, 1.0f));
}

}  // namespace

SceneDrawing::Drawn SceneDrawing::draw(Renderer& renderer, const Frame& f, const SceneLook& look) {
    if (f.scene && particle_buffers_generation_ != f.scene_generation) {
        renderer.reserve_particles(f.stats.capacity);
        if (f.scene->dimension == 3) {
            anisotropy_.reserve(f.stats.capacity);
            anisotropy_positions_.reserve(3 * f.stats.capacity);
            whitewater_.reserve(f.stats.capacity);
            renderer.surface().reserve_whitewater(whitewater_.capacity());
        }
        anisotropy_positions_.clear();
        whitewater_.clear();
        whitewater_time_ = -1.0;
        particle_buffers_generation_ = f.scene_generation;
    }
    ViewSetup view;
    view.viewport = look.framebuffer;
    const glm::vec2 viewport(look.framebuffer);
    const float aspect = viewport.x / viewport.y;
    const int dimension = f.scene ? f.scene->dimension : 2;
    if (dimension == 2) {
        view.view_projection = look.camera2d.view_projection(aspect);
        view.point_scale = 1.0f / look.camera2d.world_per_pixel(viewport);
        view.perspective = false;
    } else {
        view.view = look.camera3d.view();
        view.projection = look.camera3d.projection(aspect);
        view.view_projection = view.projection * view.view;
        view.point_scale = look.camera3d.pixels_per_unit(1.0f, viewport);
        view.perspective = true;
    }
    renderer.timer().begin_frame();
    renderer.begin(view, kBackground);
    Drawn drawn;
    if (!f.scene) return drawn;
    const FlowMarks flows = flow_marks(
        *f.scene, f.emitters, dimension == 2 ? look.camera2d.world_per_pixel(viewport) : 0.0f);
    if (dimension == 3 && look.view.mode != ViewMode::Particles &&
        renderer.surface().begin_scene(look.framebuffer, kBackground)) {
        draw_surface(renderer, f, view, look);
        drawn.view = look.view.mode;
    } else {
        renderer.timer().begin("particles");
        if (dimension == 2) {
            draw_polygon_fills(renderer, f);
            renderer.draw_mesh(flows.outlet_floor, kOutletFloorColor);
        }
        draw_particles(renderer, f, look.coloring, drawn);
        draw_walls_and_obstacles(renderer, f);
        draw_bodies(renderer, f);
        renderer.timer().end();
    }
    draw_flow_marks(renderer, flows, dimension);
    if (look.brush) draw_brush(renderer, *look.brush, look.camera3d, dimension);
    if (look.drag) draw_drag(renderer, f, *look.drag);
    return drawn;
}

void SceneDrawing::draw_surface(Renderer& renderer, const Frame& f, const ViewSetup& view,
                                const SceneLook& look) {
    renderer.timer().begin("scene");
    draw_solid_walls_and_obstacles(renderer, f);
    draw_bodies(renderer, f);
    renderer.timer().end();
    const glm::vec3 lo = to3(f.scene->domain_min), hi = to3(f.scene->domain_max);
    const float reach = 0.5f * glm::length(hi - lo);  // from the domain's centre
    const float distance = look.camera3d.distance();
    SurfaceCamera camera;
    camera.view = view.view;
    camera.projection = view.projection;
    camera.pixels_per_unit = view.point_scale;
    camera.depth_range = glm::vec2(std::max(distance - reach, 0.0f), distance + reach);
    const ParticleView p = f.particles.view();
    const ViewMode mode = look.view.mode;
    const SurfaceOutput output = mode == ViewMode::Depth           ? SurfaceOutput::Depth
                                 : mode == ViewMode::SmoothedDepth ? SurfaceOutput::SmoothedDepth
                                 : mode == ViewMode::Normals       ? SurfaceOutput::Normals
                                 : mode == ViewMode::Thickness     ? SurfaceOutput::Thickness
                                                                   : SurfaceOutput::Shaded;
    SurfaceSplats splats{p.position, nullptr, p.count, f.constants.particle_radius};
    if (look.view.surface.anisotropic) {
        const std::size_t floats = 3 * p.count;
        if (anisotropy_radius_ != splats.radius || anisotropy_positions_.size() != floats ||
            !std::equal(p.position, p.position + floats, anisotropy_positions_.begin())) {
            anisotropy_.compute(p.position, p.count, splats.radius);
            anisotropy_positions_.assign(p.position, p.position + floats);
            anisotropy_radius_ = splats.radius;
        }
        splats.centers = anisotropy_.centers();
        splats.shapes = anisotropy_.shapes();
    }
    renderer.surface().draw(splats, camera, look.view.surface, output, renderer.timer());
    if (output == SurfaceOutput::Shaded && look.view.surface.whitewater) {
        update_whitewater(f);
        const WhitewaterSprites sprites{whitewater_.sprites(), whitewater_.count(),
                                        1.2f * f.constants.particle_radius};
        renderer.surface().draw_whitewater(sprites, camera, renderer.timer());
    } else {
        whitewater_.clear();  // switched off: starts afresh when switched on
        whitewater_time_ = -1.0;
    }
}

void SceneDrawing::update_whitewater(const Frame& f) {
    const ParticleSnapshot& p = f.particles;
    if (whitewater_time_ >= 0.0 && p.step == whitewater_step_) return;  // paused: as it was
    if (p.time < whitewater_time_) whitewater_.clear();  // restored to an earlier state
    // The simulated time since the last frame seen (frames the app skipped included), at most a
    // tenth of a second: a long gap (a slow frame) moves and makes no more than that.
    const float dt = whitewater_time_ >= 0.0 && p.time > whitewater_time_
                         ? static_cast<float>(std::min(p.time - whitewater_time_, 0.1))
                         : 0.0f;
    whitewater_step_ = p.step;
    whitewater_time_ = p.time;
    if (dt <= 0.0f || p.velocity.size() != p.position.size()) return;
    const std::vector<double>& g = f.scene->params.vector("gravity");
    const glm::vec3 gravity(static_cast<float>(g.size() > 0 ? g[0] : 0.0),
                            static_cast<float>(g.size() > 1 ? g[1] : 0.0),
                            static_cast<float>(g.size() > 2 ? g[2] : 0.0));
    const auto start = std::chrono::steady_clock::now();
    whitewater_.update(p.position.data(), p.velocity.data(), p.position.size() / 3,
                       f.constants.particle_radius, gravity, dt, to3(f.scene->domain_min),
                       to3(f.scene->domain_max));
    const float ms =
        std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - start).count();
    whitewater_milliseconds_ += 0.1f * (ms - whitewater_milliseconds_);
}

// 2D: the polygons filled, under the particles.
void SceneDrawing::draw_polygon_fills(Renderer& renderer, const Frame& f) {
    Mesh fills;
    for (std::size_t i = 0; i < f.scene->obstacles.size(); ++i) {
        const ShapeDesc& o = f.scene->obstacles[i];
        if (o.shape == Shape::Mesh && !o.mesh->outline.empty() && !o.mesh->invert)
            append_polygon_fill(fills, o.mesh->outline, obstacle_pose(f, i));
    }
    if (!fills.positions.empty()) renderer.draw_mesh(fills, glm::vec3(0.45f, 0.32f, 0.24f));
}

void SceneDrawing::draw_bodies(Renderer& renderer, const Frame& f) {
    const std::vector<BodyDesc>& bodies = f.scene->bodies;
    const std::size_t count = std::min(bodies.size(), f.body_poses.size());
    if (count == 0) return;
    Mesh solid;
    std::vector<glm::vec3> outlines;
    for (std::size_t i = 0; i < count; ++i) {
        const ShapeDesc& s = bodies[i].shape;
        const glm::mat4& pose = f.body_poses[i];
        if (f.scene->dimension == 3) {
            const std::size_t first = solid.positions.size();
            if (s.shape == Shape::Box) {
                append_box_faces(solid, to3(s.min), to3(s.max), false);
            } else if (s.shape == Shape::Sphere) {
                append_sphere(solid, to3(s.center), static_cast<float>(s.radius));
            } else if (s.shape == Shape::Mesh) {
                append_triangle_mesh(solid, s.mesh->mesh, false);
            }
            move_appended(solid, first, pose);
            continue;
        }
        // 2D: over the particles (z = 0), nearer the camera than they are.
        glm::mat4 lifted = pose;
        lifted[3].z += 0.5f;
        std::vector<glm::dvec2> corners;
        if (s.shape == Shape::Box) {
            corners = {
                {s.min.x, s.min.y}, {s.max.x, s.min.y}, {s.max.x, s.max.y}, {s.min.x, s.max.y}};
        } else if (s.shape == Shape::Mesh) {
            corners = s.mesh->outline;  // a polygon
        } else if (s.shape == Shape::Sphere) {
            constexpr int kSides = 48;
            for (int k = 0; k < kSides; ++k) {
                const double a = 6.283185307179586 * k / kSides;
                corners.push_back(glm::dvec2(s.center) +
                                  s.radius * glm::dvec2(std::cos(a), std::sin(a)));
            }
        }
        append_polygon_fill(solid, corners, lifted);
        auto at = [&](const glm::dvec2& p) {
            glm::vec3 w = glm::vec3(lifted * glm::vec4(glm::vec2(p), 0.0f, 1.0f));
            w.z = 0.6f;  // over the fill
            return w;
        };
        for (std::size_t k = 0; k < corners.size(); ++k) {
            outlines.push_back(at(corners[k]));
            outlines.push_back(at(corners[(k + 1) % corners.size()]));
        }
        if (s.shape == Shape::Sphere) {  // a radius: shows the disc turn
            outlines.push_back(at(glm::dvec2(s.center)));
            outlines.push_back(at(glm::dvec2(s.center) + glm::dvec2(s.radius, 0.0)));
        }
    }
    renderer.draw_mesh(solid, kBodyColor);
    renderer.draw_lines(outlines, glm::vec4(0.45f * kBodyColor, 1.0f));
}

void SceneDrawing::draw_solid_walls_and_obstacles(Renderer& renderer, const Frame& f) {
    const glm::vec3 lo = to3(f.scene->domain_min), hi = to3(f.scene->domain_max);
    Mesh room, obstacles;
    if (draws_domain_walls(*f.scene)) append_box_faces(room, lo, hi, true);
    for (std::size_t i = 0; i < f.scene->obstacles.size(); ++i) {
        const ShapeDesc& o = f.scene->obstacles[i];
        const std::size_t first = obstacles.positions.size();
        if (o.shape == Shape::Box) {
            append_box_faces(obstacles, to3(o.min), to3(o.max), false);
        } else if (o.shape == Shape::Sphere) {
            append_sphere(obstacles, to3(o.center), static_cast<float>(o.radius));
        }
        if (o.motion.moves()) move_appended(obstacles, first, obstacle_pose(f, i));
    }
    const float extent = std::max({hi.x - lo.x, hi.y - lo.y, hi.z - lo.z});
    renderer.draw_mesh(room, glm::vec3(0.78f, 0.78f, 0.76f), extent / 8.0f);
    renderer.draw_mesh(obstacles, kObstacleColor);
    draw_obstacle_meshes(renderer, f);
}

void SceneDrawing::draw_obstacle_meshes(Renderer& renderer, const Frame& f) {
    upload_obstacle_meshes(renderer, f);
    for (const ObstacleMesh& m : obstacle_meshes_) {
        renderer.draw_mesh(m.gpu, obstacle_pose(f, m.obstacle),
                           m.container ? kContainerColor : kObstacleColor);
    }
}

// Once per scene: the mesh obstacles' triangles, flat shaded; a container turned inside out.
void SceneDrawing::upload_obstacle_meshes(Renderer& renderer, const Frame& f) {
    if (obstacle_meshes_generation_ == f.scene_generation) return;
    release();
    obstacle_meshes_generation_ = f.scene_generation;
    for (std::size_t i = 0; i < f.scene->obstacles.size(); ++i) {
        const ShapeDesc& o = f.scene->obstacles[i];
        if (o.shape != Shape::Mesh) continue;
        Mesh triangles;
        append_triangle_mesh(triangles, o.mesh->mesh, o.mesh->invert);
        obstacle_meshes_.push_back({i, o.mesh->invert, renderer.upload_mesh(triangles)});
    }
}

void SceneDrawing::release() {
    for (ObstacleMesh& m : obstacle_meshes_)
        Renderer::delete_mesh(m.gpu);
    obstacle_meshes_.clear();
    obstacle_meshes_generation_ = 0;
}

// Particles, coloured by the chosen quantity over the frame's range (in the shader: the arrays
// go to the GPU as the simulation published them).
void SceneDrawing::draw_particles(Renderer& renderer, const Frame& f,
                                  const ColoringSettings& coloring, Drawn& drawn) {
    const ParticleView p = f.particles.view();
    ParticleDraw draw;
    draw.positions = p.position;
    draw.dimension = p.dimension;
    draw.count = p.count;
    draw.radius = f.constants.particle_radius;
    if (coloring.by != ColorBy::Water) {
        const std::optional<ValueRange> range = f.ranges.of(coloring.by);
        draw.values = particle_values(p, coloring.by);
        draw.map = coloring.map;
        draw.range = range.value_or(ValueRange{});  // all NaN: all take the low end's colour
        drawn.legend = range;
    }
    renderer.draw_sprites(draw);
}

void SceneDrawing::draw_walls_and_obstacles(Renderer& renderer, const Frame& f) {
    const int dimension = f.scene->dimension;
    std::vector<glm::vec3> lines;
    if (draws_domain_walls(*f.scene))
        append_box_edges(lines, to3(f.scene->domain_min), to3(f.scene->domain_max), dimension);
    for (std::size_t i = 0; i < f.scene->obstacles.size(); ++i) {
        const ShapeDesc& o = f.scene->obstacles[i];
        const glm::mat4 pose = obstacle_pose(f, i);
        if (o.shape == Shape::Box) {
            const std::size_t first = lines.size();
            append_box_edges(lines, to3(o.min), to3(o.max), dimension);
            for (std::size_t v = first; v < lines.size(); ++v)
                lines[v] = glm::vec3(pose * glm::vec4(lines[v], 1.0f));
        } else if (o.shape == Shape::Sphere) {
            const glm::vec3 center = glm::vec3(pose * glm::vec4(to3(o.center), 1.0f));
            ParticleDraw sphere;
            sphere.positions = &center.x;
            sphere.count = 1;
            sphere.radius = static_cast<float>(o.radius);
            sphere.flat_color = glm::vec3(0.62f, 0.6f, 0.56f);
            renderer.draw_sprites(sphere);
        } else if (o.shape == Shape::Mesh && !o.mesh->outline.empty()) {
            // A polygon (2D): its outline.
            const std::vector<glm::dvec2>& c = o.mesh->outline;
            for (std::size_t k = 0; k < c.size(); ++k) {
                for (const glm::dvec2& p : {c[k], c[(k + 1) % c.size()]}) {
                    lines.push_back(glm::vec3(pose * glm::vec4(glm::vec2(p), 0.0f, 1.0f)));
                }
            }
        }
    }
    renderer.draw_lines(lines, glm::vec4(0.85f, 0.85f, 0.8f, 1.0f));
    if (dimension == 3) draw_obstacle_meshes(renderer, f);
}

}  // namespace flume
