#include "core/scene.hpp"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/errors.hpp"

namespace flume {

using nlohmann::json;

namespace {

class Reader {
  public:
    Reader(std::string source, int dimension) : source_(std::move(source)), dimension_(dimension) {}

    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw SceneError(source_ + ": " + (path.empty() ? "/" : path) + ": " + message);
    }

    void require_object(const json& j, const std::string& path) const {
        if (!j.is_object()) fail(path, "expected an object, found " + describe_json(j));
    }

    // Refuses keys not in `allowed`, suggesting the closest one.
    void check_keys(const json& j, const std::string& path,
                    std::span<const std::string_view> allowed) const {
        for (const auto& [key, value] : j.items()) {
            if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
            std::string msg = "unknown key \"" + key + "\"";
            if (auto near = closest_match(key, allowed))
                msg += " (did you mean \"" + *near + "\"?)";
            fail(path + "/" + key, msg);
        }
    }

    const json& member(const json& j, const std::string& path, const char* key) const {
        auto it = j.find(key);
        if (it == j.end()) fail(path, std::string("missing required key \"") + key + "\"");
        return *it;
    }

    glm::dvec3 point(const json& j, const std::string& path) const {
        const std::string expected = "an array of " + std::to_string(dimension_) + " numbers";
        if (!j.is_array() || j.size() != static_cast<std::size_t>(dimension_)) {
            fail(path, "expected " + expected + ", found " + describe_json(j));
        }
        glm::dvec3 p(0.0);
        for (int k = 0; k < dimension_; ++k) {
            const json& e = j[static_cast<std::size_t>(k)];
            if (!e.is_number() || !std::isfinite(e.get<double>()) ||
                std::abs(e.get<double>()) > 1.0e6) {
                fail(path + "/" + std::to_string(k),
                     "expected a number in [-1e6, 1e6], found " + describe_json(e));
            }
            p[k] = e.get<double>();
        }
        return p;
    }

    double positive(const json& j, const std::string& path) const {
        if (!j.is_number() || !std::isfinite(j.get<double>()) || j.get<double>() <= 0.0 ||
            j.get<double>() > 1.0e6) {
            fail(path, "expected a number in (0, 1e6], found " + describe_json(j));
        }
        return j.get<double>();
    }

    std::string text(const json& j, const std::string& path) const {
        if (!j.is_string()) fail(path, "expected a string, found " + describe_json(j));
        return j.get<std::string>();
    }

    ShapeDesc shape(const json& j, const std::string& path, bool with_velocity) const {
        require_object(j, path);
        ShapeDesc s;
        std::string kind = "box";
        if (auto it = j.find("shape"); it != j.end()) {
            kind = text(*it, path + "/shape");
            if (kind != "box" && kind != "sphere") {
                fail(path + "/shape",
                     "expected \"box\" or \"sphere\", found " + describe_json(*it));
            }
        }
        if (kind == "box") {
            static constexpr std::string_view box_keys[] = {"shape", "min", "max", "velocity"};
            check_keys(j, path, std::span(box_keys).first(with_velocity ? 4 : 3));
            s.shape = Shape::Box;
            s.min = point(member(j, path, "min"), path + "/min");
            s.max = point(member(j, path, "max"), path + "/max");
            for (int k = 0; k < dimension_; ++k) {
                if (!(s.min[k] < s.max[k])) {
                    fail(path + "/max", "expected max > min in every component, found max[" +
                                            std::to_string(k) + "] = " + std::to_string(s.max[k]) +
                                            " <= min[" + std::to_string(k) +
                                            "] = " + std::to_string(s.min[k]));
                }
            }
        } else {
            static constexpr std::string_view sphere_keys[] = {"shape", "center", "radius",
                                                               "velocity"};
            check_keys(j, path, std::span(sphere_keys).first(with_velocity ? 4 : 3));
            s.shape = Shape::Sphere;
            s.center = point(member(j, path, "center"), path + "/center");
            s.radius = positive(member(j, path, "radius"), path + "/radius");
        }
        return s;
    }

