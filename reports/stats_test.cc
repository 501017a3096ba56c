#include "reports/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

namespace faultline::reports {
namespace {

TEST(MannWhitneyTest, SeparatedSmallSamplesUseTheExactDistribution) {
  // U = 0 is the single most extreme of C(6, 3) = 20 arrangements: p = 2 / 20.
  MannWhitney r = MannWhitneyU({1, 2, 3}, {4, 5, 6});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 0);
  EXPECT_NEAR(r.p, 0.1, 1e-12);
}

TEST(MannWhitneyTest, ExactTwoByTwo) {
  // Arrangements of two x's and two y's by U: 0:1, 1:1, 2:2, 3:1, 4:1 (6 in all).
  // x = {1, 3}, y = {2, 4}: U = 1 (3 > 2); P(U <= 1) = 2/6, so p = 4/6.
  MannWhitney r = MannWhitneyU({1, 3}, {2, 4});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 1);
  EXPECT_NEAR(r.p, 4.0 / 6, 1e-12);
  // The middle of the distribution is not evidence of anything.
  EXPECT_NEAR(MannWhitneyU({1, 4}, {2, 3}).p, 1.0, 1e-12);
}

TEST(MannWhitneyTest, TiesUseTheCorrectedNormalApproximation) {
  // Pooled ranks with ties 2 (x3), 3 (x2), 5 (x2): Σ(t³ − t) = 24 + 6 + 6 = 36.
  // U = 2.5; mean nm/2 = 10; variance nm/12 · (N + 1 − 36 / (N(N − 1))) = 20/12 · 9.5.
  // z = (|2.5 − 10| − 0.5) / √15.8333 = 1.7592; p = 2 Φ(−z) = 0.078546.
  MannWhitney r = MannWhitneyU({1, 2, 2, 3}, {2, 3, 4, 5, 5});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 2.5);
  EXPECT_NEAR(r.p, 0.0785459, 1e-6);
}

TEST(MannWhitneyTest, LargeSamplesUseTheNormalApproximation) {
  std::vector<double> x, y;
  for (int i = 0; i < 25; ++i) {
    x.push_back(i);
    y.push_back(25 + i);
  }
  // U = 0, mean 312.5, variance 25·25·51/12: z = 312 / 51.539 = 6.0536, p = 1.4157e-9.
  MannWhitney r = MannWhitneyU(x, y);
  EXPECT_FALSE(r.exact);
  EXPECT_NEAR(r.p / 1.4156562e-9, 1.0, 1e-5);
}

TEST(MannWhitneyTest, SymmetricInItsArguments) {
  std::vector<double> x = {3.1, 4.7, 1.2, 9.9, 5.5, 2.0, 8.1};
  std::vector<double> y = {6.3, 7.7, 2.2, 10.5, 11.0, 9.0};
  MannWhitney xy = MannWhitneyU(x, y), yx = MannWhitneyU(y, x);
  EXPECT_DOUBLE_EQ(xy.u + yx.u, 7.0 * 6.0);
  EXPECT_NEAR(xy.p, yx.p, 1e-12);
}

TEST(MannWhitneyTest, IdenticalOrEmptySamplesShowNothing) {
  EXPECT_DOUBLE_EQ(MannWhitneyU({2, 2, 2, 2}, {2, 2, 2}).p, 1.0);
  EXPECT_DOUBLE_EQ(MannWhitneyU({}, {1, 2}).p, 1.0);
}

TEST(MannWhitneyTest, SmallestAttainablePValue) {
  EXPECT_NEAR(MannWhitneyMinP(3, 3), 2.0 / 20, 1e-12);
  EXPECT_NEAR(MannWhitneyMinP(5, 5), 2.0 / 252, 1e-12);
  EXPECT_NEAR(MannWhitneyMinP(3, 5), 2.0 / 56, 1e-12);
  EXPECT_DOUBLE_EQ(MannWhitneyMinP(0, 5), 1.0);
  // And the exact test reaches it.
  EXPECT_NEAR(MannWhitneyU({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}).p, MannWhitneyMinP(5, 5), 1e-12);
}

TEST(BootstrapTest, AConstantRatioHasAPointInterval) {
  std::vector<double> base(30, 10.0), next(30, 12.0);
  RatioInterval r = BootstrapQuantileRatio(base, next, 0.5, 0.95, 500, 1);
  EXPECT_DOUBLE_EQ(r.ratio, 1.2);
  EXPECT_DOUBLE_EQ(r.low, 1.2);
  EXPECT_DOUBLE_EQ(r.high, 1.2);
}

