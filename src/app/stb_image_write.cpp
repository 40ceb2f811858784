// The implementation of Debian's stb_image_write.h (libstb-dev), compiled once for the app, so
// that the native and the wasm build use the same code.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
