#include "core/scene.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/flows/geometry.hpp"
#include "core/geometry/polygon.hpp"
#include "core/json_reader.hpp"
#include "core/math/portable.hpp"
#include "core/math/vec.hpp"
#include "core/memory_estimate.hpp"

namespace flume {

using nlohmann::json;

namespace {

// Builds a JSON document as json::parse does, but knows the JSON path of the value it is reading,
// so that what it refuses is named where it is: a number beyond the range of a double (which
// json::parse reports as an exception of another kind, without a place), a key given twice in
// one object (which json::parse silently lets the last one win), nesting deeper than any scene.
class DocumentBuilder final : public json::json_sax_t {
  public:
    static constexpr std::size_t kMaxDepth = 64;

    explicit DocumentBuilder(json& root) : root_(root) {}

    bool null() override { return add(nullptr); }
    bool boolean(bool v) override { return add(v); }
    bool number_integer(json::number_integer_t v) override { return add(v); }
    bool number_unsigned(json::number_unsigned_t v) override { return add(v); }
    bool number_float(json::number_float_t v, const std::string&) override { return add(v); }
    bool string(std::string& v) override { return add(std::move(v)); }
    bool binary(json::binary_t& v) override { return add(json::binary(std::move(v))); }
    bool start_object(std::size_t) override { return open(json::object()); }
    bool start_array(std::size_t) override { return open(json::array()); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }

    bool key(std::string& k) override {
        if (open_.back().value->contains(k)) {
            const std::string object = path(open_.size() - 1);
            return refuse((object == "/" ? "" : object) + "/" + k,
                          "the key \"" + k + "\" appears twice in one object");
        }
        open_.back().key = std::move(k);
        return true;
    }

    bool parse_error(std::size_t, const std::string& token,
                     const nlohmann::detail::exception& e) override {
        if (e.id == 406) {  // out_of_range: number overflow
            return refuse(path(), "the number " + token + " is beyond the range of a double");
        } else {
            // nlohmann's message: "[json.exception.parse_error.101] parse error at line 2,
            // column 11: syntax error while parsing value - ...": kept from "line".
            syntax_error_ = e.what();
            if (auto pos = syntax_error_.find("parse error at "); pos != std::string::npos)
                syntax_error_ = syntax_error_.substr(pos + 15);
        }
        return false;
    }

    // Set when parsing stopped: a refused value (its JSON path and why) or a syntax error.
    bool refused() const { return !refusal_.empty(); }
    const std::string& refusal_path() const { return refusal_path_; }
    const std::string& refusal() const { return refusal_; }
    const std::string& syntax_error() const { return syntax_error_; }  // "line L, column C: ..."

  private:
    struct Level {
        json* value;
        std::string key;  // an object's current key
    };

    // The JSON path of the value being read, through the first `levels` open containers (all
    // by default): each object's current key, each array's index (its size for the innermost
    // one, where the value is not added yet; the last element for the others).
    std::string path(std::size_t levels = std::string::npos) const {
        levels = std::min(levels, open_.size());
        std::string p;
        for (std::size_t i = 0; i < levels; ++i) {
            const json& v = *open_[i].value;
            const std::size_t index = v.size() - (i + 1 < open_.size() ? 1 : 0);
            p += "/" + (v.is_object() ? open_[i].key : std::to_string(index));
        }
        return p.empty() ? "/" : p;
    }

    json* place(json v) {
        if (open_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        json& parent = *open_.back().value;
        if (parent.is_object()) return &(parent[open_.back().key] = std::move(v));
        parent.push_back(std::move(v));
        return &parent.back();
    }

    bool add(json v) {
        place(std::move(v));
        return true;
    }

    bool refuse(std::string at, std::string why) {
        refusal_path_ = std::move(at);
        refusal_ = std::move(why);
        return false;
    }

    bool open(json container) {
        if (open_.size() >= kMaxDepth)
            return refuse(path(), "nested deeper than " + std::to_string(kMaxDepth) + " levels");
        open_.push_back(Level{place(std::move(container)), {}});
        return true;
    }

    bool close() {
        open_.pop_back();
        return true;
    }

    json& root_;
    std::vector<Level> open_;
    std::string refusal_path_, refusal_;
    std::string syntax_error_;
};

// Parses `text` into the builder's document. False when it refused a value or met a syntax error.
bool parse_json(std::string_view text, DocumentBuilder& builder) {
    return json::sax_parse(text.begin(), text.end(), &builder) && !builder.refused();
}

// The scene's own values (shapes, motions, meshes, emitters, outlets) on top of the shared
// reader; points have the scene's dimension.
class Reader : public JsonReader {
  public:
    Reader(std::string source, int dimension, const FileReader* files = nullptr)
        : JsonReader(std::move(source)), dimension_(dimension), files_(files) {}

    glm::dvec3 point(const json& j, const std::string& path) const {
        return numbers(j, path, dimension_, true);
    }

    double positive(const json& j, const std::string& path) const {
        if (!j.is_number() || !std::isfinite(j.get<double>()) || j.get<double>() <= 0.0 ||
            j.get<double>() > 1.0e6) {
            fail(path, "expected a number in (0, 1e6], found " + describe_json(j));
        }
        return j.get<double>();
    }

    ShapeDesc shape(const json& j, const std::string& path, bool with_velocity) const {
        require_object(j, path);
        ShapeDesc s;
        std::string kind = "box";
        if (auto it = j.find("shape"); it != j.end()) {
            kind = text(*it, path + "/shape");
            if (kind != "box" && kind != "sphere" && kind != "mesh" && kind != "polygon") {
                fail(path + "/shape",
                     "expected \"box\", \"sphere\", \"mesh\" (3D) or \"polygon\" (2D), found " +
                         describe_json(*it));
            }
        }
        // The last key: a fluid block's initial velocity, or an obstacle's motion.
        const std::string_view last = with_velocity ? "velocity" : "motion";
        if (kind == "box") {
            const std::string_view box_keys[] = {"shape", "min", "max", last};
            check_keys(j, path, box_keys);
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
        } else if (kind == "sphere") {
            const std::string_view sphere_keys[] = {"shape", "center", "radius", last};
            check_keys(j, path, sphere_keys);
            s.shape = Shape::Sphere;
            s.center = point(member(j, path, "center"), path + "/center");
            s.radius = positive(member(j, path, "radius"), path + "/radius");
        } else if (kind == "polygon") {
            s.shape = Shape::Mesh;
            s.mesh = polygon(j, path, with_velocity);
        } else {
            s.shape = Shape::Mesh;
            s.mesh = mesh(j, path, with_velocity);
        }
        if (auto it = j.find("motion"); it != j.end() && !with_velocity)
            s.motion = motion(*it, path + "/motion");
        return s;
    }

