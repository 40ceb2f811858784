#include "plot.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "io/output_file.hpp"

// Debian's libstb-dev headers: stb_easy_font is header-only (static functions); stb_image_write's
// implementation is compiled here, static, so it cannot clash with another copy.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#include <stb/stb_easy_font.h>
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace flume {

namespace {

using Rgb = std::array<std::uint8_t, 3>;
constexpr Rgb kBlack{30, 30, 30}, kGrey{215, 215, 215}, kBlue{31, 119, 180}, kRed{214, 39, 40};

class Canvas {
  public:
    Canvas(int width, int height) : w_(width), h_(height), pixels_(3u * width * height, 255) {}

    void set(int x, int y, const Rgb& c) {
        if (x < 0 || y < 0 || x >= w_ || y >= h_) return;
        std::uint8_t* p = &pixels_[3u * (static_cast<unsigned>(y) * w_ + x)];
        p[0] = c[0], p[1] = c[1], p[2] = c[2];
    }
    void fill(int x0, int y0, int x1, int y1, const Rgb& c) {
        for (int y = std::min(y0, y1); y <= std::max(y0, y1); ++y)
            for (int x = std::min(x0, x1); x <= std::max(x0, x1); ++x)
                set(x, y, c);
    }
    // A line `thickness` pixels wide (square brush), Bresenham-style stepping.
    void line(double x0, double y0, double x1, double y1, const Rgb& c, int thickness) {
        const double length = std::max(std::abs(x1 - x0), std::abs(y1 - y0));
        const int steps = std::max(1, static_cast<int>(std::ceil(length)));
        const int half = thickness / 2;
        for (int s = 0; s <= steps; ++s) {
            const double t = static_cast<double>(s) / steps;
            const int x = static_cast<int>(std::lround(x0 + t * (x1 - x0)));
            const int y = static_cast<int>(std::lround(y0 + t * (y1 - y0)));
            fill(x - half, y - half, x - half + thickness - 1, y - half + thickness - 1, c);
        }
    }
    void circle(double cx, double cy, double radius, const Rgb& c) {
        for (int y = static_cast<int>(cy - radius); y <= static_cast<int>(cy + radius) + 1; ++y)
            for (int x = static_cast<int>(cx - radius); x <= static_cast<int>(cx + radius) + 1;
                 ++x) {
                const double d = std::hypot(x - cx, y - cy);
                if (d <= radius && d >= radius - 2.0) set(x, y, c);
            }
    }
    // Text at (x, y) top-left, stb_easy_font glyphs scaled by `scale`.
    void text(int x, int y, const std::string& s, const Rgb& c, int scale = 2) {
        std::vector<char> buffer(s.size() * 300 + 64);
        std::vector<char> str(s.begin(), s.end());
        str.push_back('\0');
        unsigned char color[4] = {c[0], c[1], c[2], 255};
        const int quads = stb_easy_font_print(0.0f, 0.0f, str.data(), color, buffer.data(),
                                              static_cast<int>(buffer.size()));
        const float* v = reinterpret_cast<const float*>(buffer.data());
        const float k = static_cast<float>(scale);
        for (int q = 0; q < quads; ++q) {
            // 4 vertices of 16 bytes (x, y, z, rgba) per quad; axis-aligned.
            const float* a = v + q * 16;
            const float* b = a + 8;
            fill(x + static_cast<int>(a[0] * k), y + static_cast<int>(a[1] * k),
                 x + static_cast<int>(b[0] * k) - 1, y + static_cast<int>(b[1] * k) - 1, c);
        }
    }
    static int text_width(const std::string& s, int scale = 2) {
        std::vector<char> str(s.begin(), s.end());
        str.push_back('\0');
        return stb_easy_font_width(str.data()) * scale;
    }
    // Encoded in memory, written through write_output_file: stbi_write_png reports success
    // whatever fwrite and fclose say.
    void write_png(const std::string& path) const {
        int size = 0;
        unsigned char* png = stbi_write_png_to_mem(pixels_.data(), w_ * 3, w_, h_, 3, &size);
        if (!png) throw OutputError(path + ": cannot encode the PNG image");
        const std::unique_ptr<unsigned char, void (*)(void*)> owned(png, std::free);
        write_output_file(path, std::span(png, static_cast<std::size_t>(size)));
    }

  private:
    int w_, h_;
    std::vector<std::uint8_t> pixels_;
};

// Round tick spacing (1, 2 or 5 x 10^k) for about `target` ticks over [lo, hi].
double tick_step(double lo, double hi, int target) {
    const double raw = (hi - lo) / target;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw) return m * magnitude;
    return 10.0 * magnitude;
}

std::string tick_label(double value, double step) {
    char buffer[32];
    const int decimals = step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

}  // namespace

void write_validation_plot(const ValidationReport& report, const std::string& path) {
    constexpr int kWidth = 900, kHeight = 600;
    constexpr int kLeft = 100, kRight = 30, kTop = 60, kBottom = 80;
    Canvas canvas(kWidth, kHeight);

    double x_lo = 0.0, x_hi = 0.0, y_lo = 0.0, y_hi = 0.0;
    bool first = true;
    for (const Series* s : {&report.simulated, &report.reference}) {
        for (std::size_t k = 0; k < s->x.size(); ++k) {
            if (!std::isfinite(s->x[k]) || !std::isfinite(s->y[k])) continue;
            if (first) x_lo = x_hi = s->x[k], y_lo = y_hi = s->y[k], first = false;
            x_lo = std::min(x_lo, s->x[k]), x_hi = std::max(x_hi, s->x[k]);
            y_lo = std::min(y_lo, s->y[k]), y_hi = std::max(y_hi, s->y[k]);
        }
    }
    x_lo = std::min(x_lo, 0.0), y_lo = std::min(y_lo, 0.0);
    if (x_hi <= x_lo) x_hi = x_lo + 1.0;
    if (y_hi <= y_lo) y_hi = y_lo + 1.0;
    const double xs = tick_step(x_lo, x_hi, 8), ys = tick_step(y_lo, y_hi, 6);
    x_hi = std::ceil(x_hi / xs) * xs, y_hi = std::ceil(y_hi / ys) * ys;

    const int plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
    auto px = [&](double x) { return kLeft + (x - x_lo) / (x_hi - x_lo) * plot_w; };
    auto py = [&](double y) { return kTop + plot_h - (y - y_lo) / (y_hi - y_lo) * plot_h; };

    // Grid, ticks and tick labels.
    for (double x = x_lo; x <= x_hi + 1e-9 * xs; x += xs) {
        const int X = static_cast<int>(std::lround(px(x)));
        canvas.fill(X, kTop, X, kTop + plot_h, kGrey);
        const std::string label = tick_label(x, xs);
        canvas.text(X - Canvas::text_width(label) / 2, kTop + plot_h + 10, label, kBlack);
    }
    for (double y = y_lo; y <= y_hi + 1e-9 * ys; y += ys) {
        const int Y = static_cast<int>(std::lround(py(y)));
        canvas.fill(kLeft, Y, kLeft + plot_w, Y, kGrey);
        const std::string label = tick_label(y, ys);
        canvas.text(kLeft - 10 - Canvas::text_width(label), Y - 6, label, kBlack);
    }
    canvas.fill(kLeft, kTop, kLeft + 1, kTop + plot_h, kBlack);
    canvas.fill(kLeft, kTop + plot_h - 1, kLeft + plot_w, kTop + plot_h, kBlack);

    // Axis labels and title.
    canvas.text(kLeft + plot_w / 2 - Canvas::text_width(report.x_label) / 2, kHeight - 40,
                report.x_label, kBlack);
    canvas.text(10, kTop - 30, report.y_label, kBlack);
    const std::string title =
        report.name + ": " + (report.passed ? "PASS" : "FAIL") + " - " + report.title;
    canvas.text(10, 10, title, kBlack, title.size() > 70 ? 1 : 2);

    // Simulated curve, reference points.
    const Series& sim = report.simulated;
    for (std::size_t k = 1; k < sim.x.size(); ++k) {
        if (!std::isfinite(sim.y[k - 1]) || !std::isfinite(sim.y[k])) continue;
        canvas.line(px(sim.x[k - 1]), py(sim.y[k - 1]), px(sim.x[k]), py(sim.y[k]), kBlue, 3);
    }
    const Series& ref = report.reference;
    const bool points = ref.x.size() > 2;
    for (std::size_t k = 0; k < ref.x.size(); ++k) {
        if (points) {
            canvas.circle(px(ref.x[k]), py(ref.y[k]), 6.0, kRed);
        } else if (k > 0) {
            canvas.line(px(ref.x[k - 1]), py(ref.y[k - 1]), px(ref.x[k]), py(ref.y[k]), kRed, 2);
        }
    }

    // Legend, top left inside the plot.
    const int lx = kLeft + 20, ly = kTop + 15;
    canvas.line(lx, ly + 6, lx + 30, ly + 6, kBlue, 3);
    canvas.text(lx + 40, ly, sim.label, kBlack);
    if (points) {
        canvas.circle(lx + 15, ly + 36, 6.0, kRed);
    } else {
        canvas.line(lx, ly + 36, lx + 30, ly + 36, kRed, 2);
    }
    canvas.text(lx + 40, ly + 30, ref.label, kBlack);
    canvas.write_png(path);
}

}  // namespace flume
