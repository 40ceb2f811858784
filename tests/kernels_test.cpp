// Kernel normalisation and gradients, for every kernel in 2D and 3D (typed tests).
#include <gtest/gtest.h>

#include <cmath>

#include "core/kernels.hpp"

namespace flume {
namespace {

template <class K>
class KernelTest : public ::testing::Test {};

template <class K>
constexpr int kDim = 0;
template <template <int> class KT, int D>
constexpr int kDim<KT<D>> = D;

using Kernels = ::testing::Types<CubicSpline<2>, CubicSpline<3>, WendlandC2<2>, WendlandC2<3>>;
TYPED_TEST_SUITE(KernelTest, Kernels);

// Sums f(x - x_j) * V over a lattice of spacing s around x, x_j = j * s + offset.
template <int D, class F>
auto lattice_sum(float support, float spacing, const Vec<D>& x, F f) {
    const int n = static_cast<int>(std::ceil(support / spacing)) + 1;
    const double volume = std::pow(static_cast<double>(spacing), D);
    using R = decltype(f(Vec<D>(0.0f)));
    R sum{};
    IVec<D> j(-n);
    for (;;) {
        Vec<D> xj;
        for (int k = 0; k < D; ++k)
            xj[k] = static_cast<float>(j[k]) * spacing;
        sum += f(x - xj) * static_cast<float>(volume);
        int k = 0;
        while (k < D && ++j[k] > n)
            j[k++] = -n;
        if (k == D) break;
    }
    return sum;
}

TYPED_TEST(KernelTest, IsExactlyNormalisedOnAFineLattice) {
    constexpr int D = kDim<TypeParam>;
    const float support = 0.1f;
    const TypeParam kernel(support);
    // On a fine lattice the sum of W*V is the integral of W, which must be 1.
    for (float shift : {0.0f, 0.37f}) {
        const Vec<D> x(shift * support / 40.0f);
        const double sum = lattice_sum<D>(support, support / 40.0f, x, [&](const Vec<D>& d) {
            return static_cast<double>(kernel.W(std::sqrt(length_squared<D>(d))));
        });
        EXPECT_NEAR(sum, 1.0, 1.0e-4) << "shift " << shift;
    }
}

TYPED_TEST(KernelTest, SumsToOneAtSimulationSpacing) {
    constexpr int D = kDim<TypeParam>;
    // The simulation uses particle spacing 2r = H / 2: there the sum is close to 1, not exact.
    const float support = 0.04f;
    const TypeParam kernel(support);
    const double sum = lattice_sum<D>(support, support / 2.0f, Vec<D>(0.0f), [&](const Vec<D>& d) {
        return static_cast<double>(kernel.W(std::sqrt(length_squared<D>(d))));
    });
    EXPECT_NEAR(sum, 1.0, 0.05);
}

TYPED_TEST(KernelTest, GradientSumsToZeroOnALattice) {
    constexpr int D = kDim<TypeParam>;
    const float support = 0.1f;
    const TypeParam kernel(support);
    for (float spacing : {support / 2.0f, support / 7.0f}) {
        const Vec<D> sum = lattice_sum<D>(support, spacing, Vec<D>(0.0f), [&](const Vec<D>& d) {
            return kernel.gradient(d, std::sqrt(length_squared<D>(d)));
        });
        // Scale: the largest gradient magnitude is about k / H, times V it is O(1 / spacing).
        for (int k = 0; k < D; ++k)
            EXPECT_NEAR(sum[k], 0.0f, 1.0e-4f / spacing) << "axis " << k;
    }
}

TYPED_TEST(KernelTest, GradientMatchesFiniteDifference) {
    constexpr int D = kDim<TypeParam>;
    const float support = 1.0f;
    const TypeParam kernel(support);
    const float h = 1.0e-3f;
    for (int i = 1; i < 40; ++i) {
        // Points along a skew direction at q from 0.025 to 0.975.
        Vec<D> dir(1.0f);
        dir[0] = 0.3f;
        dir = dir / std::sqrt(length_squared<D>(dir));
        const Vec<D> x = dir * (static_cast<float>(i) / 40.0f);
        const Vec<D> grad = kernel.gradient(x, std::sqrt(length_squared<D>(x)));
        for (int k = 0; k < D; ++k) {
            Vec<D> xp = x, xm = x;
            xp[k] += h;
            xm[k] -= h;
            const double fd = (static_cast<double>(kernel.W(std::sqrt(length_squared<D>(xp)))) -
                               kernel.W(std::sqrt(length_squared<D>(xm)))) /
                              (2.0 * h);
            EXPECT_NEAR(grad[k], fd, 2.0e-3 * kernel.W_zero()) << "q " << i / 40.0 << " axis " << k;
        }
    }
}

TYPED_TEST(KernelTest, VanishesOutsideTheSupport) {
    constexpr int D = kDim<TypeParam>;
    const TypeParam kernel(0.5f);
    EXPECT_EQ(kernel.W(0.5f), 0.0f);
    EXPECT_EQ(kernel.W(0.75f), 0.0f);
    EXPECT_GT(kernel.W(0.49f), 0.0f);
    Vec<D> x(0.0f);
    x[0] = 0.6f;
    EXPECT_EQ(kernel.gradient(x, 0.6f)[0], 0.0f);
    EXPECT_EQ(kernel.gradient(Vec<D>(0.0f), 0.0f)[0], 0.0f);
}

}  // namespace
}  // namespace flume
