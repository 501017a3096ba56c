#include "reports/console.h"

#include <gtest/gtest.h>

namespace faultline::reports {
namespace {

Result MakeResult() {
  Result r;
  r.context.scenario_name = "start-latency";
  r.context.run_id = "run1";
  Aggregate a;
  a.step = "storm";
  a.target = "runc";
  a.metric = "start_latency";
  a.unit = "s";
  a.count = 199;
  a.failed = 1;
  a.p50 = 0.0274;
  a.p90 = 0.0351;
  a.p99 = 0.000812;
  a.max = 1.2;
  a.mean = 0.03;
  Aggregate m;
  m.step = "ramp";
  m.target = "crun";
  m.metric = "density.memory_per_container";
  m.unit = "bytes";
  m.count = 3;
  m.p50 = 3.1 * 1024 * 1024;
  Aggregate none = a;
  none.target = "crun";
  none.count = 0;
  none.failed = 5;
  r.aggregates = {a, none, m};
  DensityOutcome o;
  o.step = "ramp";
  o.target = "crun";
  o.reached = 40;
  o.stopped_by = "slo";
  o.knee = 35;
  r.density_outcomes = {o};
  SloVerdict pass{"start_latency.p99 <= 250ms", "storm", "runc", 0.000812, 0.25, "s", true, ""};
  SloVerdict fail{"start_latency.p50 <= 10ms", "storm", "runc", 0.0274, 0.01, "s", false, "x"};
  SloVerdict nodata{"start_latency.p99 <= 250ms",
                    "storm",
                    "crun",
                    0,
                    0.25,
                    "s",
                    false,
                    "no successful samples for start_latency in step storm for target crun"};
  r.slo = {pass, fail, nodata};
  r.validity = {"step storm target crun: 5 of 5 samples failed"};
  return r;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Console, RendersTablesVerdictsAndWarnings) {
  const std::string text = RenderSummary(MakeResult(), /*color=*/false);
  SCOPED_TRACE(text);
  EXPECT_FALSE(Contains(text, "\x1b["));
  EXPECT_TRUE(Contains(text, "step storm"));
  EXPECT_TRUE(Contains(text, "step ramp"));
  EXPECT_LT(text.find("step storm"), text.find("step ramp"));  // result order, not sorted
  for (const char* header :
       {"target", "metric", "count", "failed", "p50", "p90", "p99", "max", "mean"}) {
    EXPECT_TRUE(Contains(text, header)) << header;
  }
  EXPECT_TRUE(Contains(text, "start_latency"));
  EXPECT_TRUE(Contains(text, "27.4ms"));
  EXPECT_TRUE(Contains(text, "35.1ms"));
  EXPECT_TRUE(Contains(text, "812us"));
  EXPECT_TRUE(Contains(text, "1.20s"));
  EXPECT_TRUE(Contains(text, "30.0ms"));
  EXPECT_TRUE(Contains(text, "3.1MiB"));
  EXPECT_TRUE(Contains(text, "199"));
  EXPECT_TRUE(Contains(text, "stopped_by"));
  EXPECT_TRUE(Contains(text, "slo"));
  EXPECT_TRUE(Contains(text, "35"));
  EXPECT_TRUE(Contains(text,
                       "PASS  start_latency.p99 <= 250ms  [storm/runc]  observed 812us, "
                       "limit 250ms"));
  EXPECT_TRUE(Contains(text,
                       "FAIL  start_latency.p50 <= 10ms  [storm/runc]  observed 27.4ms, "
                       "limit 10.0ms"));
  EXPECT_TRUE(Contains(text,
                       "FAIL  start_latency.p99 <= 250ms  [storm/crun]  (no successful "
                       "samples for start_latency in step storm for target crun)"));
  EXPECT_TRUE(Contains(text, "warning: step storm target crun: 5 of 5 samples failed"));
}

TEST(Console, ColumnsAlign) {
  const std::string text = RenderSummary(MakeResult(), false);
  // Both storm rows end their p50 cell at the same column.
  const auto header = text.find("  target");
  ASSERT_NE(header, std::string::npos);
  const auto line_start = [&](std::size_t pos) { return text.rfind('\n', pos) + 1; };
  const auto runc = text.find("  runc ");
  const auto crun = text.find("  crun ", runc);
  ASSERT_NE(runc, std::string::npos);
  ASSERT_NE(crun, std::string::npos);
  const auto runc_line = text.substr(line_start(runc), text.find('\n', runc) - line_start(runc));
  const auto crun_line = text.substr(line_start(crun), text.find('\n', crun) - line_start(crun));
  EXPECT_EQ(runc_line.find("start_latency"), crun_line.find("start_latency"));
  // A metric with no successful samples shows dashes, not zeros.
  EXPECT_TRUE(Contains(crun_line, "-")) << crun_line;
  EXPECT_FALSE(Contains(crun_line, "0s")) << crun_line;
}

TEST(Console, ColorOnlyWhenAsked) {
  const std::string text = RenderSummary(MakeResult(), /*color=*/true);
  EXPECT_TRUE(Contains(text, "\x1b[32mPASS\x1b[0m"));
  EXPECT_TRUE(Contains(text, "\x1b[31mFAIL\x1b[0m"));
}

TEST(Console, FaultsWithImpactAndRecovery) {
  Result r;
  FaultRecord f;
  f.kind = "node.pause";
  f.step = "storm";
  f.target = "runc";
  f.nodes = {"local"};
  f.inject_ns = 1'000'000'000;
  f.revert_ns = 3'000'000'000;
  f.ended_by = "ttl";
  f.baseline = WindowStats{10, 0, 0, 0.01, 0.02};
  f.during = WindowStats{8, 3, 0.375, 0.5, 1.5};
  f.control = WindowStats{6, 0, 0, 0.02, 0.03};
  f.recovery_bound_s = 0.04;
  f.recovery_time_s = 0.3;
  FaultRecord never = f;
  never.kind = "node.kill";
  never.recovery_time_s.reset();
  FaultRecord failed;
  failed.kind = "container.oom";
  failed.ok = false;
  failed.ended_by = "failed";
  failed.error = "no running container";
  r.faults = {f, never, failed};
  const std::string text = RenderSummary(r, false);
  EXPECT_NE(text.find("faults\n"), std::string::npos) << text;
  EXPECT_NE(text.find("node.pause     storm/runc rep 1  local   2.00s      20.0ms       1.50s      "
                      " 30.0ms"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("3/8"), std::string::npos) << text;
  EXPECT_NE(text.find("never"), std::string::npos) << text;
  EXPECT_NE(text.find("FAILED: no running container"), std::string::npos) << text;
  EXPECT_EQ(text.find("platform daemons"), std::string::npos) << "no platform fault, no table";
}

TEST(Console, PlatformFaultsShowSurvivorsAndRecoveryPerNode) {
  Result r;
  FaultRecord f;
  f.kind = "platform.daemon_restart";
  f.step = "churn";
  f.target = "docker";
  f.nodes = {"node-1", "node-2"};
  f.inject_ns = 1'000'000'000;
  f.revert_ns = 4'000'000'000;
  f.ended_by = "ttl";
  DaemonOutcome lost{"node-1", "dockerd", 1, 2, 4, 0, 4, 0.25, 10.5, ""};
  DaemonOutcome never{"node-2",
                      "dockerd",
                      1,
                      2,
                      0,
                      0,
                      0,
                      std::nullopt,
                      std::nullopt,
                      "its API did not answer within 60 s"};
  f.daemons = {lost, never};
  r.faults = {f};
  const std::string text = RenderSummary(r, false);
  EXPECT_NE(text.find("platform daemons"), std::string::npos) << text;
  EXPECT_NE(
      text.find("node-1  dockerd               4         0     4         250ms            10.5s"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("its API did not answer within 60 s"), std::string::npos) << text;
}

}  // namespace
}  // namespace faultline::reports
