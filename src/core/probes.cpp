#include "core/probes.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "core/errors.hpp"
#include "core/parameters.hpp"
#include "core/scene.hpp"

namespace flume {

using nlohmann::json;

namespace {

constexpr std::string_view kAxes = "xyz";

// Reads one probe at a time; every message names the scene and the JSON path.
class ProbeParser {
  public:
    explicit ProbeParser(const Scene& scene) : scene_(scene) {}

    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw SceneError(scene_.source + ": " + path + ": " + message);
    }

    ProbeDesc probe(const json& j, const std::string& path) const {
        if (!j.is_object()) fail(path, "expected a probe (an object), found " + describe_json(j));
        static constexpr std::string_view types[] = {"point", "gauge", "force"};
        const std::string type = text(member(j, path, "type"), path + "/type");
        const auto known = std::find(std::begin(types), std::end(types), type);
        if (known == std::end(types)) {
            std::string msg = "unknown probe type \"" + type + "\"";
            if (auto near = closest_match(type, types)) msg += " (did you mean \"" + *near + "\"?)";
            fail(path + "/type", msg + "; expected \"point\", \"gauge\" or \"force\"");
        }
        ProbeDesc p;
        p.name = text(member(j, path, "name"), path + "/name");
        if (p.name.empty()) fail(path + "/name", "expected a name, found an empty string");
        if (type == "point") {
            static constexpr std::string_view keys[] = {"type", "name", "position"};
            check_keys(j, path, keys);
            p.type = ProbeType::Point;
            p.position = inside_point(member(j, path, "position"), path + "/position");
        } else if (type == "gauge") {
            static constexpr std::string_view keys[] = {"type", "name", "position"};
            check_keys(j, path, keys);
            p.type = ProbeType::Gauge;
            p.position = gauge_position(member(j, path, "position"), path + "/position");
        } else {
            static constexpr std::string_view keys[] = {"type", "name", "obstacle", "wall",
                                                        "about"};
            check_keys(j, path, keys);
            p.type = ProbeType::Force;
            force_target(j, path, p);
            if (auto it = j.find("about"); it != j.end()) {
                p.has_about = true;
                p.about = numbers(*it, path + "/about", scene_.dimension);
            }
        }
        return p;
    }

  private:
    const json& member(const json& j, const std::string& path, const char* key) const {
        auto it = j.find(key);
        if (it == j.end()) fail(path, std::string("missing required key \"") + key + "\"");
        return *it;
    }

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

    std::string text(const json& j, const std::string& path) const {
        if (!j.is_string()) fail(path, "expected a string, found " + describe_json(j));
        const std::string& s = j.get_ref<const std::string&>();
        const bool control = std::any_of(s.begin(), s.end(), [](char c) {
            return static_cast<unsigned char>(c) < 32 || c == 127 || c == ',' || c == '"';
        });
        if (control) {
            fail(path,
                 "expected a name without control characters, commas or quotes (it heads a "
                 "CSV column), found " +
                     describe_json(j));
        }
        return s;
    }

    // `count` numbers, into x, y, z in order.
    glm::dvec3 numbers(const json& j, const std::string& path, int count) const {
        if (!j.is_array() || j.size() != static_cast<std::size_t>(count)) {
            fail(path, "expected an array of " + std::to_string(count) + " numbers, found " +
                           describe_json(j));
        }
        glm::dvec3 p(0.0);
        for (int k = 0; k < count; ++k) {
            const json& e = j[static_cast<std::size_t>(k)];
            if (!e.is_number() || !std::isfinite(e.get<double>())) {
                fail(path + "/" + std::to_string(k),
                     "expected a number, found " + describe_json(e));
            }
            p[k] = e.get<double>();
        }
        return p;
    }

    bool inside(double value, int axis) const {
        return value >= scene_.domain_min[axis] && value <= scene_.domain_max[axis];
    }

    [[noreturn]] void outside(const std::string& path, const std::string& what, int axis,
                              double value) const {
        fail(path, what + " lies outside the domain (" + kAxes[static_cast<std::size_t>(axis)] +
                       " = " + format_number(value) + ", domain [" +
                       format_number(scene_.domain_min[axis]) + ", " +
                       format_number(scene_.domain_max[axis]) + "])");
    }

    glm::dvec3 inside_point(const json& j, const std::string& path) const {
        const glm::dvec3 p = numbers(j, path, scene_.dimension);
        for (int k = 0; k < scene_.dimension; ++k)
            if (!inside(p[k], k)) outside(path, "the probe", k, p[k]);
        return p;
    }

