#include "app/view_mode.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace flume {

namespace {

bool same_ignoring_case(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

}  // namespace

std::optional<ViewMode> parse_view_mode(std::string_view name) {
    for (int m = 0; m < static_cast<int>(std::size(kViewModeNames)); ++m) {
        if (same_ignoring_case(name, kViewModeNames[m])) return static_cast<ViewMode>(m);
    }
    if (same_ignoring_case(name, "smoothed depth")) return ViewMode::SmoothedDepth;
    return std::nullopt;
}

std::string view_mode_list() {
    std::string list;
    for (const char* name : kViewModeNames)
        list += (list.empty() ? "" : ", ") + std::string(name);
    return list;
}

}  // namespace flume
