#include "image.hpp"

#include <stb/stb_image_write.h>

#include <span>
#include <vector>

#include "io/output_file.hpp"

namespace flume {

void write_png(const std::string& path, const RgbaImage& image) {
    // Encoded in memory and written through write_output_file: stbi_write_png reports success
    // whatever fwrite and fclose say, so a full disk would pass for a written screenshot.
    std::vector<unsigned char> png;
    auto append = [](void* context, void* data, int size) {
        auto* out = static_cast<std::vector<unsigned char>*>(context);
        const auto* bytes = static_cast<const unsigned char*>(data);
        out->insert(out->end(), bytes, bytes + size);
    };
    if (!stbi_write_png_to_func(append, &png, image.size.x, image.size.y, 4, image.pixels.data(),
                                image.size.x * 4)) {
        throw OutputError(path + ": cannot encode the screenshot");
    }
    write_output_file(path, png);
}

}  // namespace flume