    // x in 2D, [x, z] in 3D: the vertical line's place.
    glm::dvec3 gauge_position(const json& j, const std::string& path) const {
        const glm::dvec3 read = numbers(j, path, scene_.dimension - 1);
        glm::dvec3 p(read.x, 0.0, scene_.dimension == 3 ? read.y : 0.0);
        for (int k = 0; k < scene_.dimension; k += 2)
            if (!inside(p[k], k)) outside(path, "the gauge's vertical line", k, p[k]);
        return p;
    }

    void force_target(const json& j, const std::string& path, ProbeDesc& p) const {
        const auto obstacle = j.find("obstacle");
        const auto wall = j.find("wall");
        if ((obstacle == j.end()) == (wall == j.end())) {
            fail(path,
                 "expected either \"obstacle\" (an index into /obstacles) or \"wall\" (a "
                 "face of the domain such as \"x+\"), not both or neither");
        }
        if (obstacle != j.end()) {
            const std::size_t count = scene_.obstacles.size();
            if (!obstacle->is_number_integer() || *obstacle < 0 ||
                obstacle->get<double>() >= static_cast<double>(count)) {
                fail(path + "/obstacle",
                     count == 0
                         ? "the scene has no obstacles, found " + describe_json(*obstacle)
                         : "expected the index of an obstacle, 0 to " + std::to_string(count - 1) +
                               ", found " + describe_json(*obstacle));
            }
            p.obstacle = obstacle->get<int>();
            return;
        }
        const std::string face = text(*wall, path + "/wall");
        const std::size_t axis = face.size() == 2 ? kAxes.find(face[0]) : std::string_view::npos;
        if (axis == std::string_view::npos || static_cast<int>(axis) >= scene_.dimension ||
            (face[1] != '+' && face[1] != '-')) {
            fail(path + "/wall", std::string("expected a face of the domain: \"x-\", \"x+\", ") +
                                     "\"y-\", \"y+\"" +
                                     (scene_.dimension == 3 ? ", \"z-\", \"z+\"" : "") +
                                     ", found " + describe_json(*wall));
        }
        p.wall_axis = static_cast<int>(axis);
        p.wall_upper = face[1] == '+';
    }

    const Scene& scene_;
};

}  // namespace

std::vector<ProbeDesc> parse_probes(const json& probes, const Scene& scene) {
    ProbeParser parser(scene);
    if (!probes.is_array())
        parser.fail("/probes", "expected an array of probes, found " + describe_json(probes));
    std::vector<ProbeDesc> out;
    for (std::size_t i = 0; i < probes.size(); ++i) {
        const std::string path = "/probes/" + std::to_string(i);
        ProbeDesc p = parser.probe(probes[i], path);
        for (std::size_t k = 0; k < out.size(); ++k) {
            if (out[k].name == p.name) {
                parser.fail(path + "/name", "the name \"" + p.name + "\" is taken by /probes/" +
                                                std::to_string(k) + ": each probe needs its own");
            }
        }
        out.push_back(std::move(p));
    }
    return out;
}

void check_probes(const Scene& scene) {
    for (std::size_t i = 0; i < scene.probes.size(); ++i) {
        const ProbeDesc& p = scene.probes[i];
        if (p.type == ProbeType::Force && p.obstacle < 0 && !scene.params.boolean("domain_walls")) {
            throw SceneError(scene.source + ": /probes/" + std::to_string(i) +
                             "/wall: the probe measures a domain wall, but domain_walls is false");
        }
    }
}

std::vector<ProbeColumn> probe_columns(const std::vector<ProbeDesc>& probes, int dimension) {
    static constexpr const char* velocity[] = {" vx", " vy", " vz"};
    static constexpr const char* force[] = {" fx", " fy", " fz"};
    static constexpr const char* torque[] = {" tx", " ty", " tz"};
    const bool plane = dimension == 2;
    std::vector<ProbeColumn> columns;
    for (const ProbeDesc& p : probes) {
        switch (p.type) {
            case ProbeType::Point:
                columns.push_back({p.name + " pressure", "Pa"});
                for (int k = 0; k < dimension; ++k)
                    columns.push_back({p.name + velocity[k], "m/s"});
                columns.push_back({p.name + " density", "kg/m^3"});
                break;
            case ProbeType::Gauge:
                columns.push_back({p.name + " level", "m"});
                break;
            case ProbeType::Force:
                for (int k = 0; k < dimension; ++k)
                    columns.push_back({p.name + force[k], plane ? "N/m" : "N"});
                if (plane) {
                    columns.push_back({p.name + " torque", "N m/m"});
                } else {
                    for (int k = 0; k < 3; ++k)
                        columns.push_back({p.name + torque[k], "N m"});
                }
                break;
        }
    }
    return columns;
}

}  // namespace flume
