#include "reports/comparison.h"

#include <gtest/gtest.h>

#include <cmath>

namespace faultline::reports {
namespace {

Aggregate Agg(const std::string& target, const std::string& metric, double p50) {
  Aggregate a;
  a.step = "storm";
  a.target = target;
  a.metric = metric;
  a.unit = "s";
  a.p50 = p50;
  return a;
}

TEST(Comparison, PairsByStepTargetAndMetricThenListsBaseOnlyOnes) {
  Result now, base;
  now.aggregates = {Agg("runc", "start_latency", 1), Agg("crun", "start_latency", 2)};
  base.aggregates = {Agg("crun", "start_latency", 4), Agg("runc", "op_latency.create", 3)};
  auto compared = CompareAggregates(now, base);
  ASSERT_EQ(compared.size(), 3u);
  EXPECT_EQ(compared[0].now, &now.aggregates[0]);
  EXPECT_EQ(compared[0].base, nullptr);
  EXPECT_EQ(compared[1].now, &now.aggregates[1]);
  EXPECT_EQ(compared[1].base, &base.aggregates[0]);
  EXPECT_EQ(compared[2].now, nullptr);
  EXPECT_EQ(compared[2].base, &base.aggregates[1]);
  EXPECT_EQ(compared[2].any().metric, "op_latency.create");
}

TEST(Comparison, Ratio) {
  EXPECT_EQ(Ratio(4, 2), "0.500");
  EXPECT_EQ(Ratio(0, 2), "-");
  EXPECT_EQ(Ratio(1, std::nan("")), "-");
}

}  // namespace
}  // namespace faultline::reports
