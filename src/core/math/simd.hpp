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

#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#define FLUME_SIMD_SSE 1
#else
#define FLUME_SIMD_SSE 0
#endif

// On the pair-term lambdas of the four-wide sums: clang (Emscripten) left them out of line, a
// call per group of four with the terms returned through memory (forces 1.6x native in wasm).
#define FLUME_ALWAYS_INLINE __attribute__((always_inline))

// Eight-lane (AVX2) paths, compiled beside the four-lane ones on x86-64 and picked at run time
// (simd_eight_lanes()): only where their result is the same bits as four lanes', such as the
// neighbour search's distance test, whose output is a set of slots, not a sum.
#if FLUME_SIMD_SSE && defined(__x86_64__) && !defined(__wasm__)
#include <immintrin.h>
#define FLUME_SIMD_AVX2_DISPATCH 1
#define FLUME_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define FLUME_SIMD_AVX2_DISPATCH 0
#endif

namespace flume {

#if FLUME_SIMD_AVX2_DISPATCH
namespace detail {
inline bool detect_eight_lanes() {
    __builtin_cpu_init();
    const char* forced = std::getenv("FLUME_SIMD");
    return __builtin_cpu_supports("avx2") && !(forced && std::strcmp(forced, "sse") == 0);
}
inline std::atomic<bool> eight_lanes{detect_eight_lanes()};
}  // namespace detail

// True when the eight-lane paths run: the processor has AVX2, and the environment does not say
// FLUME_SIMD=sse.
inline bool simd_eight_lanes() {
    return detail::eight_lanes.load(std::memory_order_relaxed);
}
// Turns them on (where the processor has AVX2) or off; returns whether they are on. For tests
// that compare the two paths.
inline bool set_simd_eight_lanes(bool on) {
    __builtin_cpu_init();
    detail::eight_lanes.store(on && __builtin_cpu_supports("avx2"), std::memory_order_relaxed);
    return simd_eight_lanes();
}
#else
inline bool simd_eight_lanes() {
    return false;
}
inline bool set_simd_eight_lanes(bool) {
    return false;
}
#endif

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
    // To four floats aligned to 16 bytes.
    void store(float* out) const { _mm_store_ps(out, v); }
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
    void store(float* out) const {
        for (int k = 0; k < 4; ++k)
            out[k] = l[k];
    }
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

// All D components of four points: component k of points[j[0..3]] in lane 0..3 of element k.
// On SSE (and wasm SIMD128) the x and y of a point load together: a 64-bit load per point, two
// points to a register, then one shuffle per component (shufps; V8 maps this two-source form
// onto it too), in place of eight scalar loads and six lane inserts. A 3D point's z is gathered
// apart.
template <int D, class V>
[[gnu::always_inline]] inline std::array<F4, D> gather_points(const V* points,
                                                              const std::uint32_t* j) {
    static_assert(sizeof(V) == D * sizeof(float), "points of D packed floats");
    std::array<F4, D> out;
#if FLUME_SIMD_SSE
    // The x and y of points a and b as x_a y_a x_b y_b (memcpy: a point is 4-byte aligned).
    auto pair = [&](std::uint32_t a, std::uint32_t b) {
        double xy_a, xy_b;
        std::memcpy(&xy_a, &points[a][0], sizeof xy_a);
        std::memcpy(&xy_b, &points[b][0], sizeof xy_b);
        return _mm_castpd_ps(_mm_set_pd(xy_b, xy_a));
    };
    const __m128 p01 = pair(j[0], j[1]);  // x0 y0 x1 y1
    const __m128 p23 = pair(j[2], j[3]);  // x2 y2 x3 y3
    out[0] = _mm_shuffle_ps(p01, p23, _MM_SHUFFLE(2, 0, 2, 0));
    out[1] = _mm_shuffle_ps(p01, p23, _MM_SHUFFLE(3, 1, 3, 1));
    if constexpr (D == 3) out[2] = gather(points, j, 2);
#else
    for (int k = 0; k < D; ++k)
        out[k] = gather(points, j, k);
#endif
    return out;
}

}  // namespace flume
