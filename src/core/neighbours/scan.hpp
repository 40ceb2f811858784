// The candidate test of the neighbour search: which of a range of candidate slots lie within a
// radius of a point, written out as slot indices. Shared by the neighbour lists and by the grid
// scans of loops that run without lists (neighbour_lists=false).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "core/math/simd.hpp"
#include "core/math/vec.hpp"
#include "core/neighbours/grid.hpp"

namespace flume {

namespace detail {
#if FLUME_SIMD_SSE
// For each 4-bit mask of hits, the lane numbers of its set bits packed to the front, and their
// number.
struct alignas(16) PackedLanes : std::array<std::int32_t, 4> {};
inline constexpr std::array<PackedLanes, 16> kPackedLanes = [] {
    std::array<PackedLanes, 16> table{};
    for (int mask = 0; mask < 16; ++mask) {
        int n = 0;
        for (int lane = 0; lane < 4; ++lane)
            if (mask & (1 << lane)) table[mask][n++] = lane;
    }
    return table;
}();
inline constexpr std::array<std::uint32_t, 16> kLaneCount = {0, 1, 1, 2, 1, 2, 2, 3,
                                                             1, 2, 2, 3, 2, 3, 3, 4};
#endif

// Writes base + l for each lane l set in `hits` to out[count...] and returns the new count: the
// slots of a group of four candidates (32-bit), or, with base = slot - i, their offsets from
// particle i (16-bit, the narrow lists). The SSE form stores the four lanes at once, the hits
// packed to the front; the lanes past the hits land beyond the count and are overwritten next.
[[gnu::always_inline]] inline std::size_t write_hits(std::uint32_t* out, std::size_t count,
                                                     std::uint32_t base, std::uint32_t hits) {
#if FLUME_SIMD_SSE
    _mm_storeu_si128(
        reinterpret_cast<__m128i*>(out + count),
        _mm_add_epi32(_mm_set1_epi32(static_cast<int>(base)),
                      _mm_load_si128(reinterpret_cast<const __m128i*>(kPackedLanes[hits].data()))));
    return count + kLaneCount[hits];
#else
    for (std::uint32_t l = 0; l < 4; ++l) {
        out[count] = base + l;
        count += (hits >> l) & 1u;
    }
    return count;
#endif
}
[[gnu::always_inline]] inline std::size_t write_hits(std::uint16_t* out, std::size_t count,
                                                     std::uint32_t base, std::uint32_t hits) {
#if FLUME_SIMD_SSE
    const __m128i slots =
        _mm_add_epi32(_mm_set1_epi32(static_cast<int>(base)),
                      _mm_load_si128(reinterpret_cast<const __m128i*>(kPackedLanes[hits].data())));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + count), _mm_packs_epi32(slots, slots));
    return count + kLaneCount[hits];
#else
    for (std::uint32_t l = 0; l < 4; ++l) {
        out[count] = static_cast<std::uint16_t>(base + l);
        count += (hits >> l) & 1u;
    }
    return count;
#endif
}

}  // namespace detail

template <int D>
[[gnu::always_inline]] inline std::size_t append_neighbours(const Vec<D>& xi, const Vec<D>* x,
                                                            std::size_t n, std::uint32_t begin,
                                                            std::uint32_t end, float radius2,
                                                            std::uint32_t* out, std::size_t count) {
    std::uint32_t j = begin;
#if FLUME_SIMD_SSE
    const __m128 r2_max = _mm_set1_ps(radius2);
    const __m128 xi_x = _mm_set1_ps(xi[0]);
    const __m128 xi_y = _mm_set1_ps(xi[1]);
    const __m128 xi_z = _mm_set1_ps(xi[D - 1]);
    // Appends the slots base..base+3 whose lane is set in `lanes` and that are within reach.
    auto group = [&](std::uint32_t base, std::uint32_t lanes) {
        const float* p = &x[base][0];
        __m128 r2;
#if defined(__wasm_simd128__)
        // wasm: each coordinate by four lane loads. V8 turns the two-source shuffles below into
        // byte shuffles with their masks built in registers, about twice the cost.
        auto coordinate = [&](int k) {
            return _mm_set_ps(p[3 * D + k], p[2 * D + k], p[D + k], p[k]);
        };
        {
            const __m128 dx = _mm_sub_ps(xi_x, coordinate(0));
            const __m128 dy = _mm_sub_ps(xi_y, coordinate(1));
            r2 = _mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy));
            if constexpr (D == 3) {
                const __m128 dz = _mm_sub_ps(xi_z, coordinate(2));
                r2 = _mm_add_ps(r2, _mm_mul_ps(dz, dz));
            }
        }