    glm::dvec3 unit(const json& j, const std::string& path) const {
        const glm::dvec3 v = point(j, path);
        if (glm::dot(v, v) == 0.0) fail(path, "expected a non-zero direction");
        return v / glm::length(v);
    }

    // See core/motion.hpp.
    Motion motion(const json& j, const std::string& path) const {
        require_object(j, path);
        Motion m;
        const std::string type = text(member(j, path, "type"), path + "/type");
        const bool turns = dimension_ == 2;  // in 2D the axis of rotation is z, not given
        if (type == "oscillate") {
            static constexpr std::string_view keys[] = {"type",   "axis",  "amplitude",
                                                        "period", "phase", "ramp"};
            check_keys(j, path, keys);
            m.type = MotionType::Oscillate;
            m.axis = unit(member(j, path, "axis"), path + "/axis");
            m.amplitude = number(member(j, path, "amplitude"), path + "/amplitude", 0.0, 1.0e3);
            m.period = positive(member(j, path, "period"), path + "/period");
            if (auto it = j.find("phase"); it != j.end())
                m.phase = number(*it, path + "/phase", -360.0, 360.0);
            if (auto it = j.find("ramp"); it != j.end())
                m.ramp = number(*it, path + "/ramp", 0.0, 1.0e6);
        } else if (type == "rotate" || type == "keyframes") {
            std::vector<std::string_view> keys = {"type", "center"};
            keys.push_back(type == "rotate" ? "rpm" : "keys");
            if (!turns) keys.push_back("axis");
            check_keys(j, path, keys);
            m.axis =
                turns ? glm::dvec3(0.0, 0.0, 1.0) : unit(member(j, path, "axis"), path + "/axis");
            m.center = point(member(j, path, "center"), path + "/center");
            if (type == "rotate") {
                m.type = MotionType::Rotate;
                m.rpm = number(member(j, path, "rpm"), path + "/rpm", -1.0e4, 1.0e4);
            } else {
                m.type = MotionType::Keyframes;
                m.keys = keyframes(member(j, path, "keys"), path + "/keys");
            }
        } else {
            fail(path + "/type", "expected \"oscillate\", \"rotate\" or \"keyframes\", found " +
                                     describe_json(member(j, path, "type")));
        }
        return m;
    }

    std::vector<MotionKey> keyframes(const json& j, const std::string& path) const {
        if (!j.is_array() || j.empty() || j.size() > 10000) {
            fail(path, "expected an array of 1 to 10000 keys, found " + describe_json(j));
        }
        std::vector<MotionKey> keys;
        for (std::size_t k = 0; k < j.size(); ++k) {
            const std::string kpath = path + "/" + std::to_string(k);
            require_object(j[k], kpath);
            static constexpr std::string_view key_keys[] = {"time", "position", "angle"};
            check_keys(j[k], kpath, key_keys);
            MotionKey key;
            key.time = number(member(j[k], kpath, "time"), kpath + "/time", 0.0, 1.0e6);
            if (!keys.empty() && !(key.time > keys.back().time)) {
                fail(kpath + "/time", "expected times in increasing order, found " +
                                          format_number(key.time) + " after " +
                                          format_number(keys.back().time));
            }
            if (auto it = j[k].find("position"); it != j[k].end())
                key.position = point(*it, kpath + "/position");
            if (auto it = j[k].find("angle"); it != j[k].end())
                key.angle = number(*it, kpath + "/angle", -1.0e6, 1.0e6);
            keys.push_back(key);
        }
        return keys;
    }

    // {"shape": "polygon", "points": [[x, y], ...], "invert": bool (obstacles only)}: a closed
    // polygon of a 2D scene, held as the prism over it (geometry/polygon.hpp).
    std::shared_ptr<const MeshShape> polygon(const json& j, const std::string& path,
                                             bool fluid) const {
        static constexpr std::string_view obstacle_keys[] = {"shape", "points", "invert", "motion"};
        static constexpr std::string_view fluid_keys[] = {"shape", "points", "velocity"};
        check_keys(j, path,
                   fluid ? std::span<const std::string_view>(fluid_keys)
                         : std::span<const std::string_view>(obstacle_keys));
        if (dimension_ != 2) {
            fail(path + "/shape", "polygons are for 2D scenes (this scene has dimension 3)");
        }
        const json& points = member(j, path, "points");
        if (!points.is_array() || points.size() > kMaxPolygonPoints) {
            fail(path + "/points", "expected an array of at most " +
                                       std::to_string(kMaxPolygonPoints) + " points, found " +
                                       describe_json(points));
        }
        std::vector<glm::dvec2> corners;
        for (std::size_t i = 0; i < points.size(); ++i) {
            const glm::dvec3 p = point(points[i], path + "/points/" + std::to_string(i));
            corners.emplace_back(p.x, p.y);
        }
        auto shape = std::make_shared<MeshShape>();
        shape->file = "polygon";
        if (auto it = j.find("invert"); it != j.end()) {
            if (!it->is_boolean())
                fail(path + "/invert", "expected true or false, found " + describe_json(*it));
            shape->invert = it->get<bool>();
        }
        try {
            shape->outline = checked_polygon(std::move(corners), "the polygon");
        } catch (const MeshError& e) {
            fail(path + "/points", e.what());
        }
        glm::dvec2 lo(std::numeric_limits<double>::max()), hi(-std::numeric_limits<double>::max());
        for (const glm::dvec2& c : shape->outline) {
            lo = glm::min(lo, c);
            hi = glm::max(hi, c);
        }
        // Caps far beyond any band of the distance field: only the side walls are near z = 0.
        const double half_height = 4.0 * (hi.x - lo.x + hi.y - lo.y) + 1.0;
        shape->mesh = extrude_polygon(shape->outline, half_height);
        shape->lower = {lo.x, lo.y, 0.0};
        shape->upper = {hi.x, hi.y, 0.0};
        shape->area = polygon_perimeter(shape->outline);
        return shape;
    }

