#include "reports/prometheus/run_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>

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
  const std::string text = metrics.Encode();
  EXPECT_TRUE(Has(text,
                  "faultline_start_latency_seconds_bucket{node=\"local\",runtime=\"crun\","
                  "step=\"storm\",target=\"fast\",le=\"0.01\"} 0"));
  EXPECT_TRUE(Has(text,
                  "faultline_start_latency_seconds_bucket{node=\"local\",runtime=\"crun\","
                  "step=\"storm\",target=\"fast\",le=\"0.015\"} 1"));
  EXPECT_TRUE(Has(text,
                  "faultline_start_latency_seconds_count{node=\"local\",runtime=\"crun\","
                  "step=\"storm\",target=\"fast\"} 1"));
  EXPECT_TRUE(Has(text,
                  "faultline_start_phase_seconds_sum{node=\"local\",phase=\"user_exec\","
                  "runtime=\"crun\",target=\"fast\"} 0.008"));
  EXPECT_TRUE(Has(text,
                  "faultline_op_duration_seconds_count{op=\"create\",runtime=\"crun\","
                  "target=\"fast\"} 1"));
  EXPECT_TRUE(Has(text,
                  "faultline_op_errors_total{op=\"start\",reason=\"deadline exceeded\","
                  "runtime=\"crun\",target=\"fast\"} 1"))
      << text;
  EXPECT_TRUE(Has(text, "faultline_workload_running_containers 1"));
  EXPECT_TRUE(Has(text, "faultline_fault_active_faults 0"));
}

TEST(RunMetrics, BucketsCoverMillisecondsAndEveryFamilyIsExposed) {
  EXPECT_EQ(StartLatencyBuckets().front(), 0.001);
  EXPECT_TRUE(std::is_sorted(StartLatencyBuckets().begin(), StartLatencyBuckets().end()));
  // A family shows once it has a series; the gauges have theirs from the start.
  RunMetrics metrics({});
  Sample run;
  run.op = "run";
  run.phases = {{"user_exec", 1}};
  metrics.OnSample(run, nullptr);
  run.op = "create";
  metrics.OnSample(run, nullptr);
  run.ok = false;
  metrics.OnSample(run, "internal");
  const std::string text = metrics.Encode();
  for (const char* name :
       {"faultline_start_latency_seconds", "faultline_start_phase_seconds",
        "faultline_op_duration_seconds", "faultline_op_errors_total",
        "faultline_workload_running_containers", "faultline_fault_active_faults"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name + " "), std::string::npos) << name << text;
  }
}

}  // namespace
}  // namespace faultline::reports::prometheus