#else
        if constexpr (D == 2) {
            const __m128 a = _mm_loadu_ps(p), b = _mm_loadu_ps(p + 4);
            const __m128 dx = _mm_sub_ps(xi_x, _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
            const __m128 dy = _mm_sub_ps(xi_y, _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
            r2 = _mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy));
        } else {
            // a = x0 y0 z0 x1, b = y1 z1 x2 y2, c = z2 x3 y3 z3
            const __m128 a = _mm_loadu_ps(p), b = _mm_loadu_ps(p + 4), c = _mm_loadu_ps(p + 8);
            const __m128 bc_x = _mm_shuffle_ps(b, c, _MM_SHUFFLE(1, 1, 2, 2));
            const __m128 ab_y = _mm_shuffle_ps(a, b, _MM_SHUFFLE(0, 0, 1, 1));
            const __m128 bc_y = _mm_shuffle_ps(b, c, _MM_SHUFFLE(2, 2, 3, 3));
            const __m128 ab_z = _mm_shuffle_ps(a, b, _MM_SHUFFLE(1, 1, 2, 2));
            const __m128 cc_z = _mm_shuffle_ps(c, c, _MM_SHUFFLE(3, 3, 0, 0));
            const __m128 dx = _mm_sub_ps(xi_x, _mm_shuffle_ps(a, bc_x, _MM_SHUFFLE(2, 0, 3, 0)));
            const __m128 dy = _mm_sub_ps(xi_y, _mm_shuffle_ps(ab_y, bc_y, _MM_SHUFFLE(2, 0, 2, 0)));
            const __m128 dz = _mm_sub_ps(xi_z, _mm_shuffle_ps(ab_z, cc_z, _MM_SHUFFLE(2, 0, 2, 0)));
            r2 = _mm_add_ps(_mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy)), _mm_mul_ps(dz, dz));
        }
#endif
        const std::uint32_t hit =
            lanes & static_cast<std::uint32_t>(_mm_movemask_ps(_mm_cmplt_ps(r2, r2_max)));
        count = detail::write_hits(out, count, base, hit);
    };
    for (; j + 4 <= end; j += 4)
        group(j, 0xFu);
    // The last one to three candidates: the group of four that ends at `end` (or at the last
    // slot), with the lanes outside [j, end) masked off. Never reads outside x[0..n).
    if (j < end && n >= 4) {
        const std::uint32_t base = std::min(j, static_cast<std::uint32_t>(n - 4));
        group(base, (0xFu << (j - base)) & (0xFu >> (4 - (end - base))));
        j = end;
    }
#else
    (void)n;
#endif
    for (; j < end; ++j) {
        out[count] = j;
        count += length_squared<D>(xi - x[j]) < radius2 ? 1u : 0u;
    }
    return count;
}

// The candidates of one cell's neighbourhood, copied once in structure-of-arrays form for all the
// particles of that cell (consecutive in sorted order), each of the grid's ranges padded to whole
// groups of four with points at infinity: a group then takes three loads, no shuffles and no tail
// mask, and the ranges follow each other as one run of groups. Gives the same neighbours in the
// same order as append_neighbours over the grid's ranges.
//
//   if (cache.load(grid, grid.cell_of(x_i), x_i, positions))  // room for cache.candidates()
//       count = cache.append(x_i, radius2, out, count);
template <int D>
class CandidateCache {
  public:
    static constexpr std::size_t kMaxGroups = 128;  // candidates beyond 512: test directly

