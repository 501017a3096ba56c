#include "reports/fault_impact.h"

#include <gtest/gtest.h>

#include "reports/aggregate.h"
#include "reports/slo.h"

namespace faultline::reports {
namespace {

constexpr std::int64_t kMs = 1'000'000;

// One "run" sample every 100 ms from 0 to END_MS: 10 ms normally, LATENCY_IN_MS inside
// [slow_from, slow_to), failed inside [fail_from, fail_to).
std::vector<Sample> Stream(std::int64_t end_ms, std::int64_t slow_from, std::int64_t slow_to,
                           std::int64_t latency_in_ms, std::int64_t fail_from = -1,
                           std::int64_t fail_to = -1) {
  std::vector<Sample> out;
  for (std::int64_t t = 0; t < end_ms; t += 100) {
    Sample s;
    s.step = "storm";
    s.target = "runc";
    s.op = "run";
    s.start_ns = t * kMs;
    s.duration_ns = (t >= slow_from && t < slow_to ? latency_in_ms : 10) * kMs;
    s.ok = !(t >= fail_from && t < fail_to);
    if (!s.ok) s.error = "boom";
    out.push_back(s);
  }
  return out;
}

FaultRecord Fault(std::int64_t inject_ms, std::int64_t revert_ms) {
  FaultRecord f;
  f.kind = "node.pause";
  f.step = "storm";
  f.target = "runc";
  f.inject_ns = inject_ms * kMs;
  f.revert_ns = revert_ms * kMs;
  return f;
}

// Request/response traffic outranks container starts; its SLO bounds recovery and its failed
// round trips in the window are the drops (no probe signals here).
TEST(FaultImpact, RequestResponseUsesItsSloAndCountsFailedTripsAsDrops) {
  Result result;
  result.samples = Stream(8000, 0, 0, 10);  // container starts, unaffected
  for (Sample s : Stream(8000, 3000, 3500, 300, 2000, 3000)) {
    s.op = "tcp_rr";
    result.samples.push_back(s);
  }
  result.faults = {Fault(2000, 3000)};
  scenario::SloRule rule;
  rule.metric = "op_latency.tcp_rr";
  rule.statistic = "p99";
  rule.max = 0.1;
  MeasureFaultImpact(result, {rule});
  const FaultRecord& f = result.faults[0];
  EXPECT_EQ(f.impact_metric, "op_latency.tcp_rr");
  ASSERT_TRUE(f.during);
  EXPECT_EQ(f.during->failed, 10u);
  ASSERT_TRUE(f.drops);
  EXPECT_EQ(*f.drops, 10u);
  EXPECT_EQ(f.drops_from, "tcp_rr_failures");
  ASSERT_TRUE(f.recovery_bound_s);
  EXPECT_DOUBLE_EQ(*f.recovery_bound_s, 0.1);
  ASSERT_TRUE(f.recovery_time_s);
  EXPECT_NEAR(*f.recovery_time_s, 0.5, 1e-9);  // slow (300 ms) until 3.5 s
}

TEST(FaultImpact, BaselineWindowAndRecoveryFromConstructedSamples) {
  Result result;
  // Slow (500 ms) from the injection at 2 s until 1.5 s after the revert at 3 s.
  result.samples = Stream(8000, 2000, 4500, 500);
  result.faults = {Fault(2000, 3000)};
  MeasureFaultImpact(result, {});
  const FaultRecord& f = result.faults[0];
  EXPECT_EQ(f.impact_metric, "start_latency");
  ASSERT_TRUE(f.baseline);
  EXPECT_EQ(f.baseline->samples, 10u);  // 1.0 s .. 1.9 s: a window as long as the fault
  EXPECT_DOUBLE_EQ(f.baseline->p99_s, 0.010);
  ASSERT_TRUE(f.during);
  EXPECT_EQ(f.during->samples, 10u);
  EXPECT_DOUBLE_EQ(f.during->p50_s, 0.5);
  ASSERT_TRUE(f.recovery_bound_s);
  EXPECT_DOUBLE_EQ(*f.recovery_bound_s, 0.020);  // twice the baseline p99
  ASSERT_TRUE(f.recovery_time_s);
  EXPECT_NEAR(*f.recovery_time_s, 1.5, 1e-9);  // first good sample at 4.5 s, revert at 3 s
}

TEST(FaultImpact, ErrorsCountInTheWindowAndDelayRecovery) {
  Result result;
  result.samples = Stream(6000, 0, 0, 10, 2000, 3200);
  result.faults = {Fault(2000, 3000)};
  MeasureFaultImpact(result, {});
  const FaultRecord& f = result.faults[0];
  EXPECT_EQ(f.during->failed, 10u);
  EXPECT_DOUBLE_EQ(f.during->error_rate, 1.0);
  ASSERT_TRUE(f.recovery_time_s);
  EXPECT_NEAR(*f.recovery_time_s, 0.2, 1e-9);
}

TEST(FaultImpact, NeverRecoveredIsNullAndFailsTheSlo) {
  Result result;
  result.samples = Stream(5000, 2000, 99999, 500);
  result.faults = {Fault(2000, 3000)};
  MeasureFaultImpact(result, {});
  EXPECT_TRUE(result.faults[0].recovery_bound_s);
  EXPECT_FALSE(result.faults[0].recovery_time_s);
  auto aggregates = ComputeAggregates(result);
  scenario::SloRule rule;
  rule.metric = "recovery_time";
  rule.statistic = "max";
  rule.max = 5;
  auto verdicts = EvaluateSlo({rule}, aggregates);
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_NE(verdicts[0].reason.find("never recovered"), std::string::npos);
}

TEST(FaultImpact, SloBoundReplacesTheBaselineBound) {
  Result result;
  // 30 ms after the revert: above twice the baseline (20 ms), within a 50 ms SLO.
  result.samples = Stream(6000, 2000, 6000, 30);
  result.faults = {Fault(2000, 3000)};
  scenario::SloRule rule;
  rule.metric = "start_latency";
  rule.statistic = "p99";
  rule.max = 0.05;
  MeasureFaultImpact(result, {rule});
  ASSERT_TRUE(result.faults[0].recovery_time_s);
  EXPECT_DOUBLE_EQ(*result.faults[0].recovery_time_s, 0.0);
  EXPECT_DOUBLE_EQ(*result.faults[0].recovery_bound_s, 0.05);
}

TEST(FaultImpact, RecoveryTimeAggregatesPerKindForSloRules) {
  Result result;
  result.samples = Stream(20000, 2000, 4000, 500);
  FaultRecord a = Fault(2000, 3000);    // recovers at 4.0 s: 1 s
  FaultRecord b = Fault(10000, 11000);  // recovers at once
  b.kind = "node.kill";
  result.faults = {a, b};
  MeasureFaultImpact(result, {});
  auto aggregates = ComputeAggregates(result);
  auto find = [&](const std::string& metric) -> const Aggregate* {
    for (const auto& ag : aggregates) {
      if (ag.metric == metric) return &ag;
    }
    return nullptr;
  };
  ASSERT_NE(find("recovery_time"), nullptr);
  EXPECT_EQ(find("recovery_time")->count, 2u);
  EXPECT_NEAR(find("recovery_time")->max, 1.0, 1e-9);
  ASSERT_NE(find("recovery_time.node.kill"), nullptr);
  EXPECT_NEAR(find("recovery_time.node.kill")->max, 0.0, 1e-9);
  EXPECT_EQ(find("recovery_time")->unit, "s");
  scenario::SloRule rule;
  rule.metric = "recovery_time.node.pause";
  rule.statistic = "max";
  rule.max = 0.5;
  auto verdicts = EvaluateSlo({rule}, aggregates);
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_NEAR(verdicts[0].observed, 1.0, 1e-9);
}

TEST(FaultImpact, RecoveryNeedsAFullRunOfGoodSamples) {
  std::vector<Sample> samples = Stream(1000, 0, 0, 10);
  samples[3].ok = false;  // 0..2 good, 3 bad, 4..8 good: the run starts at sample 4
  std::vector<const Sample*> view;
  for (const auto& s : samples) view.push_back(&s);
  auto t = RecoveryTime(view, 0, 0.02, 5);
  ASSERT_TRUE(t);
  EXPECT_NEAR(*t, 0.4, 1e-9);
  EXPECT_FALSE(
      RecoveryTime(std::vector<const Sample*>(view.begin(), view.begin() + 4), 0, 0.02, 5));
}

// Round trips between NODE and PEER every 100 ms; failed inside [fail_from, fail_to).
std::vector<Sample> Trips(const std::string& node, const std::string& peer, std::int64_t fail_from,
                          std::int64_t fail_to) {
  std::vector<Sample> out = Stream(8000, 0, 0, 10, fail_from, fail_to);
  for (Sample& s : out) {
    s.op = "tcp_rr";
    s.node = node;
    s.peer = peer;
  }
  return out;
}

// An isolated node-1 of three: its round trips fail, node-2 <-> node-3 is the control, and
// recovery is read on the cut paths alone.
TEST(FaultImpact, APartitionIsMeasuredOnTheCutPathsWithTheOthersAsControl) {
  Result result;
  for (auto [node, peer] : {std::pair{"node-1", "node-2"}, {"node-3", "node-1"}}) {
    for (const Sample& s : Trips(node, peer, 2000, 3300)) result.samples.push_back(s);
  }
  for (const Sample& s : Trips("node-2", "node-3", -1, -1)) result.samples.push_back(s);
  FaultRecord fault = Fault(2000, 3000);
  fault.kind = "network.partition";
  fault.nodes = {"node-1", "node-2", "node-3"};
  fault.cuts = {{{"node-1"}, {"node-2", "node-3"}}};
  result.faults = {fault};
  MeasureFaultImpact(result, {});
  const FaultRecord& f = result.faults[0];
  ASSERT_TRUE(f.during && f.baseline && f.control);
  EXPECT_EQ(f.during->samples, 20u);  // 10 per cut path
  EXPECT_EQ(f.during->failed, 20u);
  EXPECT_EQ(f.baseline->failed, 0u);
  EXPECT_EQ(f.control->samples, 10u);
  EXPECT_EQ(f.control->failed, 0u);
  ASSERT_TRUE(f.recovery_time_s);
  EXPECT_NEAR(*f.recovery_time_s, 0.3, 1e-9);  // the cut paths failed until 3.3 s
}

// A fault on one node: samples on it, or round trips to it, are its impact; the rest control.
TEST(FaultImpact, ANodeFaultIsMeasuredOnTheNodesPaths) {
  FaultRecord fault = Fault(2000, 3000);
  fault.nodes = {"node-2"};
  Sample start;
  start.op = "run";
  start.node = "node-2";
  EXPECT_TRUE(OnFaultedPath(fault, start));
  start.node = "node-1";
  EXPECT_FALSE(OnFaultedPath(fault, start));
  Sample trip;
  trip.op = "tcp_rr";
  trip.node = "node-1";
  trip.peer = "node-2";
  EXPECT_TRUE(OnFaultedPath(fault, trip));
  trip.peer = "node-3";
  EXPECT_FALSE(OnFaultedPath(fault, trip));
  fault.nodes.clear();  // the whole run's
  EXPECT_TRUE(OnFaultedPath(fault, trip));
  fault.cuts = {{{"node-1"}, {"node-2", "node-3"}}};
  EXPECT_TRUE(OnFaultedPath(fault, start)) << "a start is local to a node on some side";
  EXPECT_TRUE(OnFaultedPath(fault, trip)) << "node-1 -> node-3 crosses the cut";
  trip.node = "node-2";
  EXPECT_FALSE(OnFaultedPath(fault, trip)) << "node-2 -> node-3 stays on one side";
}

TEST(FaultImpact, AFailedInjectionHasNoImpact) {
  Result result;
  result.samples = Stream(5000, 0, 0, 10);
  FaultRecord f = Fault(2000, 0);
  f.ok = false;
  result.faults = {f};
  MeasureFaultImpact(result, {});
  EXPECT_FALSE(result.faults[0].during);
  EXPECT_FALSE(result.faults[0].recovery_bound_s);
}

}  // namespace
}  // namespace faultline::reports