TEST(BootstrapTest, ScaledSamplesGiveTheScaleInsideTheInterval) {
  std::vector<double> base, next;
  for (int i = 1; i <= 60; ++i) {
    base.push_back(i);
    next.push_back(2.0 * i);
  }
  RatioInterval median = BootstrapQuantileRatio(base, next, 0.5, 0.95, 2000, 7);
  EXPECT_DOUBLE_EQ(median.ratio, 2.0);  // 61 / 30.5
  EXPECT_LT(median.low, 2.0);
  EXPECT_GT(median.high, 2.0);
  // Independent resampling of both sides: a wide interval, far from 1 all the same.
  EXPECT_GT(median.low, 1.3);
  RatioInterval p99 = BootstrapQuantileRatio(base, next, 0.99, 0.95, 2000, 7);
  EXPECT_DOUBLE_EQ(p99.ratio, 2.0);
}

TEST(BootstrapTest, TheSameSeedGivesTheSameInterval) {
  std::vector<double> base = {5, 7, 6, 9, 5.5, 8, 6.5, 7.5, 10, 6};
  std::vector<double> next = {6, 8, 7, 9, 6.5, 9.5, 7, 8.5, 12, 7};
  RatioInterval a = BootstrapQuantileRatio(base, next, 0.5, 0.95, 1000, 42);
  RatioInterval b = BootstrapQuantileRatio(base, next, 0.5, 0.95, 1000, 42);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  EXPECT_LE(a.low, a.ratio);
  EXPECT_GE(a.high, a.ratio);
  // A wider confidence level never gives a narrower interval.
  RatioInterval wide = BootstrapQuantileRatio(base, next, 0.5, 0.99, 1000, 42);
  EXPECT_LE(wide.low, a.low);
  EXPECT_GE(wide.high, a.high);
}

TEST(BootstrapTest, ZerosAndEmptyInput) {
  RatioInterval zeros = BootstrapQuantileRatio({0, 0, 0}, {0, 0}, 0.5, 0.95, 100, 1);
  EXPECT_DOUBLE_EQ(zeros.ratio, 1.0);
  EXPECT_DOUBLE_EQ(zeros.high, 1.0);
  EXPECT_TRUE(std::isinf(BootstrapQuantileRatio({0, 0}, {1, 1}, 0.5, 0.95, 100, 1).ratio));
  EXPECT_TRUE(std::isnan(BootstrapQuantileRatio({}, {1}, 0.5, 0.95, 100, 1).ratio));
}

TEST(HodgesLehmannTest, SmallSamplesUseTheExactDistribution) {
  // Ratios next_j / base_i, sorted: 0.25 0.5 0.5 1 1 1 2 2 2 4 4 4 8 8 16 32. The median of
  // their logs is ln 2. U for 4 and 4 values counts 1, 1, 2, 3, 5 arrangements (of 70) for
  // U = 0..4, so P(U <= 0, 1, 2, 3) = 1/70, 2/70, 4/70, 7/70.
  const std::vector<double> base = {1, 2, 4, 8}, next = {2, 4, 8, 32};
  // 95%: the tail 0.025 allows only P(U <= 0): k = 1, the extremes.
  RatioInterval r = *HodgesLehmannRatio(base, next, 0.95);
  EXPECT_NEAR(r.ratio, 2, 1e-12);
  EXPECT_NEAR(r.low, 0.25, 1e-12);
  EXPECT_NEAR(r.high, 32, 1e-12);
  // 90%: P(U <= 1) = 0.029 <= 0.05 < P(U <= 2): k = 2.
  r = *HodgesLehmannRatio(base, next, 0.90);
  EXPECT_NEAR(r.low, 0.5, 1e-12);
  EXPECT_NEAR(r.high, 16, 1e-12);
  // 80%: P(U <= 3) = 0.1 is exactly the tail, and qualifies: k = 4.
  r = *HodgesLehmannRatio(base, next, 0.80);
  EXPECT_NEAR(r.low, 1, 1e-12);
  EXPECT_NEAR(r.high, 8, 1e-12);
}

TEST(HodgesLehmannTest, TooFewValuesForTheLevelLeaveTheIntervalOpen) {
  // 3 and 3 values: P(U <= 0) = 1/20. At 90% that is the whole tail, k = 1; at 95% no k.
  const std::vector<double> base = {10, 11, 12}, next = {12, 13, 15};
  RatioInterval r = *HodgesLehmannRatio(base, next, 0.90);
  EXPECT_NEAR(r.low, 1.0, 1e-12);    // 12 / 12
  EXPECT_NEAR(r.high, 1.5, 1e-12);   // 15 / 10
  EXPECT_NEAR(r.ratio, 1.2, 1e-12);  // 12 / 10, the middle of the 9 ratios
  r = *HodgesLehmannRatio(base, next, 0.95);
  EXPECT_EQ(r.low, 0);
  EXPECT_TRUE(std::isinf(r.high));
}

