// End-to-end: the faultline binary against real runc and crun, checked from outside.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/core/systemd.h"
#include "harness/images/image.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {
namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = TempDir("state");
    dir_ = TempDir("work");
  }
  void TearDown() override {
    (void)RemoveTree(dir_);
    (void)RemoveTree(state_);
  }
  std::string WriteScenario(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  nlohmann::json ReadResult(const std::string& out) {
    return nlohmann::json::parse(Slurp(out + "/result.json"), nullptr, false);
  }
  // Polls until the run has at least N live containers (their bundle directories).
  bool WaitForContainers(size_t n, int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      auto runs = RunFaultlineDirs();
      if (runs >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  size_t RunFaultlineDirs() {
    size_t count = 0;
    for (const auto& run : ListRuns()) {
      std::string containers = state_ + "/runs/" + run + "/containers";
      count += CountEntries(containers);
    }
    return count;
  }
  std::vector<std::string> ListRuns() {
    std::vector<std::string> runs;
    std::string listing = state_ + "/runs";
    if (DIR* d = opendir(listing.c_str())) {
      while (dirent* e = readdir(d)) {
        if (e->d_name[0] != '.') runs.push_back(e->d_name);
      }
      closedir(d);
    }
    return runs;
  }
  static size_t CountEntries(const std::string& path) {
    size_t n = 0;
    if (DIR* d = opendir(path.c_str())) {
      while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
      closedir(d);
    }
    return n;
  }

  std::string state_;
  std::string dir_;
};

constexpr const char* kLongRamp = R"(version: 1
name: long-ramp
target: {driver: oci, runtime: runc}
steps:
  - name: ramp
    workload: {kind: density, max: 400, step: 20, concurrency: 2, settle: 10ms}
)";

TEST_F(CliTest, ValidateRejectsABadScenarioWithItsLocation) {
  std::string path = WriteScenario("bad.yaml", R"(version: 1
name: bad
target: {driver: oci, runtime: runc}
steps:
  - name: storm
    workload: {kind: start, count: 5, concurency: 2}
)");
  auto [code, output] = RunFaultline({"validate", path}, state_);
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find(path + ":6:"), std::string::npos) << output;
  EXPECT_NE(output.find("steps[0].workload"), std::string::npos) << output;
  EXPECT_NE(output.find("concurrency"), std::string::npos) << output;  // the suggestion
}

