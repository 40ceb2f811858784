// How 3D scenes are drawn, and the views' names: one table for the desktop's --view, the
// browser's ?view= (which the page passes on as --view), the View panel and the page's
// window.flume.view.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flume {

// The fluid surface, particles, or one of the surface's buffers.
enum class ViewMode { Surface, Particles, Depth, SmoothedDepth, Normals, Thickness };

// By ViewMode: the command line's names (--view smoothed-depth).
inline constexpr const char* kViewModeNames[] = {"surface",        "particles", "depth",
                                                 "smoothed-depth", "normals",   "thickness"};

inline std::string_view view_mode_name(ViewMode mode) {
    return kViewModeNames[static_cast<int>(mode)];
}

// The view that `name` names, in any case: one of kViewModeNames, or "smoothed depth", the
// spelling that the browser took until both used this table (docs/apps.md gave it for ?view=,
// so links made with it keep working). Nothing for any other name.
std::optional<ViewMode> parse_view_mode(std::string_view name);

// The names, "surface, particles, ...", for help and error messages.
std::string view_mode_list();

}  // namespace flume
