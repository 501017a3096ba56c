#include "reports/aggregate.h"

#include <gtest/gtest.h>

namespace faultline::reports {
namespace {

Sample MakeSample(const std::string& step, const std::string& target, const std::string& op,
                  std::int64_t duration_ns, bool ok = true) {
  Sample s;
  s.step = step;
  s.target = target;
  s.op = op;
  s.duration_ns = duration_ns;
  s.ok = ok;
  if (!ok) s.error = "boom";
  return s;
}

// With an open-loop rate a start counts from its scheduled release: the wait behind the platform
// is latency (no coordinated omission). Never less than the service time; closed loop, it is
// the service time.
TEST(LatencyNs, CountsFromTheScheduledReleaseWhenThereIsOne) {
  Sample s = MakeSample("storm", "runc", "run", 30'000'000);
  s.start_ns = 1'000'000'000;
  EXPECT_EQ(LatencyNs(s), 30'000'000);
  s.scheduled_ns = 900'000'000;
  EXPECT_EQ(LatencyNs(s), 130'000'000);
  s.scheduled_ns = 1'000'000'100;  // issued a hair before its release (clock reads apart)
  EXPECT_EQ(LatencyNs(s), 30'000'000);

  Result r;
  Sample late = MakeSample("storm", "runc", "run", 30'000'000);
  late.start_ns = 1'000'000'000;
  late.scheduled_ns = 900'000'000;
  r.samples = {late};
  const std::vector<MetricSeries> series = CollectMetrics(r);
  ASSERT_FALSE(series.empty());
  EXPECT_EQ(series[0].metric, "start_latency");
  EXPECT_DOUBLE_EQ(series[0].values.begin()->second.at(0), 0.13);
}

TEST(JoinRate, JoinedStartsOverEveryStartsWallSpanNothingWithoutProbes) {
  std::vector<Sample> samples = {MakeSample("storm", "runc", "run", 1),
                                 MakeSample("storm", "runc", "run", 2)};
  EXPECT_FALSE(JoinRate(samples).has_value());  // no probes: no run_wall at all
  for (int i = 0; i < 3; ++i) samples.push_back(MakeSample("storm", "runc", "run_wall", 3));
  samples.push_back(MakeSample("storm", "runc", "run_wall", 3, /*ok=*/false));
  samples.push_back(MakeSample("storm", "crun", "run_wall", 3));
  EXPECT_DOUBLE_EQ(*JoinRate(samples, "storm", "runc"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(*JoinRate(samples), 2.0 / 4);
  EXPECT_DOUBLE_EQ(*JoinRate(samples, "storm", "crun"), 0.0);
  EXPECT_FALSE(JoinRate(samples, "ramp").has_value());
}

Result MakeResult() {
  Result r;
  r.samples = {
      MakeSample("storm", "runc", "create", 500'000),
      MakeSample("storm", "runc", "run", 1'000'000),
      MakeSample("storm", "runc", "run", 3'000'000),
      MakeSample("storm", "runc", "run", 10'000'000, /*ok=*/false),
      MakeSample("storm", "runc", "run", 2'000'000),
      MakeSample("storm", "crun", "run", 4'000'000),
      // "ramp" sorts before "storm" but appears later: steps keep their run order.
      MakeSample("ramp", "runc", "run", 5'000'000),
  };
  DensityPoint empty;
  empty.step = "ramp";
  empty.target = "runc";
  DensityPoint p1 = empty;
  p1.containers = 5;
  p1.memory_per_container_bytes = 1000;
  p1.runtime_overhead_per_container_bytes = 200;
  DensityPoint p2 = empty;
  p2.containers = 10;
  p2.memory_per_container_bytes = 2000;
  p2.runtime_overhead_per_container_bytes = 100;
  r.density = {empty, p1, p2};
  DensityOutcome o1;
  o1.step = "ramp";
  o1.target = "runc";
  o1.reached = 10;
  DensityOutcome o2 = o1;
  o2.repetition = 1;
  o2.reached = 20;
  r.density_outcomes = {o1, o2};
  return r;
}

const Aggregate* Find(const std::vector<Aggregate>& all, const std::string& step,
                      const std::string& target, const std::string& metric) {
  for (const auto& a : all) {
    if (a.step == step && a.target == target && a.metric == metric) return &a;
  }
  return nullptr;
}

TEST(Aggregates, DeterministicOrder) {
  std::vector<Aggregate> all = ComputeAggregates(MakeResult());
  std::vector<std::string> keys;
  for (const auto& a : all) keys.push_back(a.step + "/" + a.target + "/" + a.metric);
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "storm/crun/start_latency",
                      "storm/runc/op_latency.create",
                      "storm/runc/start_latency",
                      "ramp/runc/density.memory_per_container",
                      "ramp/runc/density.reached",
                      "ramp/runc/density.runtime_overhead_per_container",
                      "ramp/runc/start_latency",
                  }));
}

TEST(Aggregates, FailedSamplesAreCountedButNotMeasured) {
  std::vector<Aggregate> all = ComputeAggregates(MakeResult());
  const Aggregate* a = Find(all, "storm", "runc", "start_latency");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->unit, "s");
  EXPECT_EQ(a->count, 3u);
  EXPECT_EQ(a->failed, 1u);
  EXPECT_DOUBLE_EQ(a->min, 0.001);
  EXPECT_DOUBLE_EQ(a->max, 0.003);  // the failed 10ms sample is excluded
  EXPECT_DOUBLE_EQ(a->mean, 0.002);
  EXPECT_DOUBLE_EQ(a->p50, 0.002);
  EXPECT_NEAR(a->stddev, 0.001, 1e-15);
  EXPECT_NEAR(a->p99, 0.00298, 1e-15);  // h = 1.98

