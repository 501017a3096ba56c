// eBPF probes end to end: `faultline run` with real runc and crun containers; every start gets
// its phases in order, and they agree with the wall-clock span; degraded mode says so.
// `faultline trace` sees a runc container started next to it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/process.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {
namespace {

// A `run` sample's user_exec may trail the runtime call's return by this much (create+start:
// `start` returns once it has signalled the waiting init, which then execs; on a loaded 2-core
// host that exec has been seen 10 ms after the return).
constexpr std::int64_t kToleranceNs = 25'000'000;

class ProbesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = TempDir("state");
    dir_ = TempDir("work");
  }
  void TearDown() override {
    EXPECT_TRUE(Leftovers(state_).empty());
    (void)RemoveTree(dir_);
    (void)RemoveTree(state_);
  }
  nlohmann::json Run(const std::string& runtime, const std::string& via, const Env& env = {}) {
    return RunWorkload(runtime, "{kind: start, count: 8, via: " + via + ", command: [\"true\"]}",
                       env);
  }
  nlohmann::json RunWorkload(const std::string& runtime, const std::string& workload,
                             const Env& env = {}) {
    const std::string scenario = dir_ + "/s.yaml";
    std::ofstream(scenario) << "version: 1\nname: probes\n"
                            << "target: {driver: oci, runtime: " << runtime
                            << ", image: busybox}\nsteps:\n"
                            << "  - {name: storm, workload: " << workload << "}\n";
    auto [code, output] = RunFaultline({"run", scenario, "--out", dir_ + "/out"}, state_, env);
    EXPECT_EQ(code, 0) << output;
    return nlohmann::json::parse(Slurp(dir_ + "/out/result.json"), nullptr, false);
  }

  // runc puts its init into the cgroup before it forks pid 1; crun forks pid 1 into its new
  // namespaces first and creates the cgroup afterwards.
  void CheckPhases(const nlohmann::json& result, bool create_start, bool cgroup_first) {
    ASSERT_TRUE(result.contains("probes")) << result.dump(1);
    EXPECT_EQ(result["probes"]["mode"], "ebpf") << result["probes"].dump();
    EXPECT_EQ(result["probes"]["drops"], 0);
    std::map<std::string, std::int64_t> wall;
    for (const auto& s : result["samples"]) {
      if (s["op"] == "run_wall") wall[s["container"]] = s["duration_ns"];
    }
    int runs = 0;
    for (const auto& s : result["samples"]) {
      if (s["op"] != "run") continue;
      ++runs;
      ASSERT_TRUE(s.contains("phases")) << s.dump();
      const auto& p = s["phases"];
      for (const char* phase : {"runtime_exec", "cgroup_created", "namespaces_created",
                                "pid1_forked", "user_exec", "exit"}) {
        ASSERT_TRUE(p.contains(phase)) << phase << " missing in " << s.dump();
      }
      const std::int64_t exec = p["runtime_exec"], cgroup = p["cgroup_created"],
                         pid1 = p["pid1_forked"], user = p["user_exec"], exit = p["exit"];
      EXPECT_GT(exec, 0) << s.dump();  // after bundle preparation began
      EXPECT_LT(exec, cgroup) << s.dump();
      EXPECT_LT(exec, pid1) << s.dump();
      if (cgroup_first) {
        EXPECT_LT(cgroup, pid1) << s.dump();
      } else {
        EXPECT_LT(pid1, cgroup) << s.dump();
      }
      EXPECT_LT(cgroup, user) << s.dump();
      EXPECT_LE(p["namespaces_created"].get<std::int64_t>(), pid1) << s.dump();
      EXPECT_LT(pid1, user) << s.dump();
      EXPECT_LE(user, exit) << s.dump();
      if (create_start) {
        ASSERT_TRUE(p.contains("start_exec")) << s.dump();
        EXPECT_LT(pid1, p["start_exec"].get<std::int64_t>());
        EXPECT_LT(p["start_exec"].get<std::int64_t>(), user);
      }
      // start_latency ends at the user exec, and agrees with the driver's own span.
      EXPECT_EQ(s["duration_ns"].get<std::int64_t>(), user);
      ASSERT_TRUE(wall.count(s["container"]));
      EXPECT_LE(user, wall[s["container"]] + kToleranceNs) << s.dump();
      EXPECT_GT(user, wall[s["container"]] / 4) << s.dump();
    }
    EXPECT_EQ(runs, 8);
    ASSERT_TRUE(result.contains("signals"));
    EXPECT_EQ(result["signals"][0]["step"], "storm");
  }

  std::string state_;
  std::string dir_;
};

