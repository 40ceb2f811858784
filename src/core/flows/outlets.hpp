// Outlets (outflow): a room of the simulation. Fluid that enters an outlet (a box, sphere, mesh,
// polygon or the half-space beyond a plane) is removed in the step's bookkeeping and counted per
// outlet (OutletStatus, what a saved state holds).
//
//   Outlets<D> outlets;
//   outlets.set_up(scene.outlets, build_field, fluid, source);   // at load
//   const int o = outlets.of(x);                                   // the first holding x, or -1
//   outlets.count_removed(o);
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/flows/geometry.hpp"
#include "core/geometry/distance_field.hpp"
#include "core/math/vec.hpp"
#include "core/simulation.hpp"
#include "core/sph/particles.hpp"
#include "core/state/state_file.hpp"

namespace flume {

template <int D>
class Outlets {
  public:
    using FieldBuilder = std::function<std::unique_ptr<DistanceField>(const MeshShape&)>;

    // Builds each outlet (a mesh's or polygon's distance field with `build_field`) and refuses
    // one that holds every particle of `fluid`: it would empty it at the first step.
    void set_up(std::span<const OutletDesc> descs, const FieldBuilder& build_field,
                const FluidParticles<D>& fluid, const std::string& source) {
        descs_.assign(descs.begin(), descs.end());
        for (const OutletDesc& desc : descs_) {
            Outlet o;
            OutletStatus status;
            status.name = desc.plane ? "plane" : shape_name(desc.region);
            if (!desc.plane && desc.region.shape == Shape::Mesh) {
                o.field = build_field(*desc.region.mesh);
                o.invert = desc.region.mesh->invert;
                o.lower = to_vec<D>(desc.region.lower());
                o.upper = to_vec<D>(desc.region.upper());
            }
            outlets_.push_back(std::move(o));
            status_.push_back(status);
        }
        for (std::size_t i = 0; i < outlets_.size() && fluid.size() > 0; ++i) {
            std::size_t inside = 0;
            for (const Vec<D>& x : fluid.position)
                inside += holds(i, x) ? 1 : 0;
            if (inside == fluid.size()) {
                throw SceneError(source + ": /outlets/" + std::to_string(i) + ": the " +
                                 status_[i].name + " covers all " + std::to_string(inside) +
                                 " particles of the fluid: it would remove them at the first "
                                 "step");
            }
        }
    }

    bool empty() const { return outlets_.empty(); }
    const std::vector<OutletStatus>& status() const { return status_; }

    // The first outlet that holds x, or -1.
    int of(const Vec<D>& x) const {
        for (std::size_t i = 0; i < outlets_.size(); ++i) {
            if (holds(i, x)) return static_cast<int>(i);
        }
        return -1;
    }

    void count_removed(int outlet, std::uint64_t count = 1) {
        status_[static_cast<std::size_t>(outlet)].removed += count;
    }
    std::size_t size() const { return status_.size(); }

    // Their counts, in a saved state.
    void save(StateWriter& w) const {
        w.put<std::uint64_t>(status_.size());
        for (const OutletStatus& s : status_)
            w.put(s.removed);
    }
    void restore(StateReader& r) {
        const auto n = r.get<std::uint64_t>();
        if (n != status_.size()) {
            r.fail("saved with " + std::to_string(n) + " outlets, the scene has " +
                   std::to_string(status_.size()));
        }
        for (OutletStatus& s : status_)
            s.removed = r.get<std::uint64_t>();
    }

    std::size_t memory_bytes() const {
        std::size_t bytes = 0;
        for (const Outlet& o : outlets_)
            bytes += o.field ? o.field->memory_bytes() : 0;
        return bytes;
    }

  private:
    struct Outlet {
        std::unique_ptr<DistanceField> field;  // a mesh or polygon
        bool invert = false;
        Vec<D> lower{0.0f}, upper{0.0f};  // a mesh's bounding box
    };

    static std::string shape_name(const ShapeDesc& s) {
        if (s.shape == Shape::Box) return "box";
        if (s.shape == Shape::Sphere) return "sphere";
        return s.mesh->outline.empty() ? "mesh " + s.mesh->file : "polygon";
    }

    bool holds(std::size_t i, const Vec<D>& x) const {
        const Outlet& o = outlets_[i];
        if (!o.field) return inside_simple_outlet(descs_[i], to_dvec3<D>(x), D);
        for (int k = 0; k < D; ++k) {
            if (x[k] < o.lower[k] || x[k] > o.upper[k]) return o.invert;
        }
        const double d = o.field->distance(to_dvec3<D>(x));
        return o.invert ? d > 0.0 : d < 0.0;
    }

    std::vector<OutletDesc> descs_;  // as the scene gave them
    std::vector<Outlet> outlets_;
    std::vector<OutletStatus> status_;
};

}  // namespace flume
