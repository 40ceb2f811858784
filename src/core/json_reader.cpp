#include "core/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/parameters.hpp"

namespace flume {

using nlohmann::json;

bool has_control_character(std::string_view s) {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 32 || c == 127; });
}

void JsonReader::fail(const std::string& path, const std::string& message) const {
    throw SceneError(source_ + ": " + (path.empty() ? "/" : path) + ": " + message);
}

void JsonReader::require_object(const json& j, const std::string& path) const {
    if (!j.is_object()) fail(path, "expected an object, found " + describe_json(j));
}

void JsonReader::check_keys(const json& j, const std::string& path,
                            std::span<const std::string_view> allowed) const {
    for (const auto& [key, value] : j.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        std::string msg = "unknown key \"" + key + "\"";
        if (auto near = closest_match(key, allowed)) msg += " (did you mean \"" + *near + "\"?)";
        fail(path + "/" + key, msg);
    }
}

const json& JsonReader::member(const json& j, const std::string& path, const char* key) const {
    auto it = j.find(key);
    if (it == j.end()) fail(path, std::string("missing required key \"") + key + "\"");
    return *it;
}

const std::string& JsonReader::string(const json& j, const std::string& path) const {
    if (!j.is_string()) fail(path, "expected a string, found " + describe_json(j));
    return j.get_ref<const std::string&>();
}

std::string JsonReader::text(const json& j, const std::string& path) const {
    const std::string& s = string(j, path);
    if (has_control_character(s)) {
        fail(path, "expected text without control characters (a tab, line break or NUL), found " +
                       j.dump(-1, ' ', false, json::error_handler_t::replace));
    }
    return s;
}

double JsonReader::number(const json& j, const std::string& path, double lo, double hi) const {
    if (!j.is_number() || !std::isfinite(j.get<double>()) || j.get<double>() < lo ||
        j.get<double>() > hi) {
        fail(path, "expected a number in [" + format_number(lo) + ", " + format_number(hi) +
                       "], found " + describe_json(j));
    }
    return j.get<double>();
}

glm::dvec3 JsonReader::numbers(const json& j, const std::string& path, int count,
                               bool bounded) const {
    if (!j.is_array() || j.size() != static_cast<std::size_t>(count)) {
        fail(path, "expected an array of " + std::to_string(count) + " numbers, found " +
                       describe_json(j));
    }
    glm::dvec3 p(0.0);
    for (int k = 0; k < count; ++k) {
        const json& e = j[static_cast<std::size_t>(k)];
        if (!e.is_number() || !std::isfinite(e.get<double>()) ||
            (bounded && std::abs(e.get<double>()) > kCoordinateLimit)) {
            fail(path + "/" + std::to_string(k),
                 bounded ? "expected a number in [-1e6, 1e6], found " + describe_json(e)
                         : "expected a number, found " + describe_json(e));
        }
        p[k] = e.get<double>();
    }
    return p;
}

}  // namespace flume