    // {"shape": "mesh", "file": ..., "scale": s | [sx, sy, sz], "rotate": {"axis": [...],
    // "degrees": a}, "translate": [...], "invert": bool, "motion": {...} (obstacles only)}
    std::shared_ptr<const MeshShape> mesh(const json& j, const std::string& path,
                                          bool fluid) const {
        static constexpr std::string_view obstacle_keys[] = {
            "shape", "file", "scale", "rotate", "translate", "invert", "motion"};
        static constexpr std::string_view fluid_keys[] = {"shape",  "file",      "scale",
                                                          "rotate", "translate", "velocity"};
        check_keys(j, path,
                   fluid ? std::span<const std::string_view>(fluid_keys)
                         : std::span<const std::string_view>(obstacle_keys));
        if (dimension_ != 3) {
            fail(path + "/shape", "meshes are for 3D scenes (this scene has dimension 2)");
        }
        auto shape = std::make_shared<MeshShape>();
        shape->file = text(member(j, path, "file"), path + "/file");
        if (shape->file.empty()) fail(path + "/file", "expected a file name, found \"\"");
        MeshTransform t;
        if (auto it = j.find("scale"); it != j.end()) {
            t.scale = it->is_number() ? glm::dvec3(positive(*it, path + "/scale"))
                                      : point(*it, path + "/scale");
            for (int k = 0; k < 3; ++k) {
                if (t.scale[k] == 0.0) fail(path + "/scale", "a scale of 0 flattens the mesh");
            }
        }
        if (auto it = j.find("rotate"); it != j.end()) {
            const std::string rpath = path + "/rotate";
            require_object(*it, rpath);
            static constexpr std::string_view rotate_keys[] = {"axis", "degrees"};
            check_keys(*it, rpath, rotate_keys);
            t.axis = point(member(*it, rpath, "axis"), rpath + "/axis");
            if (glm::dot(t.axis, t.axis) == 0.0) fail(rpath + "/axis", "expected a non-zero axis");
            const json& degrees = member(*it, rpath, "degrees");
            if (!degrees.is_number() || !std::isfinite(degrees.get<double>()) ||
                std::abs(degrees.get<double>()) > 1.0e6) {
                fail(rpath + "/degrees",
                     "expected a number in [-1e6, 1e6], found " + describe_json(degrees));
            }
            t.degrees = degrees.get<double>();
        }
        if (auto it = j.find("translate"); it != j.end())
            t.translate = point(*it, path + "/translate");
        if (auto it = j.find("invert"); it != j.end()) {
            if (!it->is_boolean())
                fail(path + "/invert", "expected true or false, found " + describe_json(*it));
            shape->invert = it->get<bool>();
        }
        if (!files_ || !*files_) {
            fail(path + "/file", "meshes cannot be read here (no files come with this scene)");
        }
        std::string bytes;
        try {
            bytes = (*files_)(shape->file);
        } catch (const SceneError& e) {
            fail(path + "/file", e.what());
        }
        try {
            shape->mesh = read_mesh(bytes, shape->file);
            transform(shape->mesh, t);
            check_closed(shape->mesh, shape->file);
        } catch (const MeshError& e) {
            fail(path + "/file", e.what());
        }
        shape->lower = shape->mesh.lower();
        shape->upper = shape->mesh.upper();
        shape->area = shape->mesh.area();
        return shape;
    }

    // {"shape": "rectangle" | "disc" (3D) | "segment" (2D), "center", "direction", "width",
    // "height" | "radius", "velocity", "start", "end", "enabled"}
    EmitterDesc emitter(const json& j, const std::string& path) const {
        require_object(j, path);
        EmitterDesc e;
        std::string kind = dimension_ == 2 ? "segment" : "rectangle";
        if (auto it = j.find("shape"); it != j.end()) kind = text(*it, path + "/shape");
        std::vector<std::string_view> keys = {"shape", "center", "direction", "velocity",
                                              "start", "end",    "enabled",   "motion"};
        if (dimension_ == 2 && kind == "segment") {
            e.shape = EmitterShape::Segment;
            keys.push_back("width");
        } else if (dimension_ == 3 && kind == "rectangle") {
            e.shape = EmitterShape::Rectangle;
            keys.insert(keys.end(), {"width", "height"});
        } else if (dimension_ == 3 && kind == "disc") {
            e.shape = EmitterShape::Disc;
            keys.push_back("radius");
        } else {
            fail(path + "/shape",
                 dimension_ == 2
                     ? "expected \"segment\" (a 2D scene), found " + describe_json(j["shape"])
                     : "expected \"rectangle\" or \"disc\" (a 3D scene), found " +
                           describe_json(j["shape"]));
        }
        check_keys(j, path, keys);
        e.center = point(member(j, path, "center"), path + "/center");
        e.direction = unit(member(j, path, "direction"), path + "/direction");
        if (e.shape == EmitterShape::Disc) {
            e.radius = positive(member(j, path, "radius"), path + "/radius");
        } else {
            e.width = positive(member(j, path, "width"), path + "/width");
            if (e.shape == EmitterShape::Rectangle)
                e.height = positive(member(j, path, "height"), path + "/height");
        }
        if (auto it = j.find("velocity"); it != j.end())
            e.velocity = number(*it, path + "/velocity", 0.0, 1.0e3);
        if (auto it = j.find("start"); it != j.end())
            e.start = number(*it, path + "/start", 0.0, 1.0e6);
        if (auto it = j.find("end"); it != j.end()) {
            e.end = number(*it, path + "/end", 0.0, 1.0e6);
            if (!(e.end > e.start)) {
                fail(path + "/end", "expected an end after the start (" + format_number(e.start) +
                                        " s), found " + format_number(e.end) + " s");
            }
        }
        if (auto it = j.find("enabled"); it != j.end()) {
            if (!it->is_boolean())
                fail(path + "/enabled", "expected true or false, found " + describe_json(*it));
            e.enabled = it->get<bool>();
        }
        if (auto it = j.find("motion"); it != j.end()) e.motion = motion(*it, path + "/motion");
        return e;
    }

