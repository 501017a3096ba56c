#include "reports/slo.h"

#include <gtest/gtest.h>

namespace faultline::reports {
namespace {

Aggregate MakeAggregate(const std::string& step, const std::string& target,
                        const std::string& metric, double p99, std::uint64_t count = 10) {
  Aggregate a;
  a.step = step;
  a.target = target;
  a.metric = metric;
  a.unit = "s";
  a.count = count;
  a.p50 = p99 / 2;
  a.p99 = p99;
  a.max = p99 * 2;
  return a;
}

scenario::SloRule Rule(const std::string& metric, const std::string& statistic, double max) {
  scenario::SloRule rule;
  rule.metric = metric;
  rule.statistic = statistic;
  rule.max = max;
  rule.text = metric + "." + statistic + " <= " + std::to_string(max);
  return rule;
}

const std::vector<Aggregate> kAggregates = {
    MakeAggregate("storm", "crun", "start_latency", 0.020),
    MakeAggregate("storm", "runc", "start_latency", 0.300),
    MakeAggregate("storm", "runc", "op_latency.create", 0.100),
    MakeAggregate("other", "runc", "start_latency", 0.010),
};

TEST(Slo, OneVerdictPerMatchingAggregate) {
  auto verdicts = EvaluateSlo({Rule("start_latency", "p99", 0.25)}, kAggregates);
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_EQ(verdicts[0].target, "crun");
  EXPECT_TRUE(verdicts[0].pass);
  EXPECT_DOUBLE_EQ(verdicts[0].observed, 0.020);
  EXPECT_EQ(verdicts[0].unit, "s");
  EXPECT_EQ(verdicts[0].rule, "start_latency.p99 <= 0.250000");
  EXPECT_EQ(verdicts[1].target, "runc");
  EXPECT_FALSE(verdicts[1].pass);
  EXPECT_DOUBLE_EQ(verdicts[1].observed, 0.300);
  EXPECT_DOUBLE_EQ(verdicts[1].limit, 0.25);
  EXPECT_FALSE(verdicts[1].reason.empty());
  EXPECT_EQ(verdicts[2].step, "other");
  EXPECT_TRUE(verdicts[2].pass);
}

TEST(Slo, StatisticPicksTheField) {
  auto p50 = EvaluateSlo({Rule("start_latency", "p50", 0.16)}, kAggregates);
  auto max = EvaluateSlo({Rule("start_latency", "max", 0.16)}, kAggregates);
  EXPECT_TRUE(p50[1].pass);   // 0.150
  EXPECT_FALSE(max[1].pass);  // 0.600
  EXPECT_DOUBLE_EQ(max[1].observed, 0.6);
}

TEST(Slo, EqualToTheLimitPasses) {
  auto verdicts = EvaluateSlo({Rule("op_latency.create", "p99", 0.100)}, kAggregates);
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_TRUE(verdicts[0].pass);
}

TEST(Slo, StepAndTargetRestrict) {
  scenario::SloRule rule = Rule("start_latency", "p99", 0.25);
  rule.step = "storm";
  rule.target = "runc";
  auto verdicts = EvaluateSlo({rule}, kAggregates);
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0].step, "storm");
  EXPECT_EQ(verdicts[0].target, "runc");
  EXPECT_FALSE(verdicts[0].pass);
}

TEST(Slo, NoMatchingAggregateFails) {
  auto verdicts = EvaluateSlo({Rule("recovery_time", "max", 5)}, kAggregates);
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_EQ(verdicts[0].reason, "no successful samples for recovery_time");

  scenario::SloRule rule = Rule("start_latency", "p99", 1);
  rule.target = "youki";
  verdicts = EvaluateSlo({rule}, kAggregates);
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_EQ(verdicts[0].reason, "no successful samples for start_latency for target youki");
  EXPECT_EQ(verdicts[0].unit, "s");
}

TEST(Slo, OnlyFailedSamplesFails) {
  Aggregate failed = MakeAggregate("storm", "runc", "start_latency", 0, /*count=*/0);
  failed.failed = 7;
  auto verdicts = EvaluateSlo({Rule("start_latency", "p99", 0.25)}, {failed});
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].pass);  // 0 <= 0.25 must not pass: nothing was measured
  EXPECT_EQ(verdicts[0].reason.rfind("no successful samples for start_latency", 0), 0u)
      << verdicts[0].reason;
}

TEST(Slo, UnknownStatisticFails) {
  auto verdicts = EvaluateSlo({Rule("start_latency", "p42", 1)}, {kAggregates[0]});
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].pass);
}

TEST(Slo, NoRulesNoVerdicts) {
  EXPECT_TRUE(EvaluateSlo({}, kAggregates).empty());
}

}  // namespace
}  // namespace faultline::reports