TEST(HodgesLehmannTest, LargeSamplesUseTheNormalApproximation) {
  // 60 and 60 values: sd of U = √(3600 · 121 / 12) = 190.526, and at 95%
  // k = floor(1800 + 0.5 − 1.959964 · 190.526) = floor(1427.08) = 1427.
  std::vector<double> base, next, differences;
  for (int i = 0; i < 60; ++i) {
    base.push_back(100 + 3 * i + (i * 7) % 11);
    next.push_back(120 + 2 * i + (i * 5) % 13);
  }
  for (double y : next) {
    for (double x : base) differences.push_back(std::log(y) - std::log(x));
  }
  std::sort(differences.begin(), differences.end());
  RatioInterval r = *HodgesLehmannRatio(base, next, 0.95);
  EXPECT_NEAR(r.low, std::exp(differences[1427 - 1]), 1e-12);
  EXPECT_NEAR(r.high, std::exp(differences[3600 - 1427]), 1e-12);
  EXPECT_NEAR(r.ratio, std::exp((differences[1799] + differences[1800]) / 2), 1e-12);
}

TEST(HodgesLehmannTest, AScaledSampleScalesTheRatio) {
  const std::vector<double> base = {5, 7, 6, 9, 5.5, 8, 6.5, 7.5, 10, 6};
  std::vector<double> next = base;
  for (double& v : next) v *= 1.2;
  RatioInterval r = *HodgesLehmannRatio(base, next, 0.95);
  EXPECT_NEAR(r.ratio, 1.2, 1e-12);
  EXPECT_LT(r.low, 1.2);
  EXPECT_GT(r.high, 1.2);
  // Units do not matter: both samples in milliseconds instead of seconds.
  std::vector<double> base_ms = base, next_ms = next;
  for (double& v : base_ms) v *= 1000;
  for (double& v : next_ms) v *= 1000;
  RatioInterval ms = *HodgesLehmannRatio(base_ms, next_ms, 0.95);
  EXPECT_NEAR(ms.low, r.low, 1e-12);
  EXPECT_NEAR(ms.high, r.high, 1e-12);
}

TEST(HodgesLehmannTest, RejectsBadInput) {
  for (const auto& [base, next, confidence] :
       {std::tuple<std::vector<double>, std::vector<double>, double>{{}, {1}, 0.95},
        {{1, 2}, {0, 1}, 0.95},
        {{1, -2}, {1, 1}, 0.95},
        {{1, 2}, {1, std::numeric_limits<double>::infinity()}, 0.95},
        {{1, 2}, {1, 2}, 1.0},
        {{1, 2}, {1, 2}, 0.0}}) {
    auto r = HodgesLehmannRatio(base, next, confidence);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(BenjaminiHochbergTest, TextbookExample) {
  // Sorted 0.005, 0.01, 0.03, 0.04 times m/rank: 0.02, 0.02, 0.04, 0.04 (already monotone).
  std::vector<double> adjusted = BenjaminiHochberg({0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(adjusted.size(), 4u);
  EXPECT_NEAR(adjusted[0], 0.02, 1e-12);
  EXPECT_NEAR(adjusted[1], 0.04, 1e-12);
  EXPECT_NEAR(adjusted[2], 0.04, 1e-12);
  EXPECT_NEAR(adjusted[3], 0.02, 1e-12);
}

TEST(BenjaminiHochbergTest, MonotoneFromTheTopAndCapped) {
  // 0.9 · 2 / 1 = 1.8 is lowered to the next rank's 0.95.
  std::vector<double> adjusted = BenjaminiHochberg({0.9, 0.95});
  EXPECT_NEAR(adjusted[0], 0.95, 1e-12);
  EXPECT_NEAR(adjusted[1], 0.95, 1e-12);
  EXPECT_NEAR(BenjaminiHochberg({1, 1, 1})[0], 1.0, 1e-12);
  // A single test is left alone.
  EXPECT_NEAR(BenjaminiHochberg({0.03})[0], 0.03, 1e-12);
  EXPECT_TRUE(BenjaminiHochberg({}).empty());
}

TEST(NormalCdfTest, KnownValues) {
  EXPECT_NEAR(NormalCdf(0), 0.5, 1e-15);
  EXPECT_NEAR(NormalCdf(1.959964), 0.975, 1e-6);
  EXPECT_NEAR(NormalCdf(-1), 0.1586553, 1e-7);
}

}  // namespace
}  // namespace faultline::reports
