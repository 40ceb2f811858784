// Sampling of shapes into particles: fluid blocks on a lattice, walls and obstacles as boundary
// particles (Akinci et al. 2012).
//
// Boundary samples fill a shell of `layers` lattice layers on the solid side of each surface
// (layers * spacing >= kernel support), so that a fluid particle next to a wall sees a complete
// neighbourhood, half fluid, half boundary. Each sample's volume is Akinci's V_b = 1 / sum_k W_bk
// (eq. 4). Evaluated on the shell alone, that sum would miss the fluid side and overstate the
// volume of the layer that touches the fluid; so the sampler also returns the same number of
// virtual layers on the fluid side, used only as neighbours when the volumes are computed.
#pragma once

#include <cstdint>
#include <vector>

#include "core/geometry/distance_field.hpp"
#include "core/math/vec.hpp"
#include "core/scene.hpp"

namespace flume {

template <int D>
struct BoundarySamples {
    std::vector<Vec<D>> position;
    std::vector<std::uint8_t> real;  // 1: a boundary particle; 0: virtual, for volumes only
};

// Lattice points of spacing `spacing` inside `region`, each at least spacing / 2 from its surface.
template <int D>
std::vector<Vec<D>> sample_volume(const ShapeDesc& region, double spacing);

// The walls of the domain box [lo, hi]: real layers outside it, virtual layers inside.
template <int D>
void sample_domain_walls(const glm::dvec3& lo, const glm::dvec3& hi, double spacing, int layers,
                         BoundarySamples<D>& out);

// A solid obstacle: real layers inside its surface, virtual layers outside.
template <int D>
void sample_obstacle(const ShapeDesc& shape, double spacing, int layers, BoundarySamples<D>& out);

// A mesh's shell, from its distance field (whose nodes are the lattice, as a box's): real samples
// on the solid side (inside the mesh, or outside it for a container) less than `thickness` from
// the surface, virtual ones as far on the other side. A mesh cube gives a box's real samples.
// In 2D, a polygon's: the nodes of the field's lower layer (z < 0), taken in the plane.
template <int D>
void sample_mesh_shell(const DistanceField& field, bool invert, double thickness,
                       BoundarySamples<D>& out);

// How far short of a particle radius from a solid's surface a fluid lattice point may lie and
// still be fluid, as a fraction of the radius: the layer exactly r from a wall (the one whose
// neighbours across the wall are one spacing away, as at the domain's walls) is kept on every
// side, not kept or dropped by the rounding of its coordinates or of a distance field.
inline constexpr double kFluidLayerTolerance = 0.01;

// The signed distance from p to the field's mesh (negative inside): exact, from its nearest
// triangles, within two cells of `threshold`, interpolated elsewhere. What decides which lattice
// points are fluid: near an edge or a corner the interpolation of the field reads short.
double distance_near(const DistanceField& field, const glm::dvec3& p, double threshold);

// The lattice points of spacing `spacing` (centred in the mesh's bounding box [lo, hi], as
// sample_volume) inside the mesh, each at least spacing / 2 from its surface (within
// kFluidLayerTolerance of it).
template <int D>
std::vector<Vec<D>> sample_mesh_volume(const DistanceField& field, const glm::dvec3& lo,
                                       const glm::dvec3& hi, double spacing);

// True if `p` lies inside `shape` grown by `margin` (box or sphere).
template <int D>
bool inside_grown(const ShapeDesc& shape, const Vec<D>& p, double margin);

}  // namespace flume
