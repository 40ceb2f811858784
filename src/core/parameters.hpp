// Simulation parameters, declared once.
//
// Every scene parameter is declared in one table (parameters.cpp) with its key, kind, default,
// range and description. The scene loader, `--set` overrides, `flume-cli params` and the apps'
// panels all iterate over these declarations: no parameter is spelled out twice.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace flume {

enum class ParamKind {
    Real,     // a number in [min, max]
    Integer,  // an integral number in [min, max]
    Bool,
    Choice,  // one of `choices`, by name
    Vector,  // `dimension` numbers, each in [min, max]
};

struct ParamDecl {
    std::string_view key;
    std::string_view group;  // for UIs: "fluid", "solver", "time", ...
    ParamKind kind;
    std::string_view description;
    std::string_view unit = "";
    double min = 0.0;
    double max = 0.0;
    bool min_exclusive = false;   // (min, max] instead of [min, max]
    bool allows_auto = false;     // accepts "auto": the simulation derives the value
    double default_number = 0.0;  // Real, Integer; Vector: the y component, the others 0
    bool default_bool = false;
    std::string_view default_choice = "";
    std::vector<std::string_view> choices = {};
    bool live = false;  // can change while running; otherwise applied on reset
};

// Automatic value ("auto" in a scene file), for parameters declared with allows_auto.
struct AutoValue {
    bool operator==(const AutoValue&) const = default;
};

using ParamValue = std::variant<double, bool, std::string, std::vector<double>, AutoValue>;

std::span<const ParamDecl> parameter_declarations();
const ParamDecl* find_parameter(std::string_view key);

// The closest of `candidates` to `word` by edit distance, if reasonably close.
std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates);

// Values of every declared parameter, starting from the defaults.
class ParameterSet {
  public:
    explicit ParameterSet(int dimension);

    int dimension() const { return dimension_; }

    // Validates `value` against the declaration of `key` and stores it. `where` names the source
    // and path for messages ("scene.json: /viscosity"). Throws SceneError.
    void set(std::string_view key, const nlohmann::json& value, const std::string& where);

    const ParamValue& get(std::string_view key) const;
    double number(std::string_view key) const;
    bool boolean(std::string_view key) const;
    const std::string& choice(std::string_view key) const;
    const std::vector<double>& vector(std::string_view key) const;
    bool is_auto(std::string_view key) const;

    // The value as JSON (for writing scenes back and for UIs).
    nlohmann::json to_json(std::string_view key) const;

  private:
    int dimension_;
    std::vector<ParamValue> values_;  // parallel to parameter_declarations()
};

// Human-readable description of a JSON value's type, for error messages ("a string", "1.5").
std::string describe_json(const nlohmann::json& value);

// A number as JSON writes it, the shortest text that reads back to it ("0.05", "1e-06").
std::string format_number(double v);

}  // namespace flume
