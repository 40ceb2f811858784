#include "ui_settings.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

namespace flume {

std::string format_ui_settings(const UiSettings& settings) {
    return nlohmann::json{{"panel_collapsed", settings.panel_collapsed}}.dump(2) + "\n";
}

UiSettings parse_ui_settings(std::string_view text) {
    UiSettings settings;
    const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
    if (!json.is_object()) return settings;
    if (auto it = json.find("panel_collapsed"); it != json.end() && it->is_boolean())
        settings.panel_collapsed = it->get<bool>();
    return settings;
}

std::filesystem::path ui_settings_path(const char* xdg_config_home, const char* home,
                                       const char* appdata) {
    const std::filesystem::path file = std::filesystem::path("flume") / "settings.json";
    // XDG wants an absolute path; a relative one is to be ignored.
    if (xdg_config_home && std::filesystem::path(xdg_config_home).is_absolute())
        return xdg_config_home / file;
    if (appdata && *appdata) return appdata / file;
    if (home && *home) return std::filesystem::path(home) / ".config" / file;
    return {};
}

UiSettings read_ui_settings_file(const std::filesystem::path& path) {
    if (path.empty()) return {};
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream text;
    text << in.rdbuf();
    return parse_ui_settings(text.str());
}

std::string write_ui_settings_file(const std::filesystem::path& path, const UiSettings& settings) {
    if (path.empty()) return "no folder for settings (neither XDG_CONFIG_HOME nor HOME is set)";
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) return "cannot create " + path.parent_path().string() + ": " + error.message();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << format_ui_settings(settings);
    out.close();
    if (!out) return "cannot write " + path.string();
    return {};
}

}  // namespace flume
