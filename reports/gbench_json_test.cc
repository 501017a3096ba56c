#include "reports/gbench_json.h"

#include <gtest/gtest.h>

namespace faultline::reports {
namespace {

Sample Op(const std::string& op, std::int64_t ns, bool ok = true, std::int64_t cpu_ns = -1) {
  Sample s;
  s.step = "storm";
  s.target = "runc";
  s.op = op;
  s.duration_ns = ns;
  s.cpu_ns = cpu_ns;
  s.ok = ok;
  return s;
}

TEST(GbenchJson, SamplesAsRepetitionsAndAggregates) {
  Result result;
  result.context.hostname = "h";
  result.context.cpu_count = 2;
  result.context.cpu_mhz = 2096.4;
  result.context.cpu_scaling = true;
  result.context.build_type = "debug";
  result.samples = {Op("run", 10'000'000, true, 1'000'000), Op("create", 4'000'000, true, 0),
                    Op("run", 30'000'000, true, 3'000'000), Op("run", 99'000'000, false),
                    Op("exit", 50'000'000)};
  const nlohmann::json j = ToGbenchJson(result);
  // The context is the measuring host's and build's, as the run recorded them.
  EXPECT_EQ(j["context"]["host_name"], "h");
  EXPECT_EQ(j["context"]["num_cpus"], 2);
  EXPECT_EQ(j["context"]["mhz_per_cpu"], 2096);
  EXPECT_EQ(j["context"]["cpu_scaling_enabled"], true);
  EXPECT_EQ(j["context"]["library_build_type"], "debug");
  const auto& b = j["benchmarks"];
  // The exit's CPU time was not measured: no benchmark for it, rather than an invented cpu_time.
  ASSERT_EQ(b.size(), 2u + 3u + 1u + 3u);
  EXPECT_EQ(b[0]["name"], "storm/runc/start_latency");
  EXPECT_EQ(b[0]["run_type"], "iteration");
  EXPECT_EQ(b[0]["repetition_index"], 0);
  EXPECT_EQ(b[0]["repetitions"], 2);
  EXPECT_DOUBLE_EQ(b[0]["real_time"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(b[0]["cpu_time"].get<double>(), 1.0);  // measured, not a copy of real_time
  EXPECT_EQ(b[0]["time_unit"], "ms");
  EXPECT_DOUBLE_EQ(b[1]["real_time"].get<double>(), 30.0);  // the failed sample is left out
  EXPECT_EQ(b[2]["name"], "storm/runc/start_latency_mean");
  EXPECT_EQ(b[2]["run_type"], "aggregate");
  EXPECT_EQ(b[2]["run_name"], "storm/runc/start_latency");
  EXPECT_DOUBLE_EQ(b[2]["real_time"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(b[2]["cpu_time"].get<double>(), 2.0);
  EXPECT_EQ(b[3]["aggregate_name"], "median");
  EXPECT_EQ(b[4]["aggregate_name"], "stddev");
  EXPECT_EQ(b[5]["name"], "storm/runc/op_latency.create");
  EXPECT_EQ(b[5]["family_index"], 1);
  EXPECT_DOUBLE_EQ(b[5]["cpu_time"].get<double>(), 0.0);
}

}  // namespace
}  // namespace faultline::reports
