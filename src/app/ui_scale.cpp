#include "ui_scale.hpp"

#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cmath>

namespace flume {

void apply_ui_scale(const UiScale& scale, bool rebuild_texture) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    ImFontConfig font;
    // ImGui's default font is drawn for 13 px; between 8 and 64 px whatever the screen says.
    font.SizePixels = std::clamp(std::round(13.0f * scale.content), 8.0f, 64.0f);
    io.Fonts->AddFontDefault(&font);
    io.FontGlobalScale = 1.0f / scale.pixel_ratio;
    ImGuiStyle& style = ImGui::GetStyle();
    style = ImGuiStyle();
    ImGui::StyleColorsDark(&style);
    style.ScaleAllSizes(scale.ui());
    if (rebuild_texture) {
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
}

}  // namespace flume
