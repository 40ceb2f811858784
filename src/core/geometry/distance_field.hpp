// The signed distance to a closed triangle mesh, on a regular grid: negative inside the mesh.
//
// Nodes lie at origin + (first + i + 0.5) * step, i in [0, count), per axis: the lattice on which
// a box's boundary shell is sampled, so that a mesh's shell is sampled the same way (a mesh cube
// gives exactly the box's samples). Nodes within `band` of the surface hold the exact distance
// to the nearest triangle, signed by the angle-weighted pseudonormal of its nearest feature
// (Baerentzen & Aanaes 2005); the others hold +-band, their sign carried along the x lines from
// the band. Built on the worker pool in z slabs, each node's nearest triangle found in triangle
// order: the field does not depend on the thread count.
//
// Between nodes the field is interpolated trilinearly (distance, gradient): what the fluid fill
// and, later, rigid bodies use. Near the surface, `nearest` gives the exact nearest point among
// the nearest triangles of the surrounding nodes (trilinear interpolation rounds convex edges
// off): the last line of defence of the walls puts particles back on the true surface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <glm/glm.hpp>

#include "core/geometry/triangle_mesh.hpp"

namespace flume {

class WorkerPool;

struct DistanceGrid {
    glm::dvec3 origin{0.0};
    glm::dvec3 step{1.0};
    glm::ivec3 first{0};  // index of node 0 on the lattice origin + (index + 0.5) * step
    glm::ivec3 count{1};

    // The lattice of a box sampled at `spacing` (as the box's shell: extent / round(extent /
    // spacing) per axis) over the mesh's bounding box, with `margin` nodes beyond it each side.
    static DistanceGrid around(const glm::dvec3& lower, const glm::dvec3& upper, double spacing,
                               int margin);

    std::size_t node_count() const {
        return static_cast<std::size_t>(count.x) * static_cast<std::size_t>(count.y) *
               static_cast<std::size_t>(count.z);
    }
    std::size_t index(int i, int j, int k) const {
        return static_cast<std::size_t>(i) +
               static_cast<std::size_t>(count.x) *
                   (static_cast<std::size_t>(j) +
                    static_cast<std::size_t>(count.y) * static_cast<std::size_t>(k));
    }
    glm::dvec3 position(int i, int j, int k) const {
        return {origin.x + (first.x + i + 0.5) * step.x, origin.y + (first.y + j + 0.5) * step.y,
                origin.z + (first.z + k + 0.5) * step.z};
    }
};

class DistanceField {
  public:
    DistanceField(const TriangleMesh& mesh, const DistanceGrid& grid, double band,
                  WorkerPool& pool);

    const DistanceGrid& grid() const { return grid_; }
    double band() const { return band_; }

    // The value at a node: exact within the band, +-band beyond it.
    float node(int i, int j, int k) const { return value_[grid_.index(i, j, k)]; }

    // Trilinear interpolation; outside the grid, the value at the nearest point of the grid plus
    // the distance to it.
    double distance(const glm::dvec3& p) const;

    // The gradient of the interpolation at p (not normalised); near the surface, its normal.
    glm::dvec3 gradient(const glm::dvec3& p) const;

    struct Nearest {
        double distance = 0.0;  // signed: negative inside the mesh
        glm::dvec3 point{0.0};  // on the surface
    };
    // The exact signed distance and nearest surface point among the triangles nearest to the 8
    // nodes around p; false where none of them is within the band.
    bool nearest(const glm::dvec3& p, Nearest& out) const;

    std::size_t memory_bytes() const {
        return value_.capacity() * sizeof(float) + triangle_.capacity() * sizeof(std::uint32_t) +
               vertices_.capacity() * sizeof(glm::dvec3) +
               triangles_.capacity() * sizeof(glm::u32vec3) +
               normals_.capacity() * sizeof(glm::dvec3);
    }

  private:
    struct Cell {
        glm::ivec3 base;
        glm::dvec3 t;       // position in the cell, in [0, 1]
        double outside;     // distance from p to the grid (0 inside)
        glm::dvec3 inward;  // from p to its nearest point on the grid
    };
    Cell locate(const glm::dvec3& p) const;

    DistanceGrid grid_;
    double band_;
    std::vector<float> value_;
    std::vector<std::uint32_t> triangle_;  // per node: its nearest triangle (kNone beyond the band)
    std::vector<glm::dvec3> vertices_;
    std::vector<glm::u32vec3> triangles_;
    std::vector<glm::dvec3> normals_;  // pseudonormals: 7 per triangle (face, 3 edges, 3 corners)
};

}  // namespace flume