    // Loads the candidate ranges of `grid` around x, in cell `cell`, unless they are loaded
    // already. False when they do not fit.
    [[gnu::always_inline]] bool load(const NeighbourGrid<D>& grid, std::uint32_t cell,
                                     const Vec<D>& x, const Vec<D>* positions) {
        if (cell == cell_) return fits_;
        cell_ = cell;
        fits_ = true;
        std::size_t g = 0;
        constexpr float kFar = std::numeric_limits<float>::infinity();
        grid.for_each_candidate_range(
            x, [&](std::uint32_t begin, std::uint32_t end) FLUME_ALWAYS_INLINE {
                if (!fits_ || g + (end - begin + 3) / 4 > kMaxGroups) {
                    fits_ = false;
                    return;
                }
                std::uint32_t j = begin;
                for (; j + 4 <= end; j += 4, ++g) {  // whole groups, as the sums gather them
                    const std::uint32_t slots[4] = {j, j + 1, j + 2, j + 3};
                    const std::array<F4, D> group = gather_points<D>(positions, slots);
                    base_[g] = j;
                    for (int k = 0; k < D; ++k)
                        group[k].store(&coord_[k][4 * g]);
                }
                if (j < end) {  // the last one to three, and points at infinity
                    base_[g] = j;
                    for (std::uint32_t l = 0; l < 4; ++l)
                        for (int k = 0; k < D; ++k)
                            coord_[k][4 * g + l] = j + l < end ? positions[j + l][k] : kFar;
                    ++g;
                }
            });
        groups_ = fits_ ? g : 0;
        narrow_ = fits_ && g > 0 && base_[g - 1] + 3 - base_[0] < 0x8000u;
        return fits_;
    }

    // Forgets what is loaded (the positions changed).
    void clear() { cell_ = kNone; }

    // Candidates, padding included: the room append needs.
    std::size_t candidates() const { return 4 * groups_; }

    // True when the candidates' slots span fewer than 2^15, so that any two of them (and any
    // particle of the cell, which is one) differ by a 16-bit signed number.
    bool narrow() const { return narrow_; }

    // As append, but writes the hits' slots j as j - i in 16 bits (when narrow()).
    std::size_t append_narrow(const Vec<D>& xi, std::uint32_t i, float radius2, std::uint16_t* out,
                              std::size_t count) const {
#if FLUME_SIMD_AVX2_DISPATCH
        if (simd_eight_lanes()) return append_narrow8(xi, i, radius2, out, count);
#endif
        for_each_group(xi, radius2, [&](std::size_t g, std::uint32_t hits) FLUME_ALWAYS_INLINE {
            count = detail::write_hits(out, count, base_[g] - i, hits);
        });
        return count;
    }

    // Writes the slots of the candidates within radius2 of xi to out[count...] and returns the
    // new count (as append_neighbours).
    std::size_t append(const Vec<D>& xi, float radius2, std::uint32_t* out,
                       std::size_t count) const {
#if FLUME_SIMD_AVX2_DISPATCH
        if (simd_eight_lanes()) return append8(xi, radius2, out, count);
#endif
        for_each_group(xi, radius2, [&](std::size_t g, std::uint32_t hits) FLUME_ALWAYS_INLINE {
            count = detail::write_hits(out, count, base_[g], hits);
        });
        return count;
    }

