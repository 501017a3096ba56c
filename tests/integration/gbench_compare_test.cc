// Google Benchmark JSON exports read by Google Benchmark's own compare tool (Debian package
// libbenchmark-tools), on committed results of real runc/crun runs.
#include <gtest/gtest.h>

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {
namespace {

constexpr const char* kCompare = "/usr/share/benchmark/compare.py";
// Debian's interpreter, the one python3-scipy installs into (PATH may lead to another).
constexpr const char* kPython = "/usr/bin/python3";
constexpr const char* kScipy = "/usr/lib/python3/dist-packages/scipy";

TEST(GbenchCompare, CompareToolReadsTwoExports) {
  if (!PathExists(kCompare) || !PathExists(kPython)) {
    FL_SKIP_LACKING("tools",
                    std::string(kCompare) + " missing (Debian package libbenchmark-tools)");
  }
  if (!PathExists(kScipy)) {
    FL_SKIP_LACKING("tools", std::string(kScipy) +
                                 " missing, compare.py needs it (Debian package python3-scipy)");
  }
  const std::string dir = TempDir("gbench");
  const std::string base = dir + "/base.json", now = dir + "/new.json";
  auto [code_base, out_base] =
      RunFaultline({"report", FIXTURES "/report-result-base.json", "--gbench", base}, dir);
  ASSERT_EQ(code_base, 0) << out_base;
  auto [code_new, out_new] =
      RunFaultline({"report", FIXTURES "/report-result-new.json", "--gbench", now}, dir);
  ASSERT_EQ(code_new, 0) << out_new;
  auto compared = RunProcess(
      {{kPython, kCompare, "--no-color", "benchmarks", base, now}, std::chrono::seconds(120)});
  ASSERT_TRUE(compared.ok()) << compared.error().ToString();
  EXPECT_EQ(compared->exit_code, 0) << compared->err;
  const std::string& out = compared->out;
  EXPECT_NE(out.find("Comparing " + base + " to " + now), std::string::npos) << out;
  for (const char* metric : {"storm/runc/start_latency", "storm/crun/start_latency",
                             "ramp/runc/op_latency.stop", "storm/crun/op_latency.create"}) {
    EXPECT_NE(out.find(metric), std::string::npos) << metric << " not in:\n" << out;
  }
  // Every sample is a repetition, so the tool runs its U test on them.
  EXPECT_NE(out.find("storm/runc/start_latency_pvalue"), std::string::npos) << out;
  EXPECT_NE(out.find("storm/runc/start_latency_median"), std::string::npos) << out;
  (void)RemoveTree(dir);
}

}  // namespace
}  // namespace faultline::testing
