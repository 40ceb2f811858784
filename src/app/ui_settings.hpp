// What the app remembers between runs: whether the panel is collapsed to a strip. Kept as a
// small JSON object, {"panel_collapsed": true}, that the platforms store where they can: the
// desktop in a file in the user's configuration folder (ui_settings_path), the browser in the
// page's localStorage. Text that is missing or unreadable gives the defaults: a bad settings file
// never stops the app.
//
//   UiSettings s = read_ui_settings_file(path);   // at start
//   write_ui_settings_file(path, s);              // when the user changes one
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace flume {

struct UiSettings {
    bool panel_collapsed = false;  // the panel shown as a strip at the left
};

std::string format_ui_settings(const UiSettings& settings);
// The defaults for anything missing or of the wrong type, and for text that is no JSON object.
UiSettings parse_ui_settings(std::string_view text);

// Where the desktop keeps them: $XDG_CONFIG_HOME/flume/settings.json, else
// $HOME/.config/flume/settings.json (on Windows %APPDATA%\flume\settings.json). Arguments are the
// variables' values, null when unset; an empty path when none is set (then nothing is kept).
std::filesystem::path ui_settings_path(const char* xdg_config_home, const char* home,
                                       const char* appdata = nullptr);

// The defaults when the file is missing or unreadable.
UiSettings read_ui_settings_file(const std::filesystem::path& path);
// Creates the folder if needed. Returns the error, empty when written.
std::string write_ui_settings_file(const std::filesystem::path& path, const UiSettings& settings);

}  // namespace flume
