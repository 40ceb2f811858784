#include "glfw_input.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

#include "app/app.hpp"

namespace flume {

namespace {

App* app_of(GLFWwindow* window) {
    return static_cast<App*>(glfwGetWindowUserPointer(window));
}

void on_mouse_button(GLFWwindow* window, int button, int action, int mods) {
    double x, y;
    glfwGetCursorPos(window, &x, &y);
    const int mapped = button == GLFW_MOUSE_BUTTON_LEFT    ? 0
                       : button == GLFW_MOUSE_BUTTON_RIGHT ? 1
                                                           : 2;
    app_of(window)->mouse_button(mapped, action == GLFW_PRESS, glm::vec2(x, y),
                                 (mods & GLFW_MOD_SHIFT) != 0);
}

void on_cursor(GLFWwindow* window, double x, double y) {
    app_of(window)->mouse_move(glm::vec2(x, y));
}

void on_scroll(GLFWwindow* window, double, double dy) {
    app_of(window)->scroll(static_cast<float>(dy));
}

void on_key(GLFWwindow* window, int key, int, int action, int) {
    if (action != GLFW_PRESS || ImGui::GetIO().WantCaptureKeyboard) return;
    std::optional<Key> k;
    switch (key) {
        case GLFW_KEY_SPACE:
            k = Key::Space;
            break;
        case GLFW_KEY_S:
            k = Key::S;
            break;
        case GLFW_KEY_R:
            k = Key::R;
            break;
        case GLFW_KEY_H:
            k = Key::H;
            break;
        case GLFW_KEY_P:
            k = Key::P;
            break;
        case GLFW_KEY_V:
            k = Key::V;
            break;
        case GLFW_KEY_C:
            k = Key::C;
            break;
        case GLFW_KEY_F1:
            k = Key::F1;
            break;
        case GLFW_KEY_ESCAPE:
            k = Key::Escape;
            break;
        default:
            break;
    }
    if (k) app_of(window)->key(*k);
}

void on_drop(GLFWwindow* window, int count, const char** paths) {
    app_of(window)->drop_files(std::vector<std::string>(paths, paths + count));
}

}  // namespace

void install_glfw_input(GLFWwindow* window, App& app) {
    glfwSetWindowUserPointer(window, &app);
    glfwSetMouseButtonCallback(window, on_mouse_button);
    glfwSetCursorPosCallback(window, on_cursor);
    glfwSetScrollCallback(window, on_scroll);
    glfwSetKeyCallback(window, on_key);
    glfwSetDropCallback(window, on_drop);
}

}  // namespace flume
