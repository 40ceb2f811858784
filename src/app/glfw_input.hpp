// Forwards a GLFW window's input events to the App: the same for the desktop and the browser
// (Emscripten's GLFW). Call before the ImGui GLFW backend is initialised, which chains to these.
//
//   install_glfw_input(window, app);   // the window's user pointer becomes &app
#pragma once

struct GLFWwindow;

namespace flume {

class App;

void install_glfw_input(GLFWwindow* window, App& app);

}  // namespace flume