TEST_F(CliTest, RunRecordsEverySampleAndAgreesWithAnOutsideClock) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  std::string path = WriteScenario("counts.yaml", R"(version: 1
name: counts
target: {driver: oci, runtime: runc}
steps:
  - name: warmup
    record: false
    workload: {kind: start, count: 2}
  - name: storm
    workload: {kind: start, count: 12, concurrency: 1}
  - name: ramp
    workload: {kind: density, max: 6, step: 3, concurrency: 2}
slo:
  - {metric: start_latency.p99, max: 30s}
)");
  const std::string out = dir_ + "/out";
  const std::int64_t before = BootNowNs();
  auto [code, output] = RunFaultline({"run", path, "--out", out}, state_);
  const std::int64_t after = BootNowNs();
  ASSERT_EQ(code, 0) << output;
  auto result = ReadResult(out);
  ASSERT_FALSE(result.is_discarded()) << Slurp(out + "/result.json");

  std::map<std::string, int> per_step_op;
  std::vector<std::pair<std::int64_t, std::int64_t>> lifecycles;
  for (const auto& sample : result["samples"]) {
    per_step_op[sample["step"].get<std::string>() + "/" + sample["op"].get<std::string>()]++;
    EXPECT_TRUE(sample["ok"].get<bool>()) << sample.dump();
    const std::int64_t start = sample["start_ns"], duration = sample["duration_ns"];
    // Every span lies inside the window the outside clock saw the process run.
    EXPECT_GE(start, before);
    EXPECT_LE(start + duration, after);
    EXPECT_GT(duration, 0);
    if (sample["step"] == "storm" && sample["op"] == "lifecycle") {
      lifecycles.emplace_back(start, start + duration);
    }
  }
  for (const char* op : {"prepare", "create", "start", "run", "exit", "delete", "lifecycle"}) {
    EXPECT_EQ(per_step_op[std::string("storm/") + op], 12) << op;
  }
  EXPECT_EQ(per_step_op["ramp/run"], 6);
  EXPECT_EQ(per_step_op["ramp/stop"], 6);
  EXPECT_EQ(per_step_op["ramp/delete"], 6);
  EXPECT_EQ(per_step_op.count("warmup/run"), 0u);

  // At concurrency 1 the lifecycles follow one another without overlap and, apart from the
  // short gaps between them, fill the storm's whole span.
  std::sort(lifecycles.begin(), lifecycles.end());
  std::int64_t busy = 0;
  for (size_t i = 0; i < lifecycles.size(); ++i) {
    busy += lifecycles[i].second - lifecycles[i].first;
    if (i > 0) {
      EXPECT_GE(lifecycles[i].first, lifecycles[i - 1].second);
    }
  }
  const double span = static_cast<double>(lifecycles.back().second - lifecycles.front().first);
  EXPECT_GT(static_cast<double>(busy) / span, 0.8);

  ASSERT_EQ(result["density"].size(), 2u);
  EXPECT_EQ(result["density"][1]["containers"], 6);
  EXPECT_GT(result["density"][1]["memory_per_container_bytes"].get<double>(), 0);
  ASSERT_EQ(result["density_outcomes"].size(), 1u);
  EXPECT_EQ(result["density_outcomes"][0]["stopped_by"], "max");
  ASSERT_EQ(result["slo"].size(), 2u);  // start_latency exists for both steps
  EXPECT_FALSE(result["context"]["targets"][0]["image"]["digest"].get<std::string>().empty());
  EXPECT_FALSE(result["context"]["targets"][0]["runtime"]["sha256"].get<std::string>().empty());
  EXPECT_NE(output.find("storm"), std::string::npos) << output;
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(CliTest, DensityStopsAtTheMemoryBudgetAndAtTheKnee) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  // Bounds no container can meet: each ramp stops after its first ramp step, for its reason.
  std::string path = WriteScenario("stops.yaml", R"(version: 1
name: stops
target: {driver: oci, runtime: runc}
steps:
  - name: budget
    workload: {kind: density, max: 50, step: 3, memory_budget: 1B, settle: 50ms}
  - name: knee
    workload: {kind: density, max: 50, step: 3, start_p99_max: 1us, settle: 10ms}
)");
  const std::string out = dir_ + "/out";
  auto [code, output] = RunFaultline({"run", path, "--out", out}, state_);
  ASSERT_EQ(code, 0) << output;
  auto result = ReadResult(out);
  ASSERT_EQ(result["density_outcomes"].size(), 2u) << result["density_outcomes"];
  const auto& budget = result["density_outcomes"][0];
  EXPECT_EQ(budget["stopped_by"], "memory_budget");
  EXPECT_EQ(budget["reached"], 3);
  EXPECT_FALSE(budget.contains("knee"));
  const auto& knee = result["density_outcomes"][1];
  EXPECT_EQ(knee["stopped_by"], "slo");
  EXPECT_EQ(knee["reached"], 3);
  EXPECT_EQ(knee["knee"], 3);
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(CliTest, FailedStartsAreRecordedWithReasonsNotFatal) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  std::string path = WriteScenario("fail.yaml", R"(version: 1
name: fail
target: {driver: oci, runtime: runc}
steps:
  - name: storm
    workload: {kind: start, count: 3, command: [/no/such/binary]}
)");
  const std::string out = dir_ + "/out";
  auto [code, output] = RunFaultline({"run", path, "--out", out}, state_);
  EXPECT_EQ(code, 0) << output;
  auto result = ReadResult(out);
  ASSERT_FALSE(result.is_discarded());
  int failed_runs = 0;
  for (const auto& sample : result["samples"]) {
    if (sample["op"] != "run") continue;
    EXPECT_FALSE(sample["ok"].get<bool>());
    EXPECT_NE(sample["error"].get<std::string>().find("/no/such/binary"), std::string::npos)
        << sample.dump();
    ++failed_runs;
  }
  EXPECT_EQ(failed_runs, 3);
  EXPECT_NE(result["validity"].dump().find("failed"), std::string::npos) << result["validity"];
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(CliTest, RuncAndCrunInterleavedLeaveNothingBehind) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  FL_REQUIRE_ROOT_RUNTIME("crun");
  std::string path = WriteScenario("both.yaml", R"(version: 1
name: both
targets:
  - {driver: oci, runtime: runc}
  - {driver: oci, runtime: crun}
repetitions: 2
steps:
  - name: storm
    workload: {kind: start, count: 4}
)");
  const std::string out = dir_ + "/out";
  auto [code, output] = RunFaultline({"run", path, "--out", out}, state_);
  ASSERT_EQ(code, 0) << output;
  auto result = ReadResult(out);
  std::map<std::string, int> runs;
  std::vector<std::string> order;
  for (const auto& sample : result["samples"]) {
    if (sample["op"] != "run") continue;
    EXPECT_TRUE(sample["ok"].get<bool>()) << sample.dump();
    std::string key =
        sample["target"].get<std::string>() + "#" + std::to_string(sample["repetition"].get<int>());
    if (runs[key]++ == 0) order.push_back(key);
  }
  // In turn: neither target always goes first.
  EXPECT_EQ(order, (std::vector<std::string>{"runc#0", "crun#0", "crun#1", "runc#1"}));
  for (const auto& [key, count] : runs) EXPECT_EQ(count, 4) << key;
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(CliTest, CtrlCStopsCleansUpAndKeepsThePartialResult) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  std::string path = WriteScenario("long.yaml", kLongRamp);
  const std::string out = dir_ + "/out";
  Spawned run = SpawnFaultline({"run", path, "--out", out}, state_, dir_ + "/log.txt");
  ASSERT_TRUE(WaitForContainers(10, 120)) << Slurp(run.output_path);
  kill(run.pid, SIGINT);
  EXPECT_EQ(WaitExit(run.pid, 300), 130) << Slurp(run.output_path);
  auto result = ReadResult(out);
  ASSERT_FALSE(result.is_discarded()) << Slurp(run.output_path);
  EXPECT_TRUE(result["interrupted"].get<bool>());
  EXPECT_EQ(result["density_outcomes"][0]["stopped_by"], "cancelled");
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(CliTest, RecoverCleansUpAfterSigkill) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  std::string path = WriteScenario("long.yaml", kLongRamp);
  Spawned run = SpawnFaultline({"run", path, "--out", dir_ + "/out"}, state_, dir_ + "/log.txt");
  ASSERT_TRUE(WaitForContainers(10, 120)) << Slurp(run.output_path);
  kill(run.pid, SIGKILL);
  EXPECT_EQ(WaitExit(run.pid, 60), 128 + SIGKILL);
  // Without recover, the run's containers, cgroups and mounts are still there.
  ASSERT_FALSE(Leftovers(state_).empty());
  auto [code, output] = RunFaultline({"recover"}, state_);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("removed container"), std::string::npos) << output;
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

