// JsonReader: reads the values of a parsed JSON document (a scene) with messages that name the
// document and the value's JSON path, "SOURCE: /fluid/0/min/1: expected ..., found ...", and
// throw SceneError. The scene loader (scene.cpp) reads with it, and so does the probes' parser
// (probes.cpp): one wording for the same mistake wherever it is made.
#pragma once

#include <glm/glm.hpp>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>

namespace flume {

// Whether `s` has a control character (below 32, or 127): no place in a scene's strings (names
// end up in file names and messages; a NUL would cut a path short).
bool has_control_character(std::string_view s);

class JsonReader {
  public:
    // The largest size of a coordinate that numbers(..., bounded) accepts.
    static constexpr double kCoordinateLimit = 1.0e6;

    explicit JsonReader(std::string source) : source_(std::move(source)) {}

    const std::string& source() const { return source_; }

    // Throws SceneError("SOURCE: PATH: MESSAGE"), PATH "/" for the document's root ("").
    [[noreturn]] void fail(const std::string& path, const std::string& message) const;

    void require_object(const nlohmann::json& j, const std::string& path) const;

    // Refuses keys not in `allowed`, suggesting the closest one.
    void check_keys(const nlohmann::json& j, const std::string& path,
                    std::span<const std::string_view> allowed) const;

    // The member `key` of the object j (at `path`), or a "missing required key" error.
    const nlohmann::json& member(const nlohmann::json& j, const std::string& path,
                                 const char* key) const;

    // A string, whatever it holds.
    const std::string& string(const nlohmann::json& j, const std::string& path) const;

    // A string without control characters (a tab, line break or NUL).
    std::string text(const nlohmann::json& j, const std::string& path) const;

    // A finite number in [lo, hi].
    double number(const nlohmann::json& j, const std::string& path, double lo, double hi) const;

    // An array of `count` (1 to 3) finite numbers, into x, y, z in order (the rest 0); with
    // `bounded`, each within [-kCoordinateLimit, kCoordinateLimit].
    glm::dvec3 numbers(const nlohmann::json& j, const std::string& path, int count,
                       bool bounded) const;

  private:
    std::string source_;
};

}  // namespace flume
