// Outlets of every shape remove the fluid that enters them, and only that: a disc, a sphere, a
// mesh (an octahedron) and a concave polygon, each overlapping a falling block of water. At the
// first step an outlet removes exactly the lattice points that lie inside it (found here from
// the shape's own geometry, not the simulation's); after that, every particle it removes was
// within one step's travel of it, and no particle stays inside it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "core/scene.hpp"
#include "test_scenes.hpp"

namespace flume {
namespace {

// The signed distance to the outlet, negative inside: exact inside, and outside exact or a lower
// bound of it (for a convex polyhedron, the largest distance past a face's plane).
using SignedDistance = std::function<double(const glm::dvec3&)>;

glm::dvec3 position(const ParticleView& v, std::size_t i) {
    glm::dvec3 x(0.0);
    for (int k = 0; k < v.dimension; ++k)
        x[k] = v.position[i * static_cast<std::size_t>(v.dimension) + static_cast<std::size_t>(k)];
    return x;
}

// Runs `scene` (one outlet, no other way out) to `until`. `inside_tolerance`: how far inside the
// outlet's true surface a particle may stay, where the simulation tests a distance field
// interpolated between nodes a spacing apart, which rounds the shape's convex edges off.
void check_outlet(const Scene& scene, const SignedDistance& sd, double until,
                  double inside_tolerance) {
    WorkerPool pool(2);
    const auto sim = Simulation::create(scene, pool);
    ASSERT_EQ(sim->outlets().size(), 1u);
    const double r = sim->constants().particle_radius;
    const std::size_t n0 = sim->stats().fluid_particles;

    // At load: the lattice points inside the outlet, each clear of its surface.
    std::vector<char> inside(n0, 0), alive(n0, 1);
    std::vector<glm::dvec3> last(n0);
    std::uint64_t expected_first = 0;
    double clearance = 1.0e300;
    {
        const ParticleView v = sim->fluid();
        ASSERT_EQ(v.count, n0);
        for (std::size_t i = 0; i < v.count; ++i) {
            const double s = sd(position(v, i));
            clearance = std::min(clearance, std::abs(s));
            inside[v.id[i]] = s < 0.0;
            expected_first += s < 0.0;
        }
    }
    ASSERT_GT(clearance, 0.2 * r) << "a lattice point lies on the outlet's surface";
    ASSERT_GT(expected_first, 0u);
    ASSERT_LT(expected_first, n0);

    // The first step: exactly those go, and all the others stay.
    sim->step();
    EXPECT_EQ(sim->outlets()[0].removed, expected_first) << "of " << n0 << " at the first step";
    {
        const ParticleView v = sim->fluid();
        std::vector<char> present(n0, 0);
        for (std::size_t i = 0; i < v.count; ++i) {
            present[v.id[i]] = 1;
            last[v.id[i]] = position(v, i);
        }
        std::size_t wrong = 0;
        for (std::size_t id = 0; id < n0; ++id) {
            wrong += present[id] == inside[id];
            alive[id] = present[id];
        }
        EXPECT_EQ(wrong, 0u) << "particles removed from outside or left inside at the first step";
    }

    // Then as the water falls into it.
    std::uint64_t removed_later = 0;
    double farthest = -1.0e300;  // the largest distance of a removed particle beyond its reach
    double deepest = 1.0e300;    // the smallest signed distance of a particle that stayed
    while (sim->stats().time < until) {
        sim->step();
        // A particle moves at most dt times its new speed (and a put-back on a wall); twice
        // that, and a hundredth of r for the float positions.
        const double reach = 2.0 * sim->stats().dt * sim->stats().max_speed + 0.01 * r;
        const ParticleView v = sim->fluid();
        std::vector<char> present(n0, 0);
        for (std::size_t i = 0; i < v.count; ++i) {
            const glm::dvec3 x = position(v, i);
            present[v.id[i]] = 1;
            last[v.id[i]] = x;
            deepest = std::min(deepest, sd(x));
        }
        for (std::size_t id = 0; id < n0; ++id) {
            if (alive[id] && !present[id]) {
                ++removed_later;
                farthest = std::max(farthest, sd(last[id]) - reach);
                alive[id] = 0;
            }
        }
    }
    std::printf(
        "%s outlet: %llu of %zu removed at the first step, %llu more to t = %.2f s; the removed "
        "at most %.2g r past one step's reach of it, the kept at least %.2g r outside it\n",
        sim->outlets()[0].name.c_str(), static_cast<unsigned long long>(expected_first), n0,
        static_cast<unsigned long long>(removed_later), sim->stats().time, farthest / r,
        deepest / r);
    EXPECT_EQ(sim->stats().removed_particles, 0u) << "nothing leaves the domain";
    EXPECT_EQ(sim->outlets()[0].removed, expected_first + removed_later);
    EXPECT_EQ(sim->stats().outlet_particles, expected_first + removed_later);
    EXPECT_EQ(sim->stats().fluid_particles, n0 - expected_first - removed_later);
    EXPECT_GE(removed_later, 10u) << "the water never flowed into the outlet";
    EXPECT_LE(farthest, 0.0) << "a particle was removed away from the outlet";
    EXPECT_GE(deepest, -inside_tolerance) << "a particle stayed inside the outlet";
}

// A block of water 0.6 x 0.3 m falling in a 1 m box, r = 0.02; the lattice points lie at
// 0.22 + 0.04 i (x) and 0.32 + 0.04 j (y).
std::string scene_2d(const std::string& outlet) {
    return R"({"dimension": 2, "particle_radius": 0.02,
        "domain": {"min": [0, 0], "max": [1, 1]},
        "fluid": [{"min": [0.2, 0.3], "max": [0.8, 0.6]}],
        "outlets": [)" +
           outlet + "]}";
}

// A block 0.4 x 0.2 x 0.4 m in a 0.6 m box, r = 0.025: lattice points at 0.125 + 0.05 i (x, z)
// and 0.225 + 0.05 j (y).
std::string scene_3d(const std::string& outlet) {
    return R"({"dimension": 3, "particle_radius": 0.025, "solver": "dfsph",
        "domain": {"min": [0, 0, 0], "max": [0.6, 0.6, 0.6]},
        "fluid": [{"min": [0.1, 0.2, 0.1], "max": [0.5, 0.4, 0.5]}],
        "outlets": [)" +
           outlet + "]}";
}

TEST(Outlets, ADiscRemovesWhatEntersItAndOnlyThat) {
    const glm::dvec3 c(0.5, 0.31, 0.0);
    const double radius = 0.15;
    check_outlet(
        parse_scene(scene_2d(R"({"shape": "sphere", "center": [0.5, 0.31],
                                          "radius": 0.15})"),
                    "disc.json"),
        [&](const glm::dvec3& x) { return glm::length(x - c) - radius; }, 0.4, 1.0e-9);
}

TEST(Outlets, ASphereRemovesWhatEntersItAndOnlyThat) {
    const glm::dvec3 c(0.3, 0.2, 0.3);
    const double radius = 0.12;
    check_outlet(
        parse_scene(scene_3d(R"({"shape": "sphere", "center": [0.3, 0.2, 0.3],
                                          "radius": 0.12})"),
                    "sphere.json"),
        [&](const glm::dvec3& x) { return glm::length(x - c) - radius; }, 0.3, 1.0e-9);
}

