#include "reports/prometheus/run_metrics.h"

#include <gtest/gtest.h>

namespace faultline::reports::prometheus {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(RunMetrics, SamplesFeedHistogramsAndErrors) {
  RunMetrics metrics({{"runc", "runc"}, {"fast", "crun"}});
  Sample run;
  run.step = "storm";
  run.target = "fast";
  run.node = "local";
  run.op = "run";
  run.duration_ns = 12'000'000;
  run.phases = {{"runtime_exec", 1'000'000}, {"user_exec", 9'000'000}};
  metrics.OnSample(run, nullptr);
  Sample create = run;
  create.op = "create";
  create.phases.clear();
  metrics.OnSample(create, nullptr);
  Sample failed = run;
  failed.ok = false;
  failed.op = "start";
  metrics.OnSample(failed, "deadline exceeded");
  metrics.OnContainersRunning(+1);
  metrics.OnContainersRunning(+1);
  metrics.OnContainersRunning(-1);
  const std::string text = metrics.registry().Encode();
  EXPECT_TRUE(Has(text,
                  "faultline_start_latency_seconds_bucket{target=\"fast\",runtime=\"crun\","
                  "node=\"local\",step=\"storm\",le=\"0.01\"} 0"));
  EXPECT_TRUE(Has(text,
                  "faultline_start_latency_seconds_bucket{target=\"fast\",runtime=\"crun\","
                  "node=\"local\",step=\"storm\",le=\"0.015\"} 1"));
  EXPECT_TRUE(Has(text,
                  "faultline_start_latency_seconds_count{target=\"fast\",runtime=\"crun\","
                  "node=\"local\",step=\"storm\"} 1"));
  EXPECT_TRUE(Has(text,
                  "faultline_start_phase_seconds_sum{target=\"fast\",runtime=\"crun\","
                  "node=\"local\",phase=\"user_exec\"} 0.008"));
  EXPECT_TRUE(Has(text,
                  "faultline_op_duration_seconds_count{target=\"fast\",runtime=\"crun\","
                  "op=\"create\"} 1"));
  EXPECT_TRUE(Has(text,
                  "faultline_op_errors_total{target=\"fast\",runtime=\"crun\",op=\"start\","
                  "reason=\"deadline exceeded\"} 1"));
  EXPECT_TRUE(Has(text, "faultline_workload_running_containers 1"));
  EXPECT_TRUE(Has(text, "faultline_fault_active_faults 0"));
}

TEST(RunMetrics, BucketsAreAcceptedAndCoverMilliseconds) {
  Registry registry;
  EXPECT_TRUE(registry.Define("x", MetricType::kHistogram, "h", {}, StartLatencyBuckets()).ok());
  EXPECT_EQ(StartLatencyBuckets().front(), 0.001);
  // Every family RunMetrics defines is there (a rejected definition would be missing).
  const std::string text = RunMetrics({}).registry().Encode();
  for (const char* name :
       {"faultline_start_latency_seconds", "faultline_start_phase_seconds",
        "faultline_op_duration_seconds", "faultline_op_errors_total",
        "faultline_workload_running_containers", "faultline_fault_active_faults"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace faultline::reports::prometheus
