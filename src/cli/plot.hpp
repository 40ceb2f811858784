// A small line plot written as PNG: a validation report's simulated curve against its reference
// points, with axes, ticks, labels and a legend. No Python or plotting library at run time: text
// comes from stb_easy_font and the file from stb_image_write (Debian's libstb-dev).
#pragma once

#include <string>

#include "validation/validation.hpp"

namespace flume {

// Writes the plot of `report` to `path` (PNG). Throws OutputError if the file cannot be written.
void write_validation_plot(const ValidationReport& report, const std::string& path);

}  // namespace flume
