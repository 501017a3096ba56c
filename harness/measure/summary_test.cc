#include "harness/measure/summary.h"

#include <gtest/gtest.h>

#include <cmath>

namespace faultline::measure {
namespace {

TEST(Quantile, EmptyIsZero) {
  EXPECT_EQ(Quantile({}, 0.5), 0);
}

TEST(Quantile, EndpointsAreMinAndMax) {
  const std::vector<double> v = {10, 20, 30, 40, 50};
  EXPECT_DOUBLE_EQ(Quantile(v, 0), 10);
  EXPECT_DOUBLE_EQ(Quantile(v, 1), 50);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.25), 20);  // h = 4 * 0.25 = 1 exactly
  EXPECT_DOUBLE_EQ(Quantile(v, 0.3), 22);   // h = 1.2: 20 + 0.2 * 10
}

TEST(Quantile, SingleValue) {
  const std::vector<double> v = {7};
  EXPECT_DOUBLE_EQ(Quantile(v, 0), 7);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.5), 7);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.99), 7);
}

TEST(Summarize, EmptyGivesZeros) {
  Summary s = Summarize({});
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.mean, 0);
  EXPECT_EQ(s.stddev, 0);
  EXPECT_EQ(s.min, 0);
  EXPECT_EQ(s.p50, 0);
  EXPECT_EQ(s.p99, 0);
  EXPECT_EQ(s.max, 0);
}

TEST(Summarize, OneValue) {
  Summary s = Summarize({5});
  EXPECT_EQ(s.count, 1u);
  EXPECT_DOUBLE_EQ(s.mean, 5);
  EXPECT_DOUBLE_EQ(s.stddev, 0);  // undefined for n = 1; reported as 0
  EXPECT_DOUBLE_EQ(s.min, 5);
  EXPECT_DOUBLE_EQ(s.p50, 5);
  EXPECT_DOUBLE_EQ(s.p90, 5);
  EXPECT_DOUBLE_EQ(s.p99, 5);
  EXPECT_DOUBLE_EQ(s.max, 5);
}

TEST(Summarize, TwoValues) {
  Summary s = Summarize({3, 1});
  EXPECT_EQ(s.count, 2u);
  EXPECT_DOUBLE_EQ(s.mean, 2);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(2.0));  // ((1-2)^2 + (3-2)^2) / (2-1) = 2
  EXPECT_DOUBLE_EQ(s.p50, 2);                  // h = 0.5
  EXPECT_DOUBLE_EQ(s.p90, 2.8);                // h = 0.9: 1 + 0.9 * 2
  EXPECT_DOUBLE_EQ(s.p99, 2.98);               // h = 0.99
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 3);
}

TEST(Summarize, OneToTen) {
  Summary s = Summarize({10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  EXPECT_EQ(s.count, 10u);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_NEAR(s.stddev, std::sqrt(82.5 / 9), 1e-12);  // sum of squared deviations = 82.5
  EXPECT_DOUBLE_EQ(s.p50, 5.5);                       // h = 4.5
  EXPECT_NEAR(s.p90, 9.1, 1e-12);                     // h = 8.1
  EXPECT_NEAR(s.p99, 9.91, 1e-12);                    // h = 8.91
}

TEST(Summarize, Ties) {
  Summary s = Summarize({2, 7, 2, 2});
  EXPECT_DOUBLE_EQ(s.p50, 2);       // h = 1.5 between two 2s
  EXPECT_DOUBLE_EQ(s.p90, 5.5);     // h = 2.7: 2 + 0.7 * 5
  EXPECT_NEAR(s.p99, 6.85, 1e-12);  // h = 2.97
  EXPECT_DOUBLE_EQ(s.mean, 3.25);
  EXPECT_NEAR(s.stddev, 2.5, 1e-12);  // 3 * 1.25^2 + 3.75^2 = 18.75; / 3 = 6.25
}

TEST(Summarize, AllEqualHasZeroSpread) {
  Summary s = Summarize({0.001, 0.001, 0.001});
  EXPECT_DOUBLE_EQ(s.stddev, 0);
  EXPECT_DOUBLE_EQ(s.p99, 0.001);
}

}  // namespace
}  // namespace faultline::measure
