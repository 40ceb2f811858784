// Kernel normalisation and gradients, for every kernel in 2D and 3D (typed tests).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/sph/kernels.hpp"

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

// The four-wide forms give, lane by lane, the bits of the scalar ones: W and the gradient's factor
// (gradient(x_ij, r) = x_ij * factor) over the whole support and past it, at r = 0, at the
// branch points q = 0.5 and 1, and at the floats next to them.
TYPED_TEST(KernelTest, FourWideFormsMatchTheScalarBits) {
    constexpr int D = kDim<TypeParam>;
    const float support = 0.0424f;
    const TypeParam kernel(support);
    std::vector<float> rs = {0.0f, 1.0e-10f, 0.5f * support, support, 1.5f * support};
    for (float r : {0.5f * support, support}) {
        rs.push_back(std::nextafter(r, 0.0f));
        rs.push_back(std::nextafter(r, 1.0f));
    }
    for (int k = 1; k < 400; ++k)
        rs.push_back(support * static_cast<float>(k) / 333.0f);
    while (rs.size() % 4 != 0)
        rs.push_back(0.3f * support);
    auto bits = [](float f) { return float_bits(f); };
    for (std::size_t g = 0; g < rs.size(); g += 4) {
        const F4 r(rs[g], rs[g + 1], rs[g + 2], rs[g + 3]);
        const F4 w = kernel.W(r), factor = kernel.gradient_factor(r);
        for (int l = 0; l < 4; ++l) {
            const float rl = rs[g + static_cast<std::size_t>(l)];
            EXPECT_EQ(bits(w.lane(l)), bits(kernel.W(rl))) << "W at r = " << rl;
            // The scalar gradient along x of x_ij = (r, 0, ...): x_ij * factor.
            Vec<D> xij(0.0f);
            xij[0] = rl;
            EXPECT_EQ(bits(rl * factor.lane(l)), bits(kernel.gradient(xij, rl)[0]))
                << "gradient at r = " << rl;
        }
    }
}

}  // namespace
}  // namespace flume