    // {"shape": "box", "min", "max" | "sphere", "center", "radius" | "polygon", "points" (2D) |
    //  "mesh", "file", "scale", "rotate", "translate" (3D), "density" | "mass",
    //  "rotation": {"axis", "degrees"} (2D: {"degrees"}), "velocity", "angular_velocity" (2D: a
    //  number), "fixed", "restitution", "friction"}
    BodyDesc body(const json& j, const std::string& path) const {
        require_object(j, path);
        static constexpr std::string_view keys[] = {
            "shape",   "min",         "max",      "center",   "radius",
            "density", "mass",        "rotation", "velocity", "angular_velocity",
            "fixed",   "restitution", "friction", "axes",     "points",
            "file",    "scale",       "rotate",   "translate"};
        check_keys(j, path, keys);
        json shape_keys = json::object();
        for (const char* key : {"shape", "min", "max", "center", "radius", "points", "file",
                                "scale", "rotate", "translate"}) {
            if (auto it = j.find(key); it != j.end()) shape_keys[key] = *it;
        }
        BodyDesc b;
        b.shape = shape(shape_keys, path, false);
        const auto density = j.find("density");
        const auto mass = j.find("mass");
        if ((density == j.end()) == (mass == j.end())) {
            fail(path, "expected one of \"density\" (kg/m^3) or \"mass\" (kg" +
                           std::string(dimension_ == 2 ? " per metre of depth" : "") + ")");
        }
        if (density != j.end()) b.density = positive(*density, path + "/density");
        if (mass != j.end()) b.mass = positive(*mass, path + "/mass");
        if (auto it = j.find("rotation"); it != j.end()) {
            const std::string rpath = path + "/rotation";
            require_object(*it, rpath);
            if (dimension_ == 2) {
                static constexpr std::string_view rotation_keys[] = {"degrees"};
                check_keys(*it, rpath, rotation_keys);
            } else {
                static constexpr std::string_view rotation_keys[] = {"axis", "degrees"};
                check_keys(*it, rpath, rotation_keys);
                b.rotation_axis = unit(member(*it, rpath, "axis"), rpath + "/axis");
            }
            b.rotation_degrees =
                number(member(*it, rpath, "degrees"), rpath + "/degrees", -360.0, 360.0);
        }
        if (auto it = j.find("velocity"); it != j.end())
            b.velocity = point(*it, path + "/velocity");
        if (auto it = j.find("angular_velocity"); it != j.end()) {
            const std::string wpath = path + "/angular_velocity";
            if (dimension_ == 2) {
                b.angular_velocity.z = number(*it, wpath, -1.0e4, 1.0e4);
            } else {
                b.angular_velocity = point(*it, wpath);
            }
        }
        if (auto it = j.find("fixed"); it != j.end()) {
            if (!it->is_boolean())
                fail(path + "/fixed", "expected true or false, found " + describe_json(*it));
            b.fixed = it->get<bool>();
        }
        if (auto it = j.find("axes"); it != j.end()) {
            const std::string apath = path + "/axes";
            const std::vector<std::string> names =
                dimension_ == 2 ? std::vector<std::string>{"x", "y", "rz"}
                                : std::vector<std::string>{"x", "y", "z", "rx", "ry", "rz"};
            std::string choices;
            for (const std::string& n : names)
                choices += (choices.empty() ? "\"" : ", \"") + n + "\"";
            if (!it->is_array())
                fail(apath, "expected an array of " + choices + ", found " + describe_json(*it));
            b.moves = b.turns = glm::dvec3(0.0);
            for (std::size_t k = 0; k < it->size(); ++k) {
                const json& axis = (*it)[k];
                const auto found = std::find(names.begin(), names.end(),
                                             axis.is_string() ? axis.get<std::string>() : "");
                if (found == names.end()) {
                    fail(apath + "/" + std::to_string(k),
                         "expected one of " + choices + ", found " + describe_json(axis));
                }
                const std::string& n = *found;
                if (n.size() == 1)
                    b.moves[n[0] - 'x'] = 1.0;
                else
                    b.turns[n[1] - 'x'] = 1.0;
            }
        }
        if (auto it = j.find("restitution"); it != j.end())
            b.restitution = number(*it, path + "/restitution", 0.0, 1.0);
        if (auto it = j.find("friction"); it != j.end())
            b.friction = number(*it, path + "/friction", 0.0, 10.0);
        return b;
    }

    // A shape as for obstacles (no motion), or {"shape": "plane", "point", "normal"}.
    OutletDesc outlet(const json& j, const std::string& path) const {
        require_object(j, path);
        OutletDesc o;
        if (auto it = j.find("shape"); it != j.end() && it->is_string() && *it == "plane") {
            static constexpr std::string_view keys[] = {"shape", "point", "normal"};
            check_keys(j, path, keys);
            o.plane = true;
            o.point = point(member(j, path, "point"), path + "/point");
            o.normal = unit(member(j, path, "normal"), path + "/normal");
            return o;
        }
        if (j.contains("motion")) fail(path + "/motion", "outlets do not move");
        o.region = shape(j, path, false);
        return o;
    }

    int dimension() const { return dimension_; }