  private:
#if FLUME_SIMD_AVX2_DISPATCH
    // append_narrow and append, testing two groups at a time in eight lanes: each lane's distance
    // is the four-lane test's, in the same operations, so the hits are the same.
    FLUME_TARGET_AVX2 std::size_t append_narrow8(const Vec<D>& xi, std::uint32_t i, float radius2,
                                                 std::uint16_t* out, std::size_t count) const {
        for_each_group8(xi, radius2, [&](std::size_t g, std::uint32_t hits) FLUME_ALWAYS_INLINE {
            count = detail::write_hits(out, count, base_[g] - i, hits);
        });
        return count;
    }
    FLUME_TARGET_AVX2 std::size_t append8(const Vec<D>& xi, float radius2, std::uint32_t* out,
                                          std::size_t count) const {
        for_each_group8(xi, radius2, [&](std::size_t g, std::uint32_t hits) FLUME_ALWAYS_INLINE {
            count = detail::write_hits(out, count, base_[g], hits);
        });
        return count;
    }
    template <class Emit>
    FLUME_TARGET_AVX2 FLUME_ALWAYS_INLINE void for_each_group8(const Vec<D>& xi, float radius2,
                                                               Emit&& emit) const {
        const __m256 r2_max = _mm256_set1_ps(radius2);
        __m256 xi_k[D];
        for (int k = 0; k < D; ++k)
            xi_k[k] = _mm256_set1_ps(xi[k]);
        std::size_t g = 0;
        for (; g + 2 <= groups_; g += 2) {
            __m256 d = _mm256_sub_ps(xi_k[0], _mm256_load_ps(&coord_[0][4 * g]));
            __m256 r2 = _mm256_mul_ps(d, d);
            for (int k = 1; k < D; ++k) {
                d = _mm256_sub_ps(xi_k[k], _mm256_load_ps(&coord_[k][4 * g]));
                r2 = _mm256_add_ps(r2, _mm256_mul_ps(d, d));
            }
            const auto hits = static_cast<std::uint32_t>(
                _mm256_movemask_ps(_mm256_cmp_ps(r2, r2_max, _CMP_LT_OQ)));
            emit(g, hits & 0xFu);
            emit(g + 1, hits >> 4);
        }
        if (g < groups_) {
            __m128 d = _mm_sub_ps(_mm256_castps256_ps128(xi_k[0]), _mm_load_ps(&coord_[0][4 * g]));
            __m128 r2 = _mm_mul_ps(d, d);
            for (int k = 1; k < D; ++k) {
                d = _mm_sub_ps(_mm256_castps256_ps128(xi_k[k]), _mm_load_ps(&coord_[k][4 * g]));
                r2 = _mm_add_ps(r2, _mm_mul_ps(d, d));
            }
            emit(g, static_cast<std::uint32_t>(
                        _mm_movemask_ps(_mm_cmplt_ps(r2, _mm256_castps256_ps128(r2_max)))));
        }
    }
#endif

    // emit(g, hits) for each group g, with the 4-bit mask of its lanes within radius2 of xi.
    template <class Emit>
    [[gnu::always_inline]] void for_each_group(const Vec<D>& xi, float radius2, Emit&& emit) const {
#if FLUME_SIMD_SSE
        const __m128 r2_max = _mm_set1_ps(radius2);
        __m128 xi_k[D];
        for (int k = 0; k < D; ++k)
            xi_k[k] = _mm_set1_ps(xi[k]);
        for (std::size_t g = 0; g < groups_; ++g) {
            __m128 d = _mm_sub_ps(xi_k[0], _mm_load_ps(&coord_[0][4 * g]));
            __m128 r2 = _mm_mul_ps(d, d);
            for (int k = 1; k < D; ++k) {
                d = _mm_sub_ps(xi_k[k], _mm_load_ps(&coord_[k][4 * g]));
                r2 = _mm_add_ps(r2, _mm_mul_ps(d, d));
            }
            emit(g, static_cast<std::uint32_t>(_mm_movemask_ps(_mm_cmplt_ps(r2, r2_max))));
        }
#else
        for (std::size_t g = 0; g < groups_; ++g) {
            std::uint32_t hits = 0;
            for (std::uint32_t l = 0; l < 4; ++l) {
                float r2 = 0.0f;
                for (int k = 0; k < D; ++k) {
                    const float d = xi[k] - coord_[k][4 * g + l];
                    r2 = k == 0 ? d * d : r2 + d * d;
                }
                hits |= (r2 < radius2 ? 1u : 0u) << l;
            }
            emit(g, hits);
        }
#endif
    }

    static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
    alignas(32) float coord_[D][4 * kMaxGroups];  // 32: two groups load as one eight-lane
    std::uint32_t base_[kMaxGroups];
    std::size_t groups_ = 0;
    std::uint32_t cell_ = kNone;
    bool fits_ = false;
    bool narrow_ = false;
};

}  // namespace flume
