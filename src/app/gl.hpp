// The OpenGL API for the app: glad (OpenGL 3.3 core) on the desktop, OpenGL ES 3.0 (WebGL 2) in
// the browser. The app uses only calls that exist in both.
#pragma once

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#else
#include <glad/gl.h>
#endif