  private:
    int dimension_;
    const FileReader* files_;
};

// Whether the insides of two shapes overlap by more than `depth`. Box against box exactly; a
// sphere by the distance from its centre to the other shape.
bool overlap(const ShapeDesc& a, const ShapeDesc& b, int dimension, double depth) {
    if (a.shape == Shape::Mesh || b.shape == Shape::Mesh) {  // by their bounding boxes
        ShapeDesc ba, bb;
        ba.min = a.lower(), ba.max = a.upper();
        bb.min = b.lower(), bb.max = b.upper();
        return overlap(ba, bb, dimension, depth);
    }
    if (a.shape == Shape::Sphere && b.shape == Shape::Sphere) {
        double d2 = 0.0;
        for (int k = 0; k < dimension; ++k)
            d2 += (a.center[k] - b.center[k]) * (a.center[k] - b.center[k]);
        return std::sqrt(d2) < a.radius + b.radius - depth;
    }
    if (a.shape == Shape::Sphere) return overlap(b, a, dimension, depth);
    if (b.shape == Shape::Box) {
        for (int k = 0; k < dimension; ++k) {
            if (std::min(a.max[k], b.max[k]) - std::max(a.min[k], b.min[k]) <= depth) return false;
        }
        return true;
    }
    double d2 = 0.0;  // from the sphere's centre to the nearest point of the box
    for (int k = 0; k < dimension; ++k) {
        const double nearest = std::clamp(b.center[k], a.min[k], a.max[k]);
        d2 += (b.center[k] - nearest) * (b.center[k] - nearest);
    }
    return std::sqrt(d2) < b.radius - depth;
}

std::string shape_name(const ShapeDesc& s) {
    switch (s.shape) {
        case Shape::Box:
            return "box";
        case Shape::Sphere:
            return "sphere";
        default:
            return s.mesh->outline.empty() ? "mesh " + s.mesh->file : "polygon";
    }
}

constexpr std::string_view kStructuralKeys[] = {"name",   "description", "dimension", "domain",
                                                "fluid",  "obstacles",   "emitters",  "outlets",
                                                "bodies", "probes"};

}  // namespace

// A cast past 2^63 is undefined: a huge mesh was said to make -9223372036854775808 samples.
std::string format_count(double n) {
    if (n < 1.0e15) return std::to_string(static_cast<long long>(n));
    char text[32];
    std::snprintf(text, sizeof text, "%.2g", n);
    return text;
}

double distance_field_nodes(const ShapeDesc& s, int dimension, double spacing) {
    double nodes = 1.0;
    for (int k = 0; k < dimension; ++k) {
        nodes *= std::max(1.0, std::round((s.upper()[k] - s.lower()[k]) / spacing)) +
                 2.0 * kBoundaryLayers;
    }
    return nodes;
}

glm::dvec3 ShapeDesc::lower() const {
    if (shape == Shape::Mesh) return mesh->lower;
    return shape == Shape::Box ? min : center - glm::dvec3(radius);
}
glm::dvec3 ShapeDesc::upper() const {
    if (shape == Shape::Mesh) return mesh->upper;
    return shape == Shape::Box ? max : center + glm::dvec3(radius);
}

Scene parse_scene(std::string_view json_text, const std::string& source,
                  const FileReader& read_file) {
    if (json_text.size() > kMaxSceneFileBytes) {
        throw SceneError(source + ": the scene is " + std::to_string(json_text.size()) +
                         " bytes, more than the limit of " + std::to_string(kMaxSceneFileBytes));
    }
    json root;
    DocumentBuilder builder(root);
    if (!parse_json(json_text, builder)) {
        if (builder.refused()) {
            throw SceneError(source + ": " + builder.refusal_path() + ": " + builder.refusal());
        }
        throw SceneError(source + ": JSON syntax error at " + builder.syntax_error());
    }
    Reader base(source, 3);
    base.require_object(root, "");

    // The dimension comes first: it decides how long every vector must be. Compared as JSON
    // numbers, so that no 64-bit value wraps to 2 or 3.
    const json& dim = base.member(root, "", "dimension");
    if (!dim.is_number_integer() || (dim != 2 && dim != 3)) {
        base.fail("/dimension", "expected 2 or 3, found " + describe_json(dim));
    }
    Scene scene;
    scene.source = source;
    scene.dimension = dim.get<int>();
    scene.params = ParameterSet(scene.dimension);
    Reader r(source, scene.dimension, &read_file);

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
    const auto emitters = root.find("emitters");
    if (fluid.empty() && (emitters == root.end() || !emitters->is_array() || emitters->empty()))
        r.fail("/fluid", "the scene has no fluid: expected at least one fluid block or emitter");
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
    if (auto it = root.find("emitters"); it != root.end()) {
        if (!it->is_array())
            r.fail("/emitters", "expected an array of emitters, found " + describe_json(*it));
        if (it->size() > kMaxEmitters) {
            r.fail("/emitters", "at most " + std::to_string(kMaxEmitters) + " emitters, found " +
                                    std::to_string(it->size()));
        }
        for (std::size_t i = 0; i < it->size(); ++i)
            scene.emitters.push_back(r.emitter((*it)[i], "/emitters/" + std::to_string(i)));
    }
    if (auto it = root.find("outlets"); it != root.end()) {
        if (!it->is_array())
            r.fail("/outlets", "expected an array of outlets, found " + describe_json(*it));
        for (std::size_t i = 0; i < it->size(); ++i)
            scene.outlets.push_back(r.outlet((*it)[i], "/outlets/" + std::to_string(i)));
    }
    if (auto it = root.find("bodies"); it != root.end()) {
        if (!it->is_array())
            r.fail("/bodies", "expected an array of bodies, found " + describe_json(*it));
        if (it->size() > kMaxBodies) {
            r.fail("/bodies", "at most " + std::to_string(kMaxBodies) + " bodies, found " +
                                  std::to_string(it->size()));
        }
        for (std::size_t i = 0; i < it->size(); ++i)
            scene.bodies.push_back(r.body((*it)[i], "/bodies/" + std::to_string(i)));
    }
    if (auto it = root.find("probes"); it != root.end()) scene.probes = parse_probes(*it, scene);
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
    const double estimate = estimate_fluid_particles(*this);
    if (estimate > kMaxFluidParticles) {
        throw SceneError(source + ": /particle_radius: " + std::to_string(r) +
                         " m would make about " + format_count(estimate) +
                         " fluid particles, more than the limit of " +
                         std::to_string(static_cast<long long>(kMaxFluidParticles)));
    }
    for (std::size_t i = 0; i < fluid.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            // Blocks may overlap by a sliver (rows built edge to edge with a rounding margin):
            // only an overlap deeper than half a particle radius puts particles too close.
            const bool meshes =
                fluid[i].region.shape == Shape::Mesh || fluid[j].region.shape == Shape::Mesh;
            if (!meshes && overlap(fluid[i].region, fluid[j].region, d, 0.5 * r)) {
                throw SceneError(source + ": /fluid/" + std::to_string(i) +
                                 ": the fluid block (a " + shape_name(fluid[i].region) +
                                 ") overlaps /fluid/" + std::to_string(j) +
                                 " by more than half a particle radius: particles would sit on "
                                 "top of each other; make the blocks touch at most");
            }
        }
    }
    ShapeDesc domain;
    domain.min = domain_min;
    domain.max = domain_max;
    for (std::size_t i = 0; i < obstacles.size(); ++i) {
        // Any depth at all: a flat or tiny shape inside is not outside (a depth of 1e-9 said so).
        if (!overlap(obstacles[i], domain, d, 0.0)) {
            throw SceneError(source + ": /obstacles/" + std::to_string(i) + ": the " +
                             shape_name(obstacles[i]) +
                             " lies entirely outside the domain, where no fluid can reach it");
        }
    }
    check_flows();
    check_bodies();
    check_motions();
    check_boundary_samples();
    check_distance_fields();
    check_probes(*this);
    check_memory(*this);
    if (params.number("min_time_step") > params.number("max_time_step")) {
        throw SceneError(source + ": /min_time_step: expected at most max_time_step (" +
                         std::to_string(params.number("max_time_step")) + "), found " +
                         std::to_string(params.number("min_time_step")));
    }
}

// A path must be one the steps can follow: an oscillation of a period, or keys closer in time,
// than the smallest step would leave the wall still or jumping (a period of 1e-300 s ended in
// NaN with advice about the time step).
void Scene::check_motions() const {
    const double smallest = params.number("min_time_step");
    auto check = [&](const Motion& m, const std::string& path) {
        if (m.type == MotionType::Oscillate && m.period < smallest) {
            throw SceneError(path + "/period: " + format_number(m.period) +
                             " s is shorter than the smallest time step (min_time_step = " +
                             format_number(smallest) + " s): no step could follow it");
        }
        if (m.type != MotionType::Keyframes) return;
        for (std::size_t k = 1; k < m.keys.size(); ++k) {
            if (m.keys[k].time - m.keys[k - 1].time < smallest) {
                throw SceneError(path + "/keys/" + std::to_string(k) +
                                 "/time: " + format_number(m.keys[k].time - m.keys[k - 1].time) +
                                 " s after the key before it, less than the smallest time step "
                                 "(min_time_step = " +
                                 format_number(smallest) + " s)");
            }
        }
    };
    for (std::size_t i = 0; i < obstacles.size(); ++i)
        check(obstacles[i].motion, source + ": /obstacles/" + std::to_string(i) + "/motion");
    for (std::size_t i = 0; i < emitters.size(); ++i)
        check(emitters[i].motion, source + ": /emitters/" + std::to_string(i) + "/motion");
}

double BodyDesc::body_mass(int dimension) const {
    if (mass > 0.0) return mass;
    double volume = 1.0;
    if (shape.shape == Shape::Box) {
        for (int k = 0; k < dimension; ++k)
            volume *= shape.max[k] - shape.min[k];
    } else if (shape.shape == Shape::Mesh && dimension == 3) {
        volume = shape.mesh->mesh.volume();
    } else if (shape.shape == Shape::Mesh) {  // a polygon: its area
        const std::vector<glm::dvec2>& c = shape.mesh->outline;
        double twice = 0.0;
        for (std::size_t k = 0; k < c.size(); ++k) {
            const glm::dvec2 &a = c[k], &b = c[(k + 1) % c.size()];
            twice += a.x * b.y - b.x * a.y;
        }
        volume = 0.5 * std::abs(twice);
    } else {
        const double r = shape.radius;
        volume = dimension == 2 ? kPi * r * r : 4.0 / 3.0 * kPi * r * r * r;
    }
    return density * volume;
}

// Bodies inside the domain, turned as they start, and not lighter than the coupling allows.
void Scene::check_bodies() const {
    const int d = dimension;
    const double rho0 = params.number("rest_density");
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        const BodyDesc& b = bodies[i];
        const std::string path = source + ": /bodies/" + std::to_string(i);
        const glm::dvec3 centre = 0.5 * (b.shape.lower() + b.shape.upper());
        glm::dvec3 reach = 0.5 * (b.shape.upper() - b.shape.lower());
        if (b.shape.shape != Shape::Sphere && b.rotation_degrees != 0.0) {
            const glm::dmat3 turn = portable::rotation(b.rotation_axis, b.rotation_degrees);
            glm::dvec3 turned(0.0);
            for (int row = 0; row < 3; ++row) {
                for (int col = 0; col < 3; ++col)
                    turned[row] += std::abs(turn[col][row]) * reach[col];
            }
            reach = turned;
        }
        for (int k = 0; k < d; ++k) {
            if (centre[k] - reach[k] < domain_min[k] || centre[k] + reach[k] > domain_max[k]) {
                throw SceneError(
                    path + ": the body reaches outside the domain (axis " + std::to_string(k) +
                    ": it spans [" + format_number(centre[k] - reach[k]) + ", " +
                    format_number(centre[k] + reach[k]) + "], the domain [" +
                    format_number(domain_min[k]) + ", " + format_number(domain_max[k]) + "])");
            }
        }
        BodyDesc unit = b;  // of density 1: its volume
        unit.mass = 0.0;
        unit.density = 1.0;
        const double mean_density = b.body_mass(d) / unit.body_mass(d);
        if (!b.fixed && mean_density < kLightestBody * rho0) {
            throw SceneError(path + ": a body of " + format_number(mean_density) +
                             " kg/m^3 is lighter than the coupling keeps stable: at least " +
                             format_number(kLightestBody) + " x rest_density (" +
                             format_number(kLightestBody * rho0) + " kg/m^3), or make it fixed");
        }
    }
}

