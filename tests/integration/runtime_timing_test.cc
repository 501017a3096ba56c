// faultline's spans checked against an independent clock: a wrapper in place of the runtime
// binary times the same runtime calls from the inside.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/core/files.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {
namespace {

struct Call {
  std::int64_t start = 0, end = 0;
};

class RuntimeTimingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FL_REQUIRE_ROOT_RUNTIME("runc");
    dir_ = TempDir("timing");
    state_ = dir_ + "/state";
    ASSERT_TRUE(MakeDirs(dir_ + "/bin").ok());
    // Named runc and first in PATH: faultline runs it as it would run runc.
    ASSERT_EQ(symlink(RUNTIME_WRAPPER, (dir_ + "/bin/runc").c_str()), 0);
    env_ = {{"PATH", dir_ + "/bin:" + std::getenv("PATH")},
            {"FL_REAL_RUNTIME", FindExecutable("runc")},
            {"FL_WRAPPER_LOG", dir_ + "/calls.log"}};
  }
  void TearDown() override { (void)RemoveTree(dir_); }

  std::string Scenario(const std::string& extra) {
    std::string path = dir_ + "/scenario.yaml";
    std::ofstream(path) << "version: 1\nname: timing\ntarget: {driver: oci, runtime: runc}\n"
                        << extra;
    return path;
  }
  // "<verb>/<container id>" -> the wrapper's timing of that call.
  std::map<std::string, Call> WrapperCalls() {
    std::map<std::string, Call> calls;
    std::istringstream lines(Slurp(dir_ + "/calls.log"));
    std::string verb, id;
    Call call;
    while (lines >> verb >> id >> call.start >> call.end) calls[verb + "/" + id] = call;
    return calls;
  }

  std::string dir_, state_;
  Env env_;
};

TEST_F(RuntimeTimingTest, SpansContainTheRuntimeCallsWithLittleOverhead) {
  std::string path =
      Scenario("steps:\n  - name: storm\n    workload: {kind: start, count: 15, concurrency: 1}\n");
  auto [code, output] = RunFaultline({"run", path, "--out", dir_ + "/out"}, state_, env_);
  ASSERT_EQ(code, 0) << output;
  auto result = nlohmann::json::parse(Slurp(dir_ + "/out/result.json"));
  auto calls = WrapperCalls();

  double recorded_ms = 0, inside_ms = 0;
  int matched = 0;
  for (const auto& sample : result["samples"]) {
    const std::string op = sample["op"];
    if (op != "create" && op != "start" && op != "delete") continue;
    auto call = calls.find(op + "/" + sample["container"].get<std::string>());
    ASSERT_NE(call, calls.end()) << "no independent timing for " << sample.dump();
    const std::int64_t start = sample["start_ns"];
    const std::int64_t end = start + sample["duration_ns"].get<std::int64_t>();
    // The runtime ran entirely inside the span faultline recorded for it.
    EXPECT_LE(start, call->second.start) << sample.dump();
    EXPECT_GE(end, call->second.end) << sample.dump();
    recorded_ms += static_cast<double>(end - start) / 1e6;
    inside_ms += static_cast<double>(call->second.end - call->second.start) / 1e6;
    ++matched;
  }
  EXPECT_EQ(matched, 45);
  // What faultline adds around a runtime call (spawn, exit notification, and for delete the
  // rootfs unmount) is small next to the calls themselves. A ratio within one run, so a loaded
  // host slows both sides alike.
  EXPECT_LT(recorded_ms / inside_ms, 1.5)
      << recorded_ms << " ms recorded, " << inside_ms << " ms inside the runtime";
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(RuntimeTimingTest, ASlowRuntimeHitsTheDeadlineAndIsCleanedUp) {
  env_.push_back({"FL_WRAPPER_DELAY_MS", "800"});
  std::string path = Scenario(
      "timeouts: {create: 300ms}\n"
      "steps:\n  - name: storm\n    workload: {kind: start, count: 2}\n");
  auto [code, output] = RunFaultline({"run", path, "--out", dir_ + "/out"}, state_, env_);
  ASSERT_EQ(code, 0) << output;
  auto result = nlohmann::json::parse(Slurp(dir_ + "/out/result.json"));
  int timed_out = 0;
  for (const auto& sample : result["samples"]) {
    if (sample["op"] != "create") continue;
    EXPECT_FALSE(sample["ok"].get<bool>());
    EXPECT_NE(sample["error"].get<std::string>().find("timed out"), std::string::npos)
        << sample.dump();
    EXPECT_LT(sample["duration_ns"].get<std::int64_t>(), 800'000'000);
    ++timed_out;
  }
  EXPECT_EQ(timed_out, 2);
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(RuntimeTimingTest, AMissingRuntimeIsAHostProblem) {
  std::string path = Scenario("steps:\n  - name: storm\n    workload: {kind: start, count: 1}\n");
  auto [code, output] = RunFaultline({"run", path}, state_, {{"PATH", dir_ + "/empty"}});
  EXPECT_EQ(code, 3) << output;
  EXPECT_NE(output.find("runc not found"), std::string::npos) << output;
}

}  // namespace
}  // namespace faultline::testing
