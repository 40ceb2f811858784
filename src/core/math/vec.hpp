// Vector types and small numeric helpers shared by the whole core.
//
// Every quantity is single precision. Only IEEE-exact operations (+ - * / sqrt) appear in the
// simulation path, always in a fixed order, so a state is bit-identical natively and in wasm.
#pragma once

#include <cstdint>
#include <cstring>
#include <glm/glm.hpp>

namespace flume {

template <int D>
using Vec = glm::vec<D, float, glm::defaultp>;

template <int D>
using IVec = glm::vec<D, std::int32_t, glm::defaultp>;

inline constexpr double kPi = 3.14159265358979323846;

// The first D components of a double-precision point (scene geometry) in single precision.
template <int D>
inline Vec<D> to_vec(const glm::dvec3& p) {
    Vec<D> v;
    for (int k = 0; k < D; ++k)
        v[k] = static_cast<float>(p[k]);
    return v;
}

// A point in double precision, z = 0 in 2D: the inverse of to_vec.
template <int D>
inline glm::dvec3 to_dvec3(const Vec<D>& x) {
    glm::dvec3 p(0.0);
    for (int k = 0; k < D; ++k)
        p[k] = x[k];
    return p;
}

template <int D>
inline float dot(const Vec<D>& a, const Vec<D>& b) {
    float s = a[0] * b[0];
    for (int k = 1; k < D; ++k)
        s += a[k] * b[k];
    return s;
}

template <int D>
inline float length_squared(const Vec<D>& a) {
    return dot<D>(a, a);
}

// The bit pattern of a float (std::bit_cast is missing from Emscripten 3.1.6's libc++).
inline std::uint32_t float_bits(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

// The float of a bit pattern (float_bits' inverse).
inline float float_of_bits(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// Integer powers by repeated multiplication: std::pow may differ between libms.
inline float pow7(float x) {
    const float x2 = x * x;
    const float x3 = x2 * x;
    return x3 * x3 * x;
}

}  // namespace flume
