// Trigonometry that gives the same bits on every platform. The C library's sin, cos and atan2
// differ in their last bit between glibc (native) and musl (Emscripten); these use only
// + - * / and sqrt, which IEEE 754 rounds exactly, so scene geometry built with them is
// bit-identical natively and in wasm. Accurate to a few units in the last place: for geometry,
// never for the time step.
#pragma once

#include <cmath>

#include <glm/glm.hpp>

namespace flume::portable {

inline constexpr double kPi = 3.14159265358979323846;

// Taylor series of sin and cos on |x| <= pi/4, where 12 terms are below double rounding.
inline double sin_reduced(double x) {
    const double x2 = x * x;
    double term = x, sum = x;
    for (int n = 1; n < 12; ++n) {
        term *= -x2 / ((2.0 * n) * (2.0 * n + 1.0));
        sum += term;
    }
    return sum;
}

inline double cos_reduced(double x) {
    const double x2 = x * x;
    double term = 1.0, sum = 1.0;
    for (int n = 1; n < 12; ++n) {
        term *= -x2 / ((2.0 * n - 1.0) * (2.0 * n));
        sum += term;
    }
    return sum;
}

// sin and cos of an angle in degrees; exact at multiples of 90 degrees.
inline glm::dvec2 sin_cos_degrees(double degrees) {
    double d = std::fmod(degrees, 360.0);  // fmod is exact
    if (d < 0.0) d += 360.0;
    const int quadrant = static_cast<int>(std::floor((d + 45.0) / 90.0)) % 4;
    const double x = (d - 90.0 * std::floor((d + 45.0) / 90.0)) * (kPi / 180.0);
    const double s = sin_reduced(x), c = cos_reduced(x);
    switch (quadrant) {
        case 0:
            return {s, c};
        case 1:
            return {c, -s};
        case 2:
            return {-s, -c};
        default:
            return {-c, s};
    }
}

// atan(t) for |t| <= 1: two argument halvings bring |t| below 0.2, then the series.
inline double atan_reduced(double t) {
    for (int i = 0; i < 2; ++i)
        t = t / (1.0 + std::sqrt(1.0 + t * t));
    const double t2 = t * t;
    double term = t, sum = t;
    for (int n = 1; n < 14; ++n) {
        term *= -t2;
        sum += term / (2.0 * n + 1.0);
    }
    return 4.0 * sum;
}

// The angle of (x, y) in (-pi, pi], as std::atan2.
inline double atan2(double y, double x) {
    if (x == 0.0 && y == 0.0) return 0.0;
    const double ax = std::abs(x), ay = std::abs(y);
    double a = ay <= ax ? atan_reduced(ay / ax) : kPi / 2.0 - atan_reduced(ax / ay);
    if (x < 0.0) a = kPi - a;
    return y < 0.0 ? -a : a;
}

// The rotation by `degrees` about the unit vector `axis` (Rodrigues' formula).
inline glm::dmat3 rotation(const glm::dvec3& axis, double degrees) {
    const glm::dvec2 sc = sin_cos_degrees(degrees);
    const glm::dvec3 u = axis;
    const glm::dmat3 cross(0.0, u.z, -u.y, -u.z, 0.0, u.x, u.y, -u.x, 0.0);  // columns
    return glm::dmat3(1.0) + sc[0] * cross + (1.0 - sc[1]) * (cross * cross);
}

}  // namespace flume::portable