// An octahedron |x - c|_1 <= a: its signed distance is (|x - c|_1 - a) / sqrt(3) inside (the
// nearest face's plane) and at least that outside.
std::string octahedron_obj(const glm::dvec3& c, double a) {
    std::string obj;
    const glm::dvec3 corners[6] = {{a, 0, 0},  {-a, 0, 0}, {0, a, 0},
                                   {0, -a, 0}, {0, 0, a},  {0, 0, -a}};
    for (const glm::dvec3& p : corners) {
        obj += "v " + std::to_string(c.x + p.x) + " " + std::to_string(c.y + p.y) + " " +
               std::to_string(c.z + p.z) + "\n";
    }
    // One face per octant, wound outwards: corners 1|2 (x), 3|4 (y), 5|6 (z).
    for (int sx = 0; sx < 2; ++sx) {
        for (int sy = 0; sy < 2; ++sy) {
            for (int sz = 0; sz < 2; ++sz) {
                const int x = 1 + sx, y = 3 + sy, z = 5 + sz;
                const bool even = (sx + sy + sz) % 2 == 0;
                obj += "f " + std::to_string(x) + " " + std::to_string(even ? y : z) + " " +
                       std::to_string(even ? z : y) + "\n";
            }
        }
    }
    return obj;
}

TEST(Outlets, AMeshRemovesWhatEntersItAndOnlyThat) {
    const glm::dvec3 c(0.325, 0.22, 0.325);
    const double a = 0.18;
    const std::string obj = octahedron_obj(c, a);
    const Scene scene = parse_scene(scene_3d(R"({"shape": "mesh", "file": "octahedron.obj"})"),
                                    "mesh.json", [&](const std::string& name) {
                                        EXPECT_EQ(name, "octahedron.obj");
                                        return obj;
                                    });
    check_outlet(
        scene,
        [&](const glm::dvec3& x) {
            const glm::dvec3 d = glm::abs(x - c);
            return (d.x + d.y + d.z - a) / std::sqrt(3.0);
        },
        0.3, 0.25 * scene.params.number("particle_radius"));
}

// A U, open at the top: the notch between its arms is not part of it, and the water there stays.
// Its edges lie halfway between lattice points.
TEST(Outlets, AConcavePolygonRemovesWhatEntersItAndOnlyThat) {
    const std::vector<glm::dvec2> u = {{0.28, 0.1},  {0.72, 0.1},  {0.72, 0.46}, {0.56, 0.46},
                                       {0.56, 0.34}, {0.44, 0.34}, {0.44, 0.46}, {0.28, 0.46}};
    std::string points;
    for (const glm::dvec2& p : u)
        points +=
            (points.empty() ? "[" : ", [") + std::to_string(p.x) + ", " + std::to_string(p.y) + "]";
    const Scene scene =
        parse_scene(scene_2d(R"({"shape": "polygon", "points": [)" + points + "]}"), "u.json");
    // The distance to the nearest edge, negative inside (even-odd).
    const auto sd = [&](const glm::dvec3& x) {
        const glm::dvec2 q(x.x, x.y);
        double d = 1.0e300;
        bool in = false;
        for (std::size_t i = 0, j = u.size() - 1; i < u.size(); j = i++) {
            const glm::dvec2 a = u[j], b = u[i];
            const double h = std::clamp(glm::dot(q - a, b - a) / glm::dot(b - a, b - a), 0.0, 1.0);
            d = std::min(d, glm::length(q - a - h * (b - a)));
            if ((a.y > q.y) != (b.y > q.y) && q.x < a.x + (q.y - a.y) * (b.x - a.x) / (b.y - a.y))
                in = !in;
        }
        return in ? -d : d;
    };
    check_outlet(scene, sd, 0.4, 0.25 * scene.params.number("particle_radius"));
}

}  // namespace
}  // namespace flume