bool BpfReady() {
  return access("/sys/kernel/btf/vmlinux", R_OK) == 0 && geteuid() == 0;
}

#define FL_REQUIRE_BPF()                                           \
  do {                                                             \
    if (!BpfReady()) FL_SKIP_LACKING("bpf", "no BTF or not root"); \
  } while (0)

TEST_F(ProbesTest, RuncCreateStartPhasesInOrder) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  FL_REQUIRE_BPF();
  CheckPhases(Run("runc", "create-start"), true, true);
}

TEST_F(ProbesTest, RuncRunPhasesInOrder) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  FL_REQUIRE_BPF();
  CheckPhases(Run("runc", "run"), false, true);
}

TEST_F(ProbesTest, CrunPhasesInOrder) {
  FL_REQUIRE_ROOT_RUNTIME("crun");
  FL_REQUIRE_BPF();
  // On pure cgroup v2 crun makes the cgroup first and clones pid 1 straight into it
  // (CLONE_INTO_CGROUP); with v1 controllers it moves pid 1 in after the fork.
  CheckPhases(Run("crun", "create-start"), true, DetectCgroupMode() == CgroupMode::kV2);
}

// A workload that listens: its first TCP LISTEN (inside the container's own netns) is `ready`.
TEST_F(ProbesTest, ListeningWorkloadBecomesReady) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  FL_REQUIRE_BPF();
  auto result =
      RunWorkload("runc", "{kind: density, max: 2, step: 2, command: [nc, -l, -p, \"8080\"]}");
  int runs = 0;
  for (const auto& s : result["samples"]) {
    if (s["op"] != "run") continue;
    ++runs;
    ASSERT_TRUE(s.contains("phases")) << s.dump();
    ASSERT_TRUE(s["phases"].contains("ready")) << s.dump();
    EXPECT_GT(s["phases"]["ready"].get<std::int64_t>(),
              s["phases"]["user_exec"].get<std::int64_t>())
        << s.dump();
  }
  EXPECT_EQ(runs, 2);
}

TEST_F(ProbesTest, SwitchedOffRunSaysDegraded) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  auto result = Run("runc", "run", {{"FAULTLINE_PROBES", "off"}});
  EXPECT_EQ(result["probes"]["mode"], "degraded");
  EXPECT_NE(result["probes"]["reason"].get<std::string>().find("FAULTLINE_PROBES"),
            std::string::npos);
  bool said = false;
  for (const auto& w : result["validity"])
    said |= w.get<std::string>().find("eBPF probes off") != std::string::npos;
  EXPECT_TRUE(said) << result["validity"].dump();
  for (const auto& s : result["samples"]) EXPECT_FALSE(s.contains("phases"));
}

// A real failure path: root without capabilities (setpriv empties the bounding set), so the
// kernel itself refuses to load the programs; the reason is reported, not a crash.
TEST_F(ProbesTest, LoadRefusedByTheKernelIsReported) {
  FL_REQUIRE_BPF();
  if (FindExecutable("setpriv").empty()) FL_SKIP_LACKING("bpf", "no setpriv (util-linux)");
  auto outcome = RunProcess({{"setpriv", "--bounding-set=-all", "--inh-caps=-all", FAULTLINE_BINARY,
                              "trace", "--duration", "1s"},
                             std::chrono::seconds(30),
                             ""});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->exit_code, 3) << outcome->err;
  EXPECT_NE(outcome->err.find("BPF load failed"), std::string::npos) << outcome->err;
}

TEST_F(ProbesTest, TraceShowsARuncContainerStartedBesideIt) {
  FL_REQUIRE_ROOT_RUNTIME("runc");
  FL_REQUIRE_BPF();
  const std::string out = dir_ + "/trace.out";
  Spawned trace = SpawnFaultline({"trace", "--duration", "20s"}, state_, out);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // loaded and attached
  nlohmann::json result = Run("runc", "run");
  kill(trace.pid, SIGINT);
  EXPECT_EQ(WaitExit(trace.pid, 10), 0);
  const std::string text = Slurp(out);
  ASSERT_TRUE(result.contains("samples"));
  const std::string first = result["samples"][0]["container"];
  EXPECT_NE(text.find(first), std::string::npos) << text;
  EXPECT_NE(text.find("user_exec"), std::string::npos) << text;
}

}  // namespace
}  // namespace faultline::testing