    int dimension() const { return dimension_; }

  private:
    std::string source_;
    int dimension_;
};

std::string location_of(std::string_view text, std::size_t byte) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

constexpr std::string_view kStructuralKeys[] = {"name",   "description", "dimension",
                                                "domain", "fluid",       "obstacles"};

}  // namespace

bool ShapeDesc::contains(const glm::dvec3& p, int dimension) const {
    if (shape == Shape::Box) {
        for (int k = 0; k < dimension; ++k) {
            if (p[k] < min[k] || p[k] > max[k]) return false;
        }
        return true;
    }
    double d2 = 0.0;
    for (int k = 0; k < dimension; ++k)
        d2 += (p[k] - center[k]) * (p[k] - center[k]);
    return d2 <= radius * radius;
}

glm::dvec3 ShapeDesc::lower() const {
    return shape == Shape::Box ? min : center - glm::dvec3(radius);
}
glm::dvec3 ShapeDesc::upper() const {
    return shape == Shape::Box ? max : center + glm::dvec3(radius);
}

Scene parse_scene(std::string_view json_text, const std::string& source) {
    json root;
    try {
        root = json::parse(json_text.begin(), json_text.end());
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        // nlohmann's message starts with "[json.exception.parse_error.101] parse error at ...".
        if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
        throw SceneError(source + ": JSON syntax error at " + location_of(json_text, e.byte) +
                         ": " + what);
    }
    Reader base(source, 3);
    base.require_object(root, "");

    // The dimension comes first: it decides how long every vector must be.
    const json& dim = base.member(root, "", "dimension");
    if (!dim.is_number_integer() || (dim.get<int>() != 2 && dim.get<int>() != 3)) {
        base.fail("/dimension", "expected 2 or 3, found " + describe_json(dim));
    }
    Scene scene;
    scene.source = source;
    scene.dimension = dim.get<int>();
    scene.params = ParameterSet(scene.dimension);
    Reader r(source, scene.dimension);

    std::vector<std::string_view> allowed(std::begin(kStructuralKeys), std::end(kStructuralKeys));
    for (const ParamDecl& d : parameter_declarations())
        allowed.push_back(d.key);
    r.check_keys(root, "", allowed);

    for (const auto& [key, value] : root.items()) {
        if (find_parameter(key)) scene.params.set(key, value, source + ": /" + key);
    }
    if (auto it = root.find("name"); it != root.end()) scene.name = r.text(*it, "/name");
    if (auto it = root.find("description"); it != root.end()) {
        scene.description = r.text(*it, "/description");
    }

    const json& domain = r.member(root, "", "domain");
    r.require_object(domain, "/domain");
    static constexpr std::string_view domain_keys[] = {"min", "max"};
    r.check_keys(domain, "/domain", domain_keys);
    const ShapeDesc box = r.shape(domain, "/domain", false);
    scene.domain_min = box.min;
    scene.domain_max = box.max;

    const json& fluid = r.member(root, "", "fluid");
    if (!fluid.is_array())
        r.fail("/fluid", "expected an array of fluid blocks, found " + describe_json(fluid));
    if (fluid.empty())
        r.fail("/fluid", "the scene has no fluid: expected at least one fluid block");
    for (std::size_t i = 0; i < fluid.size(); ++i) {
        const std::string path = "/fluid/" + std::to_string(i);
        FluidBlock block;
        block.region = r.shape(fluid[i], path, true);
        if (auto it = fluid[i].find("velocity"); it != fluid[i].end()) {
            block.velocity = r.point(*it, path + "/velocity");
        }
        scene.fluid.push_back(block);
    }

    if (auto it = root.find("obstacles"); it != root.end()) {
        if (!it->is_array())
            r.fail("/obstacles", "expected an array of shapes, found " + describe_json(*it));
        for (std::size_t i = 0; i < it->size(); ++i) {
            scene.obstacles.push_back(r.shape((*it)[i], "/obstacles/" + std::to_string(i), false));
        }
    }
    scene.validate();
    return scene;
}

