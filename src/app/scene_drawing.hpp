// The scene on screen, drawn through the Renderer from the frame the simulation published: what
// the app shows of it and how, as renderer calls (the GL calls are the renderer's).
//
//   2D         the polygon obstacles filled and the outlets' regions under the particles; the
//              particles as sprites, coloured by the chosen quantity; the domain's walls (when the
//              scene has them) and the box obstacles as edges, the polygons' outlines, sphere
//              obstacles as sprites
//   3D         the particles view: the particles, the edges and the sphere sprites as in 2D,
//              the mesh obstacles solid; a surface view (ViewMode): the domain's faces (a
//              checkered room) and the obstacles solid, then the fluid surface's passes and,
//              in the shaded view, the whitewater (whitewater.hpp) over it
//   bodies     the rigid bodies solid, lit, in their own amber colour, where the frame's poses put
//              them: 2D filled (over the particles, with a darker outline and a radius line
//              that shows a disc turn), 3D boxes and spheres in both views (in the surface view
//              before the fluid, which is depth-tested against them as against the obstacles)
//   both       the emitters' and outlets' marks (flow_marks.hpp) over the fluid, then the force
//              brush's circle while it is held, and the line of a body's drag
//
// Moving obstacles are drawn where the frame's poses put them. The mesh obstacles' triangles go
// to the GPU once per scene, the particle buffers are sized once per scene.
#pragma once

#include <cstdint>
#include <glm/glm.hpp>
#include <optional>
#include <vector>

#include "app/camera.hpp"
#include "app/panels.hpp"
#include "app/particle_anisotropy.hpp"
#include "app/renderer.hpp"
#include "app/simulation_runner.hpp"
#include "app/view_mode.hpp"
#include "app/whitewater.hpp"

namespace flume {

// The force brush's circle: in the plane of a 2D scene, facing the camera in 3D.
struct BrushMark {
    glm::vec3 center{0.0f};
    float radius = 0.0f;
    bool pull = false;  // drawn green; pushing: orange
};

// A body held by the mouse or --drag: a line from the point it is held by to the target.
struct DragMark {
    std::size_t body = 0;
    glm::vec3 anchor{0.0f};  // in the body's rest frame
    glm::vec3 target{0.0f};  // world
};

// The bodies' colour (amber, distinct from the obstacles' terracotta; tests/tools/png_stats.py
// counts it).
inline constexpr glm::vec3 kBodyColor(0.95f, 0.78f, 0.32f);

// How a frame is looked at: 2D scenes through `camera2d`, 3D ones through `camera3d`.
struct SceneLook {
    glm::ivec2 framebuffer{1, 1};  // pixels
    const Camera2D& camera2d;
    const OrbitCamera& camera3d;
    const ViewSettings& view;
    const ColoringSettings& coloring;
    std::optional<BrushMark> brush;  // none: no brush held
    std::optional<DragMark> drag;    // none: no body held
};

class SceneDrawing {
  public:
    // What a frame's drawing showed: the view (ViewMode::Particles for 2D scenes, when the surface
    // cannot be drawn, and before the first frame), and the range of the quantity the particles
    // were coloured by, when they were (the View panel's legend).
    struct Drawn {
        ViewMode view = ViewMode::Particles;
        std::optional<ValueRange> legend;
    };

    // Draws `frame` (nothing but the background before its first scene), with the renderer's
    // timer passes ("particles"; the surface view's "scene" and the fluid's passes).
    Drawn draw(Renderer& renderer, const Frame& frame, const SceneLook& look);

    // The renderer's buffers were made anew (Renderer::init): the next frame sizes them again.
    void renderer_reset() { particle_buffers_generation_ = 0; }
    // Deletes the obstacle meshes from the GPU (before its context goes); the next frame uploads
    // them again.
    void release();

    // The whitewater's diffuse particles now and the CPU time of its last update (ms, smoothed).
    std::size_t whitewater_particles() const { return whitewater_.count(); }
    float whitewater_milliseconds() const { return whitewater_milliseconds_; }

  private:
    void draw_particles(Renderer& renderer, const Frame& f, const ColoringSettings& coloring,
                        Drawn& drawn);
    void draw_walls_and_obstacles(Renderer& renderer, const Frame& f);
    void draw_polygon_fills(Renderer& renderer, const Frame& f);
    // The rigid bodies, solid (see the top of this file).
    void draw_bodies(Renderer& renderer, const Frame& f);
    // The surface view: the domain's faces and the obstacles opaque, then the fluid's passes.
    void draw_surface(Renderer& renderer, const Frame& f, const ViewSetup& view,
                      const SceneLook& look);
    void update_whitewater(const Frame& f);
    void draw_solid_walls_and_obstacles(Renderer& renderer, const Frame& f);
    void draw_obstacle_meshes(Renderer& renderer, const Frame& f);
    void upload_obstacle_meshes(Renderer& renderer, const Frame& f);

    // The scene's obstacle meshes on the GPU, uploaded once per scene (generation).
    struct ObstacleMesh {
        std::size_t obstacle = 0;  // index in the scene's obstacles
        bool container = false;
        GpuMesh gpu;
    };
    std::vector<ObstacleMesh> obstacle_meshes_;
    // The surface's anisotropic splats, computed again only when the particles changed (a paused
    // simulation's frames reuse them): the positions they were computed from.
    ParticleAnisotropy anisotropy_;
    std::vector<float> anisotropy_positions_;
    float anisotropy_radius_ = 0.0f;
    // Whitewater, advanced once per new step by the simulated time since the last one it saw.
    Whitewater whitewater_;
    std::uint64_t whitewater_step_ = 0;
    double whitewater_time_ = -1.0;  // < 0: none seen yet
    float whitewater_milliseconds_ = 0.0f;
    std::uint64_t obstacle_meshes_generation_ = 0;  // 0: none uploaded
    // The scene whose capacity the particle buffers were sized for (0: none yet).
    std::uint64_t particle_buffers_generation_ = 0;
};

}  // namespace flume