// The systemd cgroup driver: the nodes are slices and the containers scopes in them, so a
// killed run leaves units in systemd as well as processes; recover stops them.
TEST_F(CliTest, RecoverStopsTheSlicesOfARunKilledUnderTheSystemdCgroupDriver) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  if (!SystemdIsInit()) FL_SKIP_LACKING("systemd", "systemd is not PID 1 on this host");
  std::string path = WriteScenario(
      "long.yaml", std::string(kLongRamp) + "cluster: {nodes: 2, cgroup_driver: systemd}\n");
  Spawned run = SpawnFaultline({"run", path, "--out", dir_ + "/out"}, state_, dir_ + "/log.txt");
  ASSERT_TRUE(WaitForContainers(10, 120)) << Slurp(run.output_path);
  kill(run.pid, SIGKILL);
  EXPECT_EQ(WaitExit(run.pid, 60), 128 + SIGKILL);
  const std::vector<std::string> left = Leftovers(state_);
  auto has = [&](const std::string& what) {
    return std::any_of(left.begin(), left.end(), [&](const std::string& item) {
      return item.find(what) != std::string::npos;
    });
  };
  EXPECT_TRUE(has("unit faultline_")) << ::testing::PrintToString(left);     // the slices
  EXPECT_TRUE(has("unit faultline-fl-")) << ::testing::PrintToString(left);  // the scopes
  auto [code, output] = RunFaultline({"recover"}, state_);
  EXPECT_EQ(code, 0) << output;
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(CliTest, ARunUnderTheSystemdCgroupDriverMeasuresItsStartPhases) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  if (!SystemdIsInit()) FL_SKIP_LACKING("systemd", "systemd is not PID 1 on this host");
  std::string path = WriteScenario("systemd.yaml", R"(version: 1
name: systemd-driver
targets:
  - {driver: oci, runtime: runc}
  - {driver: oci, runtime: crun}
cluster: {kind: local, cgroup_driver: systemd}
steps:
  - name: starts
    workload: {kind: start, count: 6, command: ["true"]}
)");
  const std::string out = dir_ + "/out";
  auto [code, output] = RunFaultline({"run", path, "--out", out}, state_);
  ASSERT_EQ(code, 0) << output;
  nlohmann::json result = ReadResult(out);
  ASSERT_FALSE(result.is_discarded());
  EXPECT_NE(result["context"]["notes"].dump().find("cgroup driver systemd"), std::string::npos)
      << result["context"]["notes"];
  // The node's pressure comes from its slice's cgroup.
  ASSERT_TRUE(result.contains("pressure"));
  EXPECT_EQ(result["pressure"].size(), 2u) << result["pressure"];  // per target
  for (const auto& window : result["pressure"]) {
    EXPECT_EQ(window["node"], "local");
    EXPECT_TRUE(window["stalled"].contains("memory.full")) << window;
  }
  std::map<std::string, int> ok_runs;
  std::map<std::string, std::set<std::string>> phases;
  for (const auto& sample : result["samples"]) {
    if (sample.value("op", "") != "run" || !sample.value("ok", false)) continue;
    const std::string target = sample.value("target", "");
    ++ok_runs[target];
    if (!sample.contains("phases")) continue;
    for (const auto& phase : sample["phases"].items()) phases[target].insert(phase.key());
  }
  for (const char* target : {"runc", "crun"}) {
    EXPECT_EQ(ok_runs[target], 6) << target << ": " << output;
    // The probes follow the runtime as under cgroupfs; the cgroup itself is systemd's to make.
    EXPECT_TRUE(phases[target].count("runtime_exec")) << target;
    EXPECT_TRUE(phases[target].count("user_exec")) << target;
  }
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

