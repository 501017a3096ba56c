#include "reports/prometheus/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

namespace faultline::reports::prometheus {
namespace {

TEST(PrometheusRegistry, EncodesEveryTypeExactly) {
  Registry registry;
  ASSERT_TRUE(registry
                  .Define("faultline_op_errors_total", MetricType::kCounter,
                          "Failed operations.\nBy op.", {"op", "reason"})
                  .ok());
  ASSERT_TRUE(registry
                  .Define("faultline_workload_running_containers", MetricType::kGauge,
                          "Containers running.", {})
                  .ok());
  ASSERT_TRUE(registry
                  .Define("faultline_start_latency_seconds", MetricType::kHistogram,
                          "Start latency.", {"target"}, {0.01, 0.025, 0.1})
                  .ok());
  registry.Add("faultline_op_errors_total", {"start", "deadline \"exceeded\"\\\n"}, 1);
  registry.Add("faultline_op_errors_total", {"start", "deadline \"exceeded\"\\\n"}, 2);
  registry.Add("faultline_op_errors_total", {"start", "x"}, -5);  // counters never go down
  registry.Add("faultline_workload_running_containers", {}, 3);
  registry.Add("faultline_workload_running_containers", {}, -1);
  registry.Observe("faultline_start_latency_seconds", {"runc"}, 0.005);
  registry.Observe("faultline_start_latency_seconds", {"runc"}, 0.025);  // le is inclusive
  registry.Observe("faultline_start_latency_seconds", {"runc"}, 0.5);
  EXPECT_EQ(
      registry.Encode(),
      "# HELP faultline_op_errors_total Failed operations.\\nBy op.\n"
      "# TYPE faultline_op_errors_total counter\n"
      "faultline_op_errors_total{op=\"start\",reason=\"deadline \\\"exceeded\\\"\\\\\\n\"} 3\n"
      "faultline_op_errors_total{op=\"start\",reason=\"x\"} 0\n"
      "# HELP faultline_start_latency_seconds Start latency.\n"
      "# TYPE faultline_start_latency_seconds histogram\n"
      "faultline_start_latency_seconds_bucket{target=\"runc\",le=\"0.01\"} 1\n"
      "faultline_start_latency_seconds_bucket{target=\"runc\",le=\"0.025\"} 2\n"
      "faultline_start_latency_seconds_bucket{target=\"runc\",le=\"0.1\"} 2\n"
      "faultline_start_latency_seconds_bucket{target=\"runc\",le=\"+Inf\"} 3\n"
      "faultline_start_latency_seconds_sum{target=\"runc\"} 0.53\n"
      "faultline_start_latency_seconds_count{target=\"runc\"} 3\n"
      "# HELP faultline_workload_running_containers Containers running.\n"
      "# TYPE faultline_workload_running_containers gauge\n"
      "faultline_workload_running_containers 2\n");
}

TEST(PrometheusRegistry, RejectsInvalidDefinitions) {
  Registry registry;
  EXPECT_FALSE(registry.Define("1bad", MetricType::kGauge, "", {}).ok());
  EXPECT_FALSE(registry.Define("ok", MetricType::kGauge, "", {"__reserved"}).ok());
  EXPECT_FALSE(registry.Define("ok", MetricType::kGauge, "", {"a:b"}).ok());
  EXPECT_FALSE(registry.Define("h", MetricType::kHistogram, "", {"le"}, {1}).ok());
  EXPECT_FALSE(registry.Define("h", MetricType::kHistogram, "", {}, {2, 1}).ok());
  EXPECT_FALSE(registry.Define("h", MetricType::kHistogram, "", {}, {}).ok());
  EXPECT_FALSE(registry.Define("g", MetricType::kGauge, "", {}, {1}).ok());
  EXPECT_TRUE(registry.Define("ns:ok", MetricType::kGauge, "", {}).ok());
  EXPECT_FALSE(registry.Define("ns:ok", MetricType::kGauge, "", {}).ok());
}

TEST(PrometheusRegistry, MisusedUpdatesAreIgnored) {
  Registry registry;
  ASSERT_TRUE(registry.Define("g", MetricType::kGauge, "h", {"a"}).ok());
  registry.Observe("g", {"x"}, 1);  // wrong type
  registry.Set("g", {}, 1);         // wrong label count
  registry.Set("missing", {}, 1);
  EXPECT_EQ(registry.Encode(), "# HELP g h\n# TYPE g gauge\n");
}

TEST(PrometheusRegistry, ConcurrentUpdatesAreAllCounted) {
  Registry registry;
  ASSERT_TRUE(registry.Define("c_total", MetricType::kCounter, "h", {}).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) registry.Add("c_total", {}, 1);
    });
  }
  for (int i = 0; i < 100; ++i) (void)registry.Encode();
  for (auto& t : threads) t.join();
  EXPECT_NE(registry.Encode().find("c_total 40000\n"), std::string::npos);
}

TEST(PrometheusRegistry, ValueFormat) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(1e-9), "1e-09");
  EXPECT_EQ(FormatValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatValue(-INFINITY), "-Inf");
  EXPECT_EQ(FormatValue(NAN), "NaN");
}

}  // namespace
}  // namespace faultline::reports::prometheus
