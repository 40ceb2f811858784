#include "image.hpp"

#include <stb/stb_image_write.h>

#include <stdexcept>

namespace flume {

void write_png(const std::string& path, const RgbaImage& image) {
    if (!stbi_write_png(path.c_str(), image.size.x, image.size.y, 4, image.pixels.data(),
                        image.size.x * 4)) {
        throw std::runtime_error(path + ": cannot write the screenshot");
    }
}

}  // namespace flume
