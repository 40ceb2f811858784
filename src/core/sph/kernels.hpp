// SPH smoothing kernels with compact support H (q = r / H), in 2D and 3D.
//
//   CubicSpline<D>  the cubic B-spline of Monaghan (1992) in the support-radius form used by
//                   SPlisHSPlasH: k = 8/(pi H^3) in 3D, 40/(7 pi H^2) in 2D.
//   WendlandC2<D>   Wendland (1995) C2: (1-q)^4 (1+4q), k = 21/(2 pi H^3) in 3D, 7/(pi H^2) in 2D.
//
// Usage: construct with the support radius once, then call W(r) and gradient(x_ij, r) in the
// neighbour loops. Constants are computed in double and rounded once, so both the native and the
// wasm build hold the same float values.
#pragma once

#include <cmath>
#include <string_view>

#include "core/math/simd.hpp"
#include "core/math/vec.hpp"
#include "core/sph/settings.hpp"

namespace flume {

template <int D>
class CubicSpline {
  public:
    static constexpr std::string_view kName = "cubic";
    static constexpr int kDimension = D;
    static_assert(D == 2 || D == 3);

    explicit CubicSpline(float support) : support_(support) {
        const double h = support;
        const double k = D == 3 ? 8.0 / (kPi * h * h * h) : 40.0 / (7.0 * kPi * h * h);
        k_ = static_cast<float>(k);
        l_ = static_cast<float>(6.0 * k);
        inv_support_ = static_cast<float>(1.0 / h);
        w_zero_ = k_;
    }

    float support() const { return support_; }
    float W_zero() const { return w_zero_; }

    float W(float r) const {
        const float q = r * inv_support_;
        if (q <= 0.5f) {
            const float q2 = q * q;
            return k_ * (6.0f * q2 * q - 6.0f * q2 + 1.0f);
        }
        if (q <= 1.0f) {
            const float a = 1.0f - q;
            return k_ * (2.0f * a * a * a);
        }
        return 0.0f;
    }

    // Gradient with respect to x_i of W(|x_ij|), x_ij = x_i - x_j, r = |x_ij|.
    Vec<D> gradient(const Vec<D>& xij, float r) const {
        const float q = r * inv_support_;
        if (r <= 1.0e-9f || q > 1.0f) return Vec<D>(0.0f);
        float dwdq;  // dW/dq / k, times 6 folded into l_
        if (q <= 0.5f) {
            dwdq = q * (3.0f * q - 2.0f);
        } else {
            const float a = 1.0f - q;
            dwdq = -a * a;
        }
        const float factor = l_ * dwdq * inv_support_ / r;
        return xij * factor;
    }

    // W and the gradient's factor (gradient(x_ij, r) = x_ij * factor) of four distances at once,
    // without branches; lane by lane the bits of the scalar forms above.
    F4 W(F4 r) const {
        const F4 q = r * F4(inv_support_);
        const F4 q2 = q * q;
        const F4 inner = F4(6.0f) * q2 * q - F4(6.0f) * q2 + F4(1.0f);
        const F4 a = F4(1.0f) - q;
        const F4 outer = F4(2.0f) * a * a * a;
        return select(q <= F4(1.0f), F4(k_) * select(q <= F4(0.5f), inner, outer), F4(0.0f));
    }
    F4 gradient_factor(F4 r) const {
        const F4 q = r * F4(inv_support_);
        const F4 a = F4(1.0f) - q;
        const F4 dwdq = select(q <= F4(0.5f), q * (F4(3.0f) * q - F4(2.0f)), F4(-1.0f) * a * a);
        const F4 factor = F4(l_) * dwdq * F4(inv_support_) / r;
        return select((r > F4(1.0e-9f)) & (q <= F4(1.0f)), factor, F4(0.0f));
    }

  private:
    float support_;
    float inv_support_;
    float k_;
    float l_;
    float w_zero_;
};

template <int D>
class WendlandC2 {
  public:
    static constexpr std::string_view kName = "wendland";
    static constexpr int kDimension = D;
    static_assert(D == 2 || D == 3);

    explicit WendlandC2(float support) : support_(support) {
        const double h = support;
        const double k = D == 3 ? 21.0 / (2.0 * kPi * h * h * h) : 7.0 / (kPi * h * h);
        k_ = static_cast<float>(k);
        // grad W = -20 k q (1-q)^3 / (H r) x = -20 k (1-q)^3 / H^2 x
        g_ = static_cast<float>(-20.0 * k / (h * h));
        inv_support_ = static_cast<float>(1.0 / h);
    }

    float support() const { return support_; }
    float W_zero() const { return k_; }

    float W(float r) const {
        const float q = r * inv_support_;
        if (q >= 1.0f) return 0.0f;
        const float a = 1.0f - q;
        const float a2 = a * a;
        return k_ * (a2 * a2) * (1.0f + 4.0f * q);
    }

    Vec<D> gradient(const Vec<D>& xij, float r) const {
        const float q = r * inv_support_;
        if (q >= 1.0f) return Vec<D>(0.0f);
        const float a = 1.0f - q;
        return xij * (g_ * a * a * a);
    }

    // W and the gradient's factor (gradient(x_ij, r) = x_ij * factor) of four distances at once,
    // without branches; lane by lane the bits of the scalar forms above.
    F4 W(F4 r) const {
        const F4 q = r * F4(inv_support_);
        const F4 a = F4(1.0f) - q;
        const F4 a2 = a * a;
        return select(q < F4(1.0f), F4(k_) * (a2 * a2) * (F4(1.0f) + F4(4.0f) * q), F4(0.0f));
    }
    F4 gradient_factor(F4 r) const {
        const F4 q = r * F4(inv_support_);
        const F4 a = F4(1.0f) - q;
        return select(q < F4(1.0f), F4(g_) * a * a * a, F4(0.0f));
    }

  private:
    float support_;
    float inv_support_;
    float k_;
    float g_;
};

// Sums over the neighbours of a particle inside the regular lattice of the given spacing (the
// rest state the scenes start from), the particle itself included in `kernel`:
//   kernel          sum_j W_ij
//   gradient_square sum_j |grad W_ij|^2
// They fix the particle mass (rho0 / kernel gives exactly rho0 at rest) and PCISPH's stiffness.
struct LatticeSums {
    double kernel = 0.0;
    double gradient_square = 0.0;
};

template <class K>
LatticeSums lattice_sums(const K& kernel, double spacing) {
    constexpr int D = K::kDimension;
    const int n = static_cast<int>(std::ceil(kernel.support() / spacing));
    LatticeSums sums;
    IVec<D> j(-n);
    for (;;) {
        Vec<D> xij;
        for (int k = 0; k < D; ++k)
            xij[k] = static_cast<float>(j[k] * spacing);
        const float r = std::sqrt(length_squared<D>(xij));
        sums.kernel += kernel.W(r);
        if (r > 0.0f) sums.gradient_square += length_squared<D>(kernel.gradient(xij, r));
        int k = 0;
        while (k < D && ++j[k] > n)
            j[k++] = -n;
        if (k == D) break;
    }
    return sums;
}

// Calls f(kernel) with the kernel of support `support` that `kind` (the `kernel` parameter)
// chooses, so that code templated on the kernel type dispatches in one place.
template <int D, class F>
decltype(auto) with_kernel(KernelKind kind, float support, F&& f) {
    if (kind == KernelKind::Wendland) return f(WendlandC2<D>(support));
    return f(CubicSpline<D>(support));
}

}  // namespace flume
