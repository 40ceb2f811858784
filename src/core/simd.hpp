// Four floats, one per lane: the few operations the SPH pair sums need, on SSE2 (x86-64), on
// wasm SIMD128 (Emscripten maps the SSE2 intrinsics onto it; built with -msse2 -msimd128) or on
// plain floats elsewhere. Every operation is IEEE-exact per lane (+ - * / sqrt, compare, select,
// no fused multiply-add, no approximate reciprocal), so all three give the same bits: a pair sum
// taken four neighbours at a time is as reproducible as a scalar one.
//
//   F4 r = sqrt(dx * dx + dy * dy);
//   F4 w = select(r < F4(h), f(r), F4(0.0f));
//   float total = w.sum();  // (lane 0 + lane 1) + (lane 2 + lane 3)
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#define FLUME_SIMD_SSE 1
#else
#define FLUME_SIMD_SSE 0
#endif

// On the pair-term lambdas of the four-wide sums: clang (Emscripten) left them out of line, a
// call per group of four with the terms returned through memory (forces 1.6x native in wasm).
#define FLUME_ALWAYS_INLINE __attribute__((always_inline))

namespace flume {

#if FLUME_SIMD_SSE

struct F4 {
    __m128 v;

    F4() : v(_mm_setzero_ps()) {}
    explicit F4(float s) : v(_mm_set1_ps(s)) {}
    F4(__m128 m) : v(m) {}  // NOLINT(google-explicit-constructor): the native type
    F4(float a, float b, float c, float d) : v(_mm_setr_ps(a, b, c, d)) {}

    friend F4 operator+(F4 a, F4 b) { return _mm_add_ps(a.v, b.v); }
    friend F4 operator-(F4 a, F4 b) { return _mm_sub_ps(a.v, b.v); }
    friend F4 operator*(F4 a, F4 b) { return _mm_mul_ps(a.v, b.v); }
    friend F4 operator/(F4 a, F4 b) { return _mm_div_ps(a.v, b.v); }
    friend F4 sqrt(F4 a) { return _mm_sqrt_ps(a.v); }
    // Comparisons give lane masks (all bits set or clear), for select and &.
    friend F4 operator<(F4 a, F4 b) { return _mm_cmplt_ps(a.v, b.v); }
    friend F4 operator<=(F4 a, F4 b) { return _mm_cmple_ps(a.v, b.v); }
    friend F4 operator>(F4 a, F4 b) { return _mm_cmpgt_ps(a.v, b.v); }
    friend F4 operator&(F4 a, F4 b) { return _mm_and_ps(a.v, b.v); }
    // mask ? a : b, lane by lane.
    friend F4 select(F4 mask, F4 a, F4 b) {
        return _mm_or_ps(_mm_and_ps(mask.v, a.v), _mm_andnot_ps(mask.v, b.v));
    }
    float lane(int k) const {
        alignas(16) float f[4];
        _mm_store_ps(f, v);
        return f[k];
    }
};

#else

struct F4 {
    float l[4];

    F4() : l{0.0f, 0.0f, 0.0f, 0.0f} {}
    explicit F4(float s) : l{s, s, s, s} {}
    F4(float a, float b, float c, float d) : l{a, b, c, d} {}

    template <class Op>
    static F4 map(F4 a, F4 b, Op op) {
        return F4(op(a.l[0], b.l[0]), op(a.l[1], b.l[1]), op(a.l[2], b.l[2]), op(a.l[3], b.l[3]));
    }
    static float mask(bool m) {
        const std::uint32_t bits = m ? 0xFFFFFFFFu : 0u;
        float f;
        __builtin_memcpy(&f, &bits, sizeof f);
        return f;
    }
    static bool set(float f) {
        std::uint32_t bits;
        __builtin_memcpy(&bits, &f, sizeof bits);
        return bits != 0;
    }

    friend F4 operator+(F4 a, F4 b) {
        return map(a, b, [](float x, float y) { return x + y; });
    }
    friend F4 operator-(F4 a, F4 b) {
        return map(a, b, [](float x, float y) { return x - y; });
    }
    friend F4 operator*(F4 a, F4 b) {
        return map(a, b, [](float x, float y) { return x * y; });
    }
    friend F4 operator/(F4 a, F4 b) {
        return map(a, b, [](float x, float y) { return x / y; });
    }
    friend F4 sqrt(F4 a) {
        return F4(std::sqrt(a.l[0]), std::sqrt(a.l[1]), std::sqrt(a.l[2]), std::sqrt(a.l[3]));
    }
    friend F4 operator<(F4 a, F4 b) {
        return map(a, b, [](float x, float y) { return mask(x < y); });
    }
    friend F4 operator<=(F4 a, F4 b) {
        return map(a, b, [](float x, float y) { return mask(x <= y); });
    }
    friend F4 operator>(F4 a, F4 b) {
        return map(a, b, [](float x, float y) { return mask(x > y); });
    }
    friend F4 operator&(F4 a, F4 b) {
        return map(a, b, [](float x, float y) { return mask(set(x) && set(y)); });
    }
    friend F4 select(F4 m, F4 a, F4 b) {
        return F4(set(m.l[0]) ? a.l[0] : b.l[0], set(m.l[1]) ? a.l[1] : b.l[1],
                  set(m.l[2]) ? a.l[2] : b.l[2], set(m.l[3]) ? a.l[3] : b.l[3]);
    }
    float lane(int k) const { return l[k]; }
};

#endif

// The sum of the four lanes, always in this order: (0 + 1) + (2 + 3).
inline float sum(F4 a) {
    return (a.lane(0) + a.lane(1)) + (a.lane(2) + a.lane(3));
}

// The values[j] of four indices. Always inlined: a call per group of four costs more than the
// loads (GCC stopped inlining it once the pair loops had three kinds of index runs).
[[gnu::always_inline]] inline F4 gather(const float* values, const std::uint32_t* j) {
    return F4(values[j[0]], values[j[1]], values[j[2]], values[j[3]]);
}

// Component k of four points, points[j][k].
template <class V>
[[gnu::always_inline]] inline F4 gather(const V* points, const std::uint32_t* j, int k) {
    return F4(points[j[0]][k], points[j[1]][k], points[j[2]][k], points[j[3]][k]);
}

}  // namespace flume
