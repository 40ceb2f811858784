// An RGBA image in memory (a screenshot), and writing one to a PNG file.
#pragma once

#include <glm/glm.hpp>
#include <string>
#include <vector>

namespace flume {

struct RgbaImage {
    glm::ivec2 size{0, 0};
    std::vector<unsigned char> pixels;  // 4 bytes a pixel, the top row first
};

// Throws OutputError (io/output_file.hpp), naming the path and the reason, when the file cannot
// be written whole.
void write_png(const std::string& path, const RgbaImage& image);

}  // namespace flume