// Pressure stall information per node, from the kernel: four CPU hogs in node-1 limited to half
// a CPU keep its tasks waiting for a CPU most of the step; node-2 idles.
TEST_F(CliTest, NodePressureShowsWhichNodeWaitedForCpu) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  if (FindExecutable("stress-ng").empty()) FL_SKIP_LACKING("tools", "stress-ng is not installed");
  std::string path = WriteScenario("pressure.yaml", R"(version: 1
name: pressure
target: {driver: oci, runtime: runc}
cluster: {nodes: 2, node: {cpus: 0.5}}
steps:
  - name: load
    workload: {kind: steady, duration: 3s, churn_rate: 1/s}
faults:
  - {kind: node.cpu_stress, step: load, at: 0s, for: 3s, nodes: [node-1], workers: 4}
)");
  const std::string out = dir_ + "/out";
  auto [code, output] = RunFaultline({"run", path, "--out", out}, state_);
  ASSERT_EQ(code, 0) << output;
  nlohmann::json result = ReadResult(out);
  ASSERT_TRUE(result.contains("pressure")) << output;
  std::map<std::string, double> cpu_some;
  for (const auto& window : result["pressure"]) {
    EXPECT_EQ(window["step"], "load");
    EXPECT_GT(window["to_ns"].get<std::int64_t>(), window["from_ns"].get<std::int64_t>());
    cpu_some[window["node"].get<std::string>()] = window["stalled"]["cpu.some"].get<double>();
  }
  ASSERT_EQ(cpu_some.size(), 2u) << result["pressure"];
  EXPECT_GT(cpu_some["node-1"], 0.3) << result["pressure"];
  EXPECT_LT(cpu_some["node-2"], cpu_some["node-1"] / 3) << result["pressure"];
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(CliTest, DoctorReportsRuntimesAndCgroupMode) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  auto [code, output] = RunFaultline({"doctor"}, state_);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("cgroups"), std::string::npos) << output;
  EXPECT_NE(output.find("runc"), std::string::npos) << output;
}