void Scene::check_flows() const {
    const int d = dimension;
    const double spacing = 2.0 * params.number("particle_radius");
    // Where an emitter's first layers go: its patch and two spacings ahead of it.
    auto zone = [&](const EmitterDesc& e, glm::dvec3& lo, glm::dvec3& hi) {
        const glm::dvec3 reach = emitter_reach(e, d);
        const glm::dvec3 ahead = e.center + e.direction * (2.0 * spacing);
        lo = glm::min(e.center, ahead) - reach;
        hi = glm::max(e.center, ahead) + reach;
    };
    for (std::size_t i = 0; i < emitters.size(); ++i) {
        const EmitterDesc& e = emitters[i];
        const std::string path = source + ": /emitters/" + std::to_string(i);
        const glm::dvec3 reach = emitter_reach(e, d);
        for (int k = 0; k < d; ++k) {
            if (e.center[k] - reach[k] < domain_min[k] || e.center[k] + reach[k] > domain_max[k]) {
                throw SceneError(
                    path + ": the emitter reaches outside the domain (axis " + std::to_string(k) +
                    ": it spans [" + format_number(e.center[k] - reach[k]) + ", " +
                    format_number(e.center[k] + reach[k]) + "], the domain [" +
                    format_number(domain_min[k]) + ", " + format_number(domain_max[k]) + "])");
            }
        }
        if (emitter_layer(e, d, spacing).empty()) {
            throw SceneError(path + ": the emitter holds no particle: it is narrower than one " +
                             "particle spacing (2 * particle_radius = " + format_number(spacing) +
                             " m)");
        }
        glm::dvec3 lo, hi;
        zone(e, lo, hi);
        for (int k = 0; k < d; ++k) {
            if (lo[k] < domain_min[k] || hi[k] > domain_max[k]) {
                throw SceneError(path + "/direction: the emitter points into the domain's wall " +
                                 "(axis " + std::to_string(k) +
                                 "): its particles would start outside the domain; give it two " +
                                 "particle spacings (" + format_number(2.0 * spacing) +
                                 " m) in front, or turn it round");
            }
        }
        // Two emitters whose zones overlap by more than half a spacing place particles on each
        // other (side by side, touching, is fine).
        for (std::size_t j = 0; j < i; ++j) {
            glm::dvec3 lo_j, hi_j;
            zone(emitters[j], lo_j, hi_j);
            bool overlaps = true;
            for (int k = 0; k < d; ++k) {
                overlaps =
                    overlaps && std::min(hi[k], hi_j[k]) - std::max(lo[k], lo_j[k]) > 0.5 * spacing;
            }
            if (overlaps) {
                throw SceneError(path + ": the emitter overlaps emitter " + std::to_string(j) +
                                 ": their particles would be placed on each other");
            }
        }
    }
    ShapeDesc domain;
    domain.min = domain_min;
    domain.max = domain_max;
    for (std::size_t i = 0; i < outlets.size(); ++i) {
        const OutletDesc& o = outlets[i];
        if (!o.plane && !overlap(o.region, domain, d, 0.0)) {  // any depth, as for obstacles
            throw SceneError(source + ": /outlets/" + std::to_string(i) + ": the " +
                             shape_name(o.region) +
                             " lies entirely outside the domain, where no fluid can reach it");
        }
    }
}

double estimate_fluid_particles(const Scene& scene) {
    const double spacing = 2.0 * scene.params.number("particle_radius");
    double estimate = 0.0;
    for (const FluidBlock& b : scene.fluid) {
        double cells = 1.0;
        for (int k = 0; k < scene.dimension; ++k)
            cells *= (b.region.upper()[k] - b.region.lower()[k]) / spacing;
        estimate += cells;
    }
    return estimate;
}