void Scene::validate() const {
    const int d = dimension;
    const double r = params.number("particle_radius");
    for (std::size_t i = 0; i < fluid.size(); ++i) {
        const std::string path = "/fluid/" + std::to_string(i);
        const glm::dvec3 lo = fluid[i].region.lower(), hi = fluid[i].region.upper();
        for (int k = 0; k < d; ++k) {
            if (lo[k] < domain_min[k] || hi[k] > domain_max[k]) {
                throw SceneError(
                    source + ": " + path + ": the fluid block reaches outside the domain " +
                    "(axis " + std::to_string(k) + ": fluid spans [" + std::to_string(lo[k]) +
                    ", " + std::to_string(hi[k]) + "], domain [" + std::to_string(domain_min[k]) +
                    ", " + std::to_string(domain_max[k]) + "])");
            }
        }
        // A block thinner than one particle diameter holds no particle.
        for (int k = 0; k < d; ++k) {
            if (hi[k] - lo[k] < 2.0 * r) {
                throw SceneError(source + ": " + path +
                                 ": the fluid block is thinner than one "
                                 "particle (2 * particle_radius = " +
                                 std::to_string(2.0 * r) + ") along axis " + std::to_string(k));
            }
        }
    }
    double estimate = 0.0;
    for (const FluidBlock& b : fluid) {
        double cells = 1.0;
        for (int k = 0; k < d; ++k)
            cells *= (b.region.upper()[k] - b.region.lower()[k]) / (2.0 * r);
        estimate += cells;
    }
    if (estimate > kMaxFluidParticles) {
        throw SceneError(source + ": /particle_radius: " + std::to_string(r) +
                         " m would make about " + std::to_string(static_cast<long long>(estimate)) +
                         " fluid particles, more than the limit of " +
                         std::to_string(static_cast<long long>(kMaxFluidParticles)));
    }
    if (params.number("min_time_step") > params.number("max_time_step")) {
        throw SceneError(source + ": /min_time_step: expected at most max_time_step (" +
                         std::to_string(params.number("max_time_step")) + "), found " +
                         std::to_string(params.number("min_time_step")));
    }
}

namespace {

// A `key=value` override's value, checked alone; the cross-field rules are left to the caller.
void set_override(ParameterSet& params, std::string_view assignment) {
    const auto eq = assignment.find('=');
    const std::string where = "--set " + std::string(assignment);
    if (eq == std::string_view::npos || eq == 0) {
        throw SceneError(where + ": expected key=value");
    }
    const std::string key(assignment.substr(0, eq));
    const std::string text(assignment.substr(eq + 1));
    if (!find_parameter(key)) {
        std::vector<std::string_view> keys;
        for (const ParamDecl& d : parameter_declarations())
            keys.push_back(d.key);
        std::string msg = where + ": unknown parameter \"" + key + "\"";
        if (auto near = closest_match(key, keys)) msg += " (did you mean \"" + *near + "\"?)";
        if (key == "dimension") msg = where + ": the dimension of a scene cannot be overridden";
        throw SceneError(msg);
    }
    json value;
    try {
        value = json::parse(text);
    } catch (const json::parse_error&) {
        value = text;  // a bare word: a choice such as solver=wcsph
    }
    params.set(key, value, where);
}

}  // namespace

void Scene::apply_overrides(std::span<const std::string> assignments) {
    if (assignments.empty()) return;  // parse_scene has validated the scene as it stands
    for (const std::string& assignment : assignments)
        set_override(params, assignment);
    validate();
}

void Scene::apply_override(std::string_view assignment) {
    set_override(params, assignment);
    validate();
}

Scene load_scene_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw SceneError(path + ": cannot open the scene file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw SceneError(path + ": cannot read the scene file");
    return parse_scene(text.str(), path);
}

}  // namespace flume