TEST_F(CliTest, ViaRunStartsEachContainerWithOneRuntimeCall) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  std::string path = WriteScenario("via-run.yaml", R"(version: 1
name: via-run
target: {driver: oci, runtime: runc}
steps:
  - name: storm
    workload: {kind: start, count: 3, via: run}
)");
  const std::string out = dir_ + "/out";
  auto [code, output] = RunFaultline({"run", path, "--out", out}, state_);
  ASSERT_EQ(code, 0) << output;
  std::map<std::string, int> ops;
  const auto result = ReadResult(out);
  for (const auto& sample : result["samples"]) {
    EXPECT_TRUE(sample["ok"].get<bool>()) << sample.dump();
    ops[sample["op"].get<std::string>()]++;
  }
  EXPECT_EQ(ops["run_detached"], 3);
  EXPECT_EQ(ops["run"], 3);
  EXPECT_EQ(ops.count("create"), 0u);
  EXPECT_EQ(ops.count("start"), 0u);
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(CliTest, ABrokenSloExitsOneAndABadScenarioTwo) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  std::string path = WriteScenario("slo.yaml", R"(version: 1
name: slo
target: {driver: oci, runtime: runc}
steps:
  - name: storm
    workload: {kind: start, count: 5}
slo:
  - {metric: start_latency.p50, max: 1us}
  - {metric: start_latency.max, max: 1h}
)");
  auto [code, output] = RunFaultline({"run", path, "--out", dir_ + "/out"}, state_);
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("FAIL  start_latency.p50 <= 1us"), std::string::npos) << output;
  EXPECT_NE(output.find("PASS  start_latency.max <= 1h"), std::string::npos) << output;

  std::string bad = WriteScenario("bad.json", R"({"version": 1, "name": "bad",
  "target": {"driver": "oci", "runtime": "runc"},
  "steps": [{"name": "s", "workload": {"kind": "start", "count": -1}}]})");
  auto [bad_code, bad_output] = RunFaultline({"run", bad}, state_);
  EXPECT_EQ(bad_code, 2) << bad_output;
  EXPECT_NE(bad_output.find(bad + ":3:"), std::string::npos) << bad_output;
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(CliTest, RunsFromAUsersOciImageLayout) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  // A one-layer OCI layout made from a busybox rootfs, as a user would bring one.
  const std::string layout = dir_ + "/layout";
  ASSERT_TRUE(MakeDirs(layout + "/blobs/sha256").ok());
  ASSERT_TRUE(images::BuildBusyboxRootfs(dir_ + "/rootfs").ok());
  ASSERT_TRUE(RunForOutput({"tar", "-cf", dir_ + "/layer.tar", "-C", dir_ + "/rootfs", "."}).ok());
  auto put = [&](const std::string& bytes) {
    const std::string hex = Sha256Hex(bytes);
    EXPECT_TRUE(WriteFileAtomic(layout + "/blobs/sha256/" + hex, bytes).ok());
    return "sha256:" + hex;
  };
  const std::string layer = put(Slurp(dir_ + "/layer.tar"));
  const std::string config = put(R"({"architecture":"amd64","os":"linux"})");
  const std::string manifest = put(nlohmann::json({{"schemaVersion", 2},
                                                   {"config", {{"digest", config}}},
                                                   {"layers", {{{"digest", layer}}}}})
                                       .dump());
  ASSERT_TRUE(
      WriteFileAtomic(
          layout + "/index.json",
          nlohmann::json({{"schemaVersion", 2}, {"manifests", {{{"digest", manifest}}}}}).dump())
          .ok());
  ASSERT_TRUE(WriteFileAtomic(layout + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})").ok());

  std::string path = WriteScenario("oci.yaml", R"(version: 1
name: oci
target: {driver: oci, runtime: runc, image: "oci:layout"}
steps:
  - name: storm
    workload: {kind: start, count: 3, command: [ls, /bin/busybox]}
)");
  const std::string out = dir_ + "/out";
  auto [code, output] = RunFaultline({"run", path, "--out", out}, state_);
  ASSERT_EQ(code, 0) << output;
  auto result = ReadResult(out);
  const auto& image = result["context"]["targets"][0]["image"];
  EXPECT_EQ(image["digest"], manifest);
  EXPECT_EQ(image["digest_of"], "oci-manifest");
  int exits = 0;
  for (const auto& sample : result["samples"]) {
    EXPECT_TRUE(sample["ok"].get<bool>()) << sample.dump();
    exits += sample["op"] == "exit";
  }
  EXPECT_EQ(exits, 3);
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

TEST_F(CliTest, CtrlCDoesNotWaitForLongRunningStormContainers) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  std::string path = WriteScenario("sleepy.yaml", R"(version: 1
name: sleepy
target: {driver: oci, runtime: runc}
timeouts: {exit: 10m}
steps:
  - name: storm
    workload: {kind: start, count: 10, concurrency: 2, command: [sleep, "600"]}
)");
  Spawned run = SpawnFaultline({"run", path, "--out", dir_ + "/out"}, state_, dir_ + "/log.txt");
  ASSERT_TRUE(WaitForContainers(2, 120)) << Slurp(run.output_path);
  kill(run.pid, SIGINT);
  // The containers would run for ten minutes; an interrupted run stops waiting for them.
  EXPECT_EQ(WaitExit(run.pid, 120), 130) << Slurp(run.output_path);
  auto result = ReadResult(dir_ + "/out");
  ASSERT_FALSE(result.is_discarded()) << Slurp(run.output_path);
  int cancelled_exits = 0;
  for (const auto& sample : result["samples"]) {
    if (sample["op"] != "exit") continue;
    EXPECT_FALSE(sample["ok"].get<bool>());
    cancelled_exits += sample["error"].get<std::string>().find("interrupted") != std::string::npos;
  }
  EXPECT_GE(cancelled_exits, 2);
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

}  // namespace
}  // namespace faultline::testing