  const Aggregate* create = Find(all, "storm", "runc", "op_latency.create");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->count, 1u);
  EXPECT_EQ(create->failed, 0u);
  EXPECT_DOUBLE_EQ(create->p50, 0.0005);
}

TEST(Aggregates, DensityMetrics) {
  std::vector<Aggregate> all = ComputeAggregates(MakeResult());
  const Aggregate* memory = Find(all, "ramp", "runc", "density.memory_per_container");
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(memory->unit, "bytes");
  EXPECT_EQ(memory->count, 2u);  // the point with nothing running is skipped
  EXPECT_DOUBLE_EQ(memory->mean, 1500);
  const Aggregate* overhead = Find(all, "ramp", "runc", "density.runtime_overhead_per_container");
  ASSERT_NE(overhead, nullptr);
  EXPECT_DOUBLE_EQ(overhead->max, 200);
  const Aggregate* reached = Find(all, "ramp", "runc", "density.reached");
  ASSERT_NE(reached, nullptr);
  EXPECT_EQ(reached->unit, "count");
  EXPECT_EQ(reached->count, 2u);
  EXPECT_DOUBLE_EQ(reached->min, 10);
  EXPECT_DOUBLE_EQ(reached->max, 20);
}

TEST(Aggregates, AllFailedGivesZeroCount) {
  Result r;
  r.samples = {MakeSample("s", "t", "run", 1, false), MakeSample("s", "t", "run", 2, false)};
  std::vector<Aggregate> all = ComputeAggregates(r);
  const Aggregate* a = Find(all, "s", "t", "start_latency");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->count, 0u);
  EXPECT_EQ(a->failed, 2u);
  EXPECT_EQ(a->p99, 0);
}

TEST(Aggregates, PerRepetition) {
  Result r;
  r.samples = {MakeSample("s", "t", "run", 1'000'000), MakeSample("s", "t", "run", 3'000'000),
               MakeSample("s", "t", "run", 10'000'000), MakeSample("s", "t", "run", 7, false)};
  r.samples[2].repetition = 1;
  r.samples[3].repetition = 2;  // a repetition with only a failure still has an aggregate
  std::vector<Aggregate> all = ComputeRepetitionAggregates(r);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].repetition, 0);
  EXPECT_EQ(all[0].count, 2u);
  EXPECT_DOUBLE_EQ(all[0].p50, 0.002);
  EXPECT_EQ(all[1].repetition, 1);
  EXPECT_DOUBLE_EQ(all[1].p50, 0.010);
  EXPECT_EQ(all[2].repetition, 2);
  EXPECT_EQ(all[2].count, 0u);
  EXPECT_EQ(all[2].failed, 1u);
  // The pooled aggregate has no repetition.
  EXPECT_FALSE(ComputeAggregates(r)[0].repetition.has_value());
}

TEST(Aggregates, EmptyResult) {
  EXPECT_TRUE(ComputeAggregates(Result{}).empty());
}

TEST(Aggregates, MetricUnits) {
  EXPECT_EQ(MetricUnit("start_latency"), "s");
  EXPECT_EQ(MetricUnit("op_latency.delete"), "s");
  EXPECT_EQ(MetricUnit("density.memory_per_container"), "bytes");
  EXPECT_EQ(MetricUnit("density.reached"), "count");
  EXPECT_EQ(MetricUnit("start_phase.exec"), "s");
  EXPECT_EQ(MetricUnit("platform_event.task_start"), "s");
  EXPECT_EQ(MetricUnit("recovery_time"), "s");
  EXPECT_EQ(MetricUnit("recovery_time.node.kill"), "s");
  EXPECT_EQ(MetricUnit("tcp_rr"), "");
}

TEST(Aggregates, StartPhasesAreGapsInTimeOrderAndAddUpToStartLatency) {
  Result r;
  Sample s;
  s.step = "storm";
  s.target = "crun";
  s.op = "run";
  s.start_ns = 1000;
  s.duration_ns = 40'000'000;
  // crun: namespaces before the cgroup.
  s.phases = {{"runtime_exec", 5'000'000},    {"namespaces_created", 10'000'000},
              {"cgroup_created", 12'000'000}, {"pid1_forked", 13'000'000},
              {"user_exec", 40'000'000},      {"exit", 45'000'000}};
  r.samples = {s};
  double sum = 0;
  int phases = 0;
  for (const Aggregate& a : ComputeAggregates(r)) {
    if (a.metric.rfind("start_phase.", 0) != 0) continue;
    ++phases;
    EXPECT_GE(a.p50, 0) << a.metric;
    EXPECT_EQ(a.unit, "s");
    sum += a.p50;
    if (a.metric == "start_phase.cgroup_created") {
      EXPECT_DOUBLE_EQ(a.p50, 0.002);
    }
  }
  EXPECT_EQ(phases, 5);  // exit is not a start phase
  EXPECT_NEAR(sum, 0.040, 1e-12);
}

TEST(Aggregates, PlatformEventsAreOffsetsFromTheOperationsIssue) {
  Result r;
  Sample s;
  s.step = "storm";
  s.target = "containerd";
  s.op = "run";
  s.duration_ns = 40'000'000;
  s.events = {{"task_start", 45'000'000}};
  r.samples = {s, s};
  r.samples[1].events = {{"task_start", 55'000'000}};
  bool found = false;
  for (const Aggregate& a : ComputeAggregates(r)) {
    if (a.metric != "platform_event.task_start") continue;
    found = true;
    EXPECT_EQ(a.count, 2u);
    EXPECT_DOUBLE_EQ(a.min, 0.045);
    EXPECT_DOUBLE_EQ(a.max, 0.055);
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace faultline::reports
