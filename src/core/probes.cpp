#include "core/probes.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/errors.hpp"
#include "core/json_reader.hpp"
#include "core/parameters.hpp"
#include "core/scene.hpp"

namespace flume {

using nlohmann::json;

namespace {

constexpr std::string_view kAxes = "xyz";

// Reads one probe at a time with the scene's reader: every message names the scene and the
// JSON path.
class ProbeParser {
  public:
    explicit ProbeParser(const Scene& scene) : scene_(scene), reader_(scene.source) {}

    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        reader_.fail(path, message);
    }

    ProbeDesc probe(const json& j, const std::string& path) const {
        if (!j.is_object()) fail(path, "expected a probe (an object), found " + describe_json(j));
        static constexpr std::string_view types[] = {"point", "gauge", "force", "body"};
        const std::string type = reader_.text(reader_.member(j, path, "type"), path + "/type");
        const auto known = std::find(std::begin(types), std::end(types), type);
        if (known == std::end(types)) {
            std::string msg = "unknown probe type \"" + type + "\"";
            if (auto near = closest_match(type, types)) msg += " (did you mean \"" + *near + "\"?)";
            fail(path + "/type", msg + "; expected \"point\", \"gauge\", \"force\" or \"body\"");
        }
        ProbeDesc p;
        p.name = column_name(reader_.member(j, path, "name"), path + "/name");
        if (p.name.empty()) fail(path + "/name", "expected a name, found an empty string");
        if (type == "point") {
            static constexpr std::string_view keys[] = {"type", "name", "position"};
            reader_.check_keys(j, path, keys);
            p.type = ProbeType::Point;
            p.position = inside_point(reader_.member(j, path, "position"), path + "/position");
        } else if (type == "gauge") {
            static constexpr std::string_view keys[] = {"type", "name", "position"};
            reader_.check_keys(j, path, keys);
            p.type = ProbeType::Gauge;
            p.position = gauge_position(reader_.member(j, path, "position"), path + "/position");
        } else if (type == "body") {
            static constexpr std::string_view keys[] = {"type", "name", "body"};
            reader_.check_keys(j, path, keys);
            p.type = ProbeType::Body;
            const json& body = reader_.member(j, path, "body");
            const std::size_t count = scene_.bodies.size();
            if (!body.is_number_integer() || body < 0 ||
                body.get<double>() >= static_cast<double>(count)) {
                fail(path + "/body",
                     count == 0 ? "the scene has no bodies, found " + describe_json(body)
                                : "expected the index of a body, 0 to " +
                                      std::to_string(count - 1) + ", found " + describe_json(body));
            }
            p.body = body.get<int>();
        } else {
            static constexpr std::string_view keys[] = {"type", "name", "obstacle", "wall",
                                                        "about"};
            reader_.check_keys(j, path, keys);
            p.type = ProbeType::Force;
            force_target(j, path, p);
            if (auto it = j.find("about"); it != j.end()) {
                p.has_about = true;
                p.about = reader_.numbers(*it, path + "/about", scene_.dimension, false);
            }
        }
        return p;
    }

  private:
    // The probe's name, which heads its CSV columns.
    std::string column_name(const json& j, const std::string& path) const {
        const std::string& s = reader_.string(j, path);
        const bool refused = std::any_of(s.begin(), s.end(), [](char c) {
            return static_cast<unsigned char>(c) < 32 || c == 127 || c == ',' || c == '"';
        });
        if (refused) {
            fail(path,
                 "expected a name without control characters, commas or quotes (it heads a "
                 "CSV column), found " +
                     describe_json(j));
        }
        return s;
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
        const glm::dvec3 p = reader_.numbers(j, path, scene_.dimension, false);
        for (int k = 0; k < scene_.dimension; ++k)
            if (!inside(p[k], k)) outside(path, "the probe", k, p[k]);
        return p;
    }

    // x in 2D, [x, z] in 3D: the vertical line's place.
    glm::dvec3 gauge_position(const json& j, const std::string& path) const {
        const glm::dvec3 read = reader_.numbers(j, path, scene_.dimension - 1, false);
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
        const std::string face = reader_.text(*wall, path + "/wall");
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
    JsonReader reader_;
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
    static constexpr const char* position[] = {" x", " y", " z"};
    static constexpr const char* turn[] = {" qw", " qx", " qy", " qz"};
    static constexpr const char* spin[] = {" wx", " wy", " wz"};
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
            case ProbeType::Body:
                for (int k = 0; k < dimension; ++k)
                    columns.push_back({p.name + position[k], "m"});
                if (plane) {
                    columns.push_back({p.name + " angle", "deg"});
                } else {
                    for (const char* q : turn)
                        columns.push_back({p.name + q, "1"});
                }
                for (int k = 0; k < dimension; ++k)
                    columns.push_back({p.name + velocity[k], "m/s"});
                if (plane) {
                    columns.push_back({p.name + " wz", "rad/s"});
                } else {
                    for (const char* w : spin)
                        columns.push_back({p.name + w, "rad/s"});
                }
                [[fallthrough]];
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