BoundaryEstimate estimate_boundary_samples(const Scene& scene) {
    const int d = scene.dimension;
    const double spacing = 2.0 * scene.params.number("particle_radius");
    const double layers = kBoundaryLayers;
    // A box's lattice shell, as sample_domain_walls and sample_obstacle make it: the nodes of
    // the box grown by `layers` cells, but those more than `layers` deep inside.
    auto box_shell = [&](const glm::dvec3& lo, const glm::dvec3& hi) {
        double all = 1.0, deep = 1.0;
        for (int k = 0; k < d; ++k) {
            const double n = std::max(1.0, std::round((hi[k] - lo[k]) / spacing));
            all *= n + 2.0 * layers;
            deep *= std::max(n - 2.0 * layers, 0.0);
        }
        return all - deep;
    };
    // Spherical shells one spacing apart, outside and inside the surface, as sample_obstacle.
    auto sphere_shells = [&](double radius) {
        auto shell = [&](double rho) {
            return d == 2 ? std::max(3.0, std::round(2.0 * kPi * rho / spacing))
                          : std::max(4.0, std::round(4.0 * kPi * rho * rho / (spacing * spacing)));
        };
        double count = 0.0;
        for (int layer = 0; layer < kBoundaryLayers; ++layer) {
            const double offset = (layer + 0.5) * spacing;
            count += shell(radius + offset) +
                     (radius - offset > 0.25 * spacing ? shell(radius - offset) : 1.0);
        }
        return count;
    };
    BoundaryEstimate e;
    if (scene.params.boolean("domain_walls"))
        e.walls = box_shell(scene.domain_min, scene.domain_max);
    // A mesh's lattice shell: its area times the shell's thickness on both sides, in cells.
    auto mesh_shell = [&](const MeshShape& m) {
        return m.area * 2.0 * layers / (d == 2 ? spacing : spacing * spacing);
    };
    auto shell = [&](const ShapeDesc& o) {
        switch (o.shape) {
            case Shape::Sphere:
                return sphere_shells(o.radius);
            case Shape::Box:
                return box_shell(o.min, o.max);
            default:
                return mesh_shell(*o.mesh);
        }
    };
    for (const ShapeDesc& o : scene.obstacles)
        e.obstacles.push_back(shell(o));
    for (const BodyDesc& b : scene.bodies)
        e.bodies.push_back(shell(b.shape));
    return e;
}

void Scene::check_distance_fields() const {
    const double spacing = 2.0 * params.number("particle_radius");
    auto check = [&](const ShapeDesc& s, const std::string& path) {
        if (s.shape != Shape::Mesh) return;
        const double nodes = distance_field_nodes(s, dimension, spacing);
        if (nodes > kMaxDistanceFieldNodes) {
            throw SceneError(source + ": " + path + ": the mesh " + s.mesh->file +
                             " at particle_radius " + std::to_string(0.5 * spacing) +
                             " m would need a distance field of about " + format_count(nodes) +
                             " nodes, more than the limit of " +
                             std::to_string(static_cast<long long>(kMaxDistanceFieldNodes)) +
                             " (a larger particle_radius, or a smaller mesh)");
        }
    };
    for (std::size_t i = 0; i < fluid.size(); ++i)
        check(fluid[i].region, "/fluid/" + std::to_string(i));
    for (std::size_t i = 0; i < obstacles.size(); ++i)
        check(obstacles[i], "/obstacles/" + std::to_string(i));
    for (std::size_t i = 0; i < outlets.size(); ++i) {
        if (!outlets[i].plane) check(outlets[i].region, "/outlets/" + std::to_string(i));
    }
    for (std::size_t i = 0; i < bodies.size(); ++i)
        check(bodies[i].shape, "/bodies/" + std::to_string(i));
}

void Scene::check_boundary_samples() const {
    const double r = params.number("particle_radius");
    const BoundaryEstimate e = estimate_boundary_samples(*this);
    auto refuse = [&](const std::string& what, double count) {
        throw SceneError(source + ": " + what + " at particle_radius " + std::to_string(r) +
                         " m would make about " + format_count(count) +
                         " boundary samples, more than the limit of " +
                         std::to_string(static_cast<long long>(kMaxBoundarySamples)) +
                         " (a larger particle_radius, or a smaller shape)");
    };
    if (e.walls > kMaxBoundarySamples) refuse("/domain: the domain walls", e.walls);
    double total = e.walls;
    for (std::size_t i = 0; i < e.obstacles.size(); ++i) {
        if (e.obstacles[i] > kMaxBoundarySamples) {
            refuse("/obstacles/" + std::to_string(i) + ": the " + shape_name(obstacles[i]),
                   e.obstacles[i]);
        }
        total += e.obstacles[i];
    }
    for (std::size_t i = 0; i < e.bodies.size(); ++i) {
        if (e.bodies[i] > kMaxBoundarySamples)
            refuse("/bodies/" + std::to_string(i) + ": the body", e.bodies[i]);
        total += e.bodies[i];
    }
    if (total > kMaxBoundarySamples) refuse("the walls, obstacles and bodies together", total);
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
    if (has_control_character(assignment))
        throw SceneError(where + ": expected text without control characters");
    json value;
    DocumentBuilder builder(value);
    if (!parse_json(text, builder)) {
        if (builder.refused()) throw SceneError(where + ": " + builder.refusal());
        value = text;  // not JSON, a bare word: a choice such as solver=wcsph
        try {
            (void)value.dump();  // a JSON string must be UTF-8
        } catch (const json::type_error&) {
            throw SceneError(where + ": expected UTF-8 text");
        }
    }
    params.set(key, value, where);
}

// `emitters/N/velocity=V` or `emitters/N/enabled=true|false`: one emitter's setting. False when
// the assignment is not about an emitter.
bool set_emitter_override(std::vector<EmitterDesc>& emitters, std::string_view assignment) {
    constexpr std::string_view prefix = "emitters/";
    if (assignment.substr(0, prefix.size()) != prefix) return false;
    const std::string where = "--set " + std::string(assignment);
    const auto eq = assignment.find('=');
    const auto slash = assignment.find('/', prefix.size());
    if (eq == std::string_view::npos || slash == std::string_view::npos || slash > eq) {
        throw SceneError(where + ": expected emitters/N/velocity=V or emitters/N/enabled=B");
    }
    const std::string index(assignment.substr(prefix.size(), slash - prefix.size()));
    const std::string key(assignment.substr(slash + 1, eq - slash - 1));
    const std::string text(assignment.substr(eq + 1));
    std::size_t n = 0;
    const bool digits =
        !index.empty() && index.size() < 6 &&
        std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) n = std::stoul(index);
    if (!digits || n >= emitters.size()) {
        throw SceneError(where + ": the scene has " + std::to_string(emitters.size()) +
                         " emitter(s); expected an index below that, found \"" + index + "\"");
    }
    json value;
    DocumentBuilder builder(value);
    const bool parsed = parse_json(text, builder);
    if (key == "velocity") {
        if (!parsed || !value.is_number() || !std::isfinite(value.get<double>()) ||
            value.get<double>() < 0.0 || value.get<double>() > 1.0e3) {
            throw SceneError(where + ": expected a velocity in [0, 1000] m/s, found \"" + text +
                             "\"");
        }
        emitters[n].velocity = value.get<double>();
    } else if (key == "enabled") {
        if (!parsed || !value.is_boolean())
            throw SceneError(where + ": expected true or false, found \"" + text + "\"");
        emitters[n].enabled = value.get<bool>();
    } else {
        throw SceneError(where + ": an emitter's \"velocity\" or \"enabled\" can be set, not \"" +
                         key + "\"");
    }
    return true;
}

// `bodies/N/density=D`, `bodies/N/mass=M`, `bodies/N/fixed=true|false` or
// `bodies/N/velocity=[...]` (its velocity at t = 0, or now in a running simulation): one body's
// setting. False when the assignment is not about a body.
bool set_body_override(std::vector<BodyDesc>& bodies, int dimension, std::string_view assignment) {
    constexpr std::string_view prefix = "bodies/";
    if (assignment.substr(0, prefix.size()) != prefix) return false;
    const std::string where = "--set " + std::string(assignment);
    const auto eq = assignment.find('=');
    const auto slash = assignment.find('/', prefix.size());
    if (eq == std::string_view::npos || slash == std::string_view::npos || slash > eq) {
        throw SceneError(where + ": expected bodies/N/KEY=VALUE (density, mass, fixed, velocity)");
    }
    const std::string index(assignment.substr(prefix.size(), slash - prefix.size()));
    const std::string key(assignment.substr(slash + 1, eq - slash - 1));
    const std::string text(assignment.substr(eq + 1));
    const bool digits =
        !index.empty() && index.size() < 6 &&
        std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; });
    const std::size_t n = digits ? std::stoul(index) : 0;
    if (!digits || n >= bodies.size()) {
        throw SceneError(where + ": the scene has " + std::to_string(bodies.size()) +
                         " body(ies); expected an index below that, found \"" + index + "\"");
    }
    json value;
    DocumentBuilder builder(value);
    const bool parsed = parse_json(text, builder);
    BodyDesc& b = bodies[n];
    auto positive = [&](const char* unit) {
        if (!parsed || !value.is_number() || !std::isfinite(value.get<double>()) ||
            value.get<double>() <= 0.0 || value.get<double>() > 1.0e6) {
            throw SceneError(where + ": expected a number in (0, 1e6] " + unit + ", found \"" +
                             text + "\"");
        }
        return value.get<double>();
    };
    if (key == "density") {
        b.density = positive("kg/m^3");
        b.mass = 0.0;
    } else if (key == "mass") {
        b.mass = positive("kg");
    } else if (key == "fixed") {
        if (!parsed || !value.is_boolean())
            throw SceneError(where + ": expected true or false, found \"" + text + "\"");
        b.fixed = value.get<bool>();
    } else if (key == "velocity") {
        const bool fits = parsed && value.is_array() &&
                          value.size() == static_cast<std::size_t>(dimension) &&
                          std::all_of(value.begin(), value.end(), [](const json& v) {
                              return v.is_number() && std::abs(v.get<double>()) <= 1.0e3;
                          });
        if (!fits) {
            throw SceneError(where + ": expected " + std::to_string(dimension) +
                             " numbers in [-1000, 1000] m/s, found \"" + text + "\"");
        }
        for (int k = 0; k < dimension; ++k)
            b.velocity[k] = value[static_cast<std::size_t>(k)].get<double>();
    } else {
        throw SceneError(where + ": a body's \"density\", \"mass\", \"fixed\" or \"velocity\" " +
                         "can be set, not \"" + key + "\"");
    }
    return true;
}

}  // namespace

void Scene::apply_overrides(std::span<const std::string> assignments) {
    if (assignments.empty()) return;  // parse_scene has validated the scene as it stands
    for (const std::string& assignment : assignments)
        apply_one_override(assignment);
    validate();
}

void Scene::apply_override(std::string_view assignment) {
    apply_one_override(assignment);
    validate();
}

void Scene::apply_one_override(std::string_view assignment) {
    if (set_emitter_override(emitters, assignment)) return;
    if (set_body_override(bodies, dimension, assignment)) return;
    set_override(params, assignment);
}

std::string read_file_bytes(const std::string& path, std::size_t limit) {
    // The system's reason ("No such file or directory", "Too many levels of symbolic links"):
    // a folder opens as a stream and only fails to read, so it is looked at first.
    auto refuse = [&](const std::string& what, std::error_code ec) {
        throw SceneError(path + ": " + what + ": " + ec.message());
    };
    auto system_reason = [] {
        return std::error_code(errno != 0 ? errno : EIO, std::generic_category());
    };
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec) refuse("cannot open the file", ec);
    if (std::filesystem::is_directory(status))
        refuse("cannot open the file", std::make_error_code(std::errc::is_a_directory));
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) refuse("cannot open the file", system_reason());
    // Read at most one byte over the limit: a device or a huge file is refused, not read whole.
    std::string bytes;
    std::vector<char> chunk(1 << 16);
    while (in && bytes.size() <= limit) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        bytes.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) refuse("cannot read the file", system_reason());
    if (bytes.size() > limit) {
        throw SceneError(path + ": the file is larger than the limit of " + std::to_string(limit) +
                         " bytes");
    }
    return bytes;
}

Scene load_scene_file(const std::string& path) {
    const std::string text = read_file_bytes(path, kMaxSceneFileBytes);
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    const FileReader files = [&](const std::string& name) {
        return read_file_bytes((folder / name).string(), kMaxMeshFileBytes);
    };
    return parse_scene(text, path, files);
}

std::vector<std::string> files_named_by_scene(std::string_view json_text) {
    std::vector<std::string> files;
    if (json_text.size() > kMaxSceneFileBytes) return files;
    json root;
    DocumentBuilder builder(root);
    if (!parse_json(json_text, builder) || !root.is_object()) return files;
    for (const char* list : {"fluid", "obstacles", "outlets", "bodies"}) {
        auto it = root.find(list);
        if (it == root.end() || !it->is_array()) continue;
        for (const json& shape : *it) {
            if (!shape.is_object()) continue;
            auto file = shape.find("file");
            if (file != shape.end() && file->is_string()) files.push_back(file->get<std::string>());
        }
    }
    return files;
}

}  // namespace flume
