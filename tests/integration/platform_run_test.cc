// Runs of the daemon drivers through the faultline binary: docker, podman and containerd on a
// two-node virtual cluster, measured and removed; SIGKILL + recover. (A separate binary from the
// in-process driver tests: those make the test process the orphan reaper, which would reap the
// faultline processes these tests wait for.)
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "tests/integration/host_state.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;
using testing::Leftovers;
using testing::RunFaultline;
using testing::SharedPlatformDirs;
using testing::Slurp;
using testing::Spawned;
using testing::SpawnFaultline;
using testing::TempDir;
using testing::WaitExit;

class PlatformRunTest : public ::testing::Test {
 protected:
  void Require(const std::string& daemon) {
    std::string why = testing::MissingCapability(daemon);
    if (!why.empty()) FL_SKIP_LACKING("root", why);
    if (!state_.empty()) return;  // a second platform of the same test
    state_ = TempDir("platform");
    shared_dirs_ = SharedPlatformDirs();
  }
  void TearDown() override {
    if (state_.empty()) return;
    EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
    EXPECT_EQ(SharedPlatformDirs(), shared_dirs_);
    EXPECT_FALSE(PathExists("/dev/shm/libpod_lock") && !had_shm_lock_);
    (void)RemoveTree(state_);
  }
  std::string WriteScenario(const std::string& name, const std::string& text) {
    const std::string path = state_ + "/" + name;
    EXPECT_TRUE(WriteFileAtomic(path, text).ok());
    return path;
  }
  // `faultline run` of the scenario TEXT, in the background (its output in log.txt).
  Spawned Spawn(const std::string& text) {
    return SpawnFaultline({"run", WriteScenario("s.yaml", text), "--out", state_ + "/out"}, state_,
                          state_ + "/log.txt");
  }
  // SIGKILLs RUN, which must have left something, and checks that `recover` removes it (the
  // records of each of KINDS among them); TearDown checks that nothing is left.
  void KillAndRecover(const Spawned& run, const std::vector<std::string>& kinds) {
    kill(run.pid, SIGKILL);
    EXPECT_EQ(WaitExit(run.pid, 60), 128 + SIGKILL);
    ASSERT_FALSE(Leftovers(state_).empty());
    auto [code, output] = RunFaultline({"recover"}, state_);
    EXPECT_EQ(code, 0) << output;
    for (const auto& kind : kinds) EXPECT_NE(output.find(kind), std::string::npos) << output;
  }
  // `faultline run` of the scenario TEXT to its end: its output, and its result (null when
  // the run failed or wrote none).
  nlohmann::json Run(const std::string& text, std::string& output) {
    const std::string out = state_ + "/out";
    auto [code, said] = RunFaultline({"run", WriteScenario("s.yaml", text), "--out", out}, state_);
    output = said;
    EXPECT_EQ(code, 0) << said;
    auto result = nlohmann::json::parse(Slurp(out + "/result.json"), nullptr, false);
    return code == 0 && !result.is_discarded() ? result : nlohmann::json();
  }

  std::string state_;
  std::vector<std::string> shared_dirs_;
  bool had_shm_lock_ = PathExists("/dev/shm/libpod_lock");
};

// How many processes' command lines match PATTERN (pgrep -f).
int Matching(const std::string& pattern) {
  auto found = RunForOutput({"pgrep", "-f", pattern});
  return found.ok() ? static_cast<int>(std::count(found->begin(), found->end(), '\n')) : 0;
}

// Polls until at least N processes match PATTERN, up to 120 s.
bool WaitForProcesses(const std::string& pattern, int n) {
  for (auto until = std::chrono::steady_clock::now() + 120s;
       std::chrono::steady_clock::now() < until;) {
    if (Matching(pattern) >= n) return true;
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

// What a run's result says per target: its successful samples by op, and its run samples whose
// kernel phases show the daemon's helper (shim or conmon) exec'd before the runtime and reach
// the user process; and the nodes any sample ran on.
struct Tally {
  std::map<std::string, std::map<std::string, int>> ok_ops;  // target -> op -> count
  std::map<std::string, int> helper_first;                   // target -> run samples
  std::set<std::string> nodes;
};

Tally TallySamples(const nlohmann::json& result) {
  Tally tally;
  for (const auto& sample : result["samples"]) {
    const std::string target = sample["target"];
    tally.nodes.insert(sample["node"].get<std::string>());
    if (sample["ok"].get<bool>()) ++tally.ok_ops[target][sample["op"].get<std::string>()];
    if (sample["op"] != "run" || !sample.contains("phases")) continue;
    const auto& phases = sample["phases"];
    if (phases.contains("shim_exec") && phases.contains("runtime_exec") &&
        phases.contains("user_exec") &&
        phases["shim_exec"].get<std::int64_t>() < phases["runtime_exec"].get<std::int64_t>()) {
      ++tally.helper_first[target];
    }
  }
  return tally;
}

constexpr char kDockerScenario[] = R"(version: 1
name: docker-small
target: {driver: docker, image: busybox}
cluster: {nodes: 2}
steps:
  - name: storm
    workload: {kind: start, count: 6, concurrency: 2}
  - name: ramp
    workload: {kind: density, max: 6, step: 3, settle: 100ms}
)";

TEST_F(PlatformRunTest, DockerOnTwoNodesMeasuresAndLeavesNothing) {
  Require("dockerd");
  std::string output;
  const nlohmann::json result = Run(kDockerScenario, output);
  ASSERT_FALSE(result.is_null()) << output;
  Tally tally = TallySamples(result);
  std::map<std::string, int>& ok_ops = tally.ok_ops["docker"];
  EXPECT_EQ(ok_ops["exit"], 6) << output;
  EXPECT_EQ(ok_ops["run"], 12) << output;
  EXPECT_EQ(ok_ops["stop"], 6) << output;
  EXPECT_EQ(tally.nodes, (std::set<std::string>{"node-1", "node-2"}));
  EXPECT_EQ(result["context"]["targets"][0]["runtime"]["name"], "dockerd");
  // With BTF, the daemon's side in phases: containerd's shim exec'd, then the runtime.
  EXPECT_EQ(tally.helper_first["docker"], PathExists("/sys/kernel/btf/vmlinux") ? 12 : 0) << output;
  // dockerd, containerd and shims per node: tens of MB shared by the containers.
  bool overhead_seen = false;
  for (const auto& point : result["density"]) {
    if (point.value("runtime_overhead_per_container_bytes", 0.0) > 1e6) overhead_seen = true;
  }
  EXPECT_TRUE(overhead_seen) << result["density"].dump();
}

TEST_F(PlatformRunTest, RecoverRemovesTheDockerPlatformsOfASigkilledRun) {
  Require("dockerd");
  Spawned run = Spawn(R"(version: 1
name: docker-long
target: {driver: docker, image: busybox}
cluster: {nodes: 2}
steps:
  - name: ramp
    workload: {kind: density, max: 40, step: 2, settle: 1s, command: [sleep, "600"]}
)");
  // Wait until containers run: shims of the run's private containerd instances.
  ASSERT_TRUE(WaitForProcesses("containerd-shim-runc-v2 .*" + state_, 4))
      << Slurp(state_ + "/log.txt");
  std::this_thread::sleep_for(2s);  // a few ramp steps
  KillAndRecover(run, {"docker.platform"});
}

// dockerd restarted on both nodes while containers run: lost without live restore, kept with it.
constexpr char kDockerDrill[] = R"(version: 1
name: docker-drill
targets:
  - {name: plain, driver: docker, image: busybox}
  - {name: restoring, driver: docker, live_restore: true, image: busybox}
cluster: {nodes: 2}
max_failed_ratio: 1
steps:
  - name: ramp
    workload: {kind: density, max: 4, step: 2, settle: 3s, command: [sleep, "600"]}
faults:
  - {kind: platform.daemon_restart, step: ramp, at: 1500ms, for: 1s, nodes: [node-1, node-2]}
)";

TEST_F(PlatformRunTest, DaemonRestartDrillReportsSurvivorsPerLiveRestore) {
  Require("dockerd");
  std::string output;
  const nlohmann::json result = Run(kDockerDrill, output);
  ASSERT_FALSE(result.is_null()) << output;
  std::map<std::string, std::pair<int, int>> before_survived;  // by target
  for (const auto& fault : result["faults"]) {
    EXPECT_EQ(fault["kind"], "platform.daemon_restart");
    EXPECT_TRUE(fault["ok"].get<bool>()) << fault.dump();
    EXPECT_FALSE(fault["recovery_time_s"].is_null()) << fault.dump();
    ASSERT_EQ(fault["daemons"].size(), 2u) << fault.dump();
    for (const auto& daemon : fault["daemons"]) {
      EXPECT_EQ(daemon["daemon"], "dockerd");
      EXPECT_EQ(daemon["error"], "") << daemon.dump();
      auto& [before, survived] = before_survived[fault["target"].get<std::string>()];
      before += daemon["running_before"].get<int>();
      survived += daemon["survived"].get<int>();
    }
  }
  ASSERT_EQ(before_survived.size(), 2u) << result["faults"].dump();
  EXPECT_GT(before_survived["plain"].first, 0);
  EXPECT_EQ(before_survived["plain"].second, 0) << "without live restore dockerd stops them";
  EXPECT_GT(before_survived["restoring"].first, 0);
  EXPECT_EQ(before_survived["restoring"].second, before_survived["restoring"].first);
  EXPECT_NE(output.find("platform daemons"), std::string::npos) << output;
}

TEST_F(PlatformRunTest, RecoverCleansUpARunKilledWhileItsDaemonWasDown) {
  Require("dockerd");
  Spawned run = Spawn(R"(version: 1
name: docker-down
target: {driver: docker, live_restore: true, image: busybox}
cluster: {nodes: 2}
max_failed_ratio: 1
steps:
  - name: ramp
    workload: {kind: density, max: 20, step: 2, settle: 1s, command: [sleep, "600"]}
faults:
  - {kind: platform.daemon_kill, step: ramp, at: 2s, for: 60s, nodes: [node-1]}
)");
  // Until the fault is journaled and node-1's dockerd is gone: two dockerds became one.
  bool down = false;
  int most = 0;
  for (auto until = std::chrono::steady_clock::now() + 120s;
       !down && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(100ms);
    const int n = Matching("^dockerd .*" + state_);
    most = std::max(most, n);
    down = most == 2 && n == 1;
  }
  ASSERT_TRUE(down) << Slurp(state_ + "/log.txt");
  KillAndRecover(run, {"platform.daemon_kill", "docker.platform"});
}

// Ctrl-C while containers run on both daemon platforms, one of them under a daemon fault: the
// run stops, reverts, tears down and exits 130; TearDown checks that nothing is left.
TEST_F(PlatformRunTest, CtrlCTearsDownEveryDaemonPlatform) {
  Require("dockerd");
  Require("podman");
  Spawned run = Spawn(R"(version: 1
name: ctrl-c
targets:
  - {name: dk, driver: docker, image: busybox}
  - {name: pm, driver: podman, runtime: runc, image: busybox}
cluster: {nodes: 2}
max_failed_ratio: 1
steps:
  - name: ramp
    workload: {kind: density, max: 40, step: 2, settle: 1s, command: [sleep, "600"]}
faults:
  - {kind: platform.daemon_kill, step: ramp, at: 2s, for: 60s, nodes: [node-2]}
)");
  ASSERT_TRUE(WaitForProcesses("containerd-shim-runc-v2 .*" + state_, 4))
      << Slurp(state_ + "/log.txt");
  std::this_thread::sleep_for(2s);  // node-2's dockerd is down now
  kill(run.pid, SIGINT);
  EXPECT_EQ(WaitExit(run.pid, 180), 130) << Slurp(state_ + "/log.txt");
  auto result = nlohmann::json::parse(Slurp(state_ + "/out/result.json"), nullptr, false);
  ASSERT_FALSE(result.is_discarded()) << Slurp(state_ + "/log.txt");
  EXPECT_TRUE(result["interrupted"].get<bool>());
}

constexpr char kPodmanScenario[] = R"(version: 1
name: podman-small
targets:
  - {driver: podman, runtime: runc, name: pm-service, image: busybox}
  - {driver: podman, runtime: runc, via: cli, name: pm-cli, image: busybox}
cluster: {nodes: 2}
steps:
  - name: storm
    workload: {kind: start, count: 4, concurrency: 2}
  - name: ramp
    workload: {kind: density, max: 4, step: 2, settle: 100ms}
)";

TEST_F(PlatformRunTest, PodmanServiceAndCliOnTwoNodesMeasureAndLeaveNothing) {
  Require("podman");
  std::string output;
  const nlohmann::json result = Run(kPodmanScenario, output);
  ASSERT_FALSE(result.is_null()) << output;
  Tally tally = TallySamples(result);
  // With BTF the probes run, and follow the runtime below the service's or the CLI's conmon.
  const bool ebpf = PathExists("/sys/kernel/btf/vmlinux");
  if (ebpf) {
    EXPECT_EQ(result["probes"]["mode"], "ebpf") << result["probes"].dump();
  }
  for (const char* target : {"pm-service", "pm-cli"}) {
    EXPECT_EQ(tally.ok_ops[target]["exit"], 4) << target << output;
    EXPECT_EQ(tally.ok_ops[target]["run"], 8) << target << output;
    EXPECT_EQ(tally.ok_ops[target]["stop"], 4) << target << output;
    EXPECT_EQ(tally.helper_first[target], ebpf ? 8 : 0) << target;
  }
}

TEST_F(PlatformRunTest, RecoverRemovesThePodmanPlatformsOfASigkilledRun) {
  Require("podman");
  Spawned run = Spawn(R"(version: 1
name: podman-long
target: {driver: podman, runtime: runc, image: busybox}
cluster: {nodes: 2}
steps:
  - name: ramp
    workload: {kind: density, max: 40, step: 2, settle: 1s, command: [sleep, "600"]}
)");
  ASSERT_TRUE(WaitForProcesses("conmon .*" + state_, 4)) << Slurp(state_ + "/log.txt");
  KillAndRecover(run, {"podman.platform"});
}

constexpr char kContainerdScenario[] = R"(version: 1
name: containerd-small
targets:
  - {name: ctrd-runc, driver: containerd, runtime: runc, image: busybox}
  - {name: ctrd-crun, driver: containerd, runtime: crun, image: busybox}
cluster: {nodes: 2}
steps:
  - name: storm
    workload: {kind: start, count: 6, concurrency: 2}
  - name: ramp
    workload: {kind: density, max: 6, step: 3, settle: 100ms}
)";

// containerd through its gRPC API with runc and crun behind the shim: every start carries the
// shim's own stamps of its task's create and start, in the order they happened, and (with BTF)
// kernel phases from the shim's exec on.
TEST_F(PlatformRunTest, ContainerdOnTwoNodesMeasuresWithTheShimsStampsAndLeavesNothing) {
  Require("containerd");
  std::string output;
  const nlohmann::json result = Run(kContainerdScenario, output);
  ASSERT_FALSE(result.is_null()) << output;
  const bool ebpf = PathExists("/sys/kernel/btf/vmlinux");
  Tally tally = TallySamples(result);
  std::map<std::string, int> stamped;
  for (const auto& sample : result["samples"]) {
    if (sample["op"] != "run" || !sample["ok"].get<bool>() || !sample.contains("events")) continue;
    const auto& events = sample["events"];
    if (events.contains("task_create") && events.contains("task_start") &&
        events["task_create"].get<std::int64_t>() < events["task_start"].get<std::int64_t>()) {
      ++stamped[sample["target"].get<std::string>()];
    }
  }
  for (const char* target : {"ctrd-runc", "ctrd-crun"}) {
    EXPECT_EQ(tally.ok_ops[target]["exit"], 6) << target << output;
    EXPECT_EQ(tally.ok_ops[target]["run"], 12) << target << output;
    EXPECT_EQ(tally.ok_ops[target]["stop"], 6) << target << output;
    EXPECT_EQ(stamped[target], 12) << target << output;
    EXPECT_EQ(tally.helper_first[target], ebpf ? 12 : 0) << target << output;
  }
  EXPECT_EQ(tally.nodes, (std::set<std::string>{"node-1", "node-2"}));
  EXPECT_EQ(result["context"]["targets"][0]["runtime"]["name"], "containerd");
  bool stamps_aggregated = false, overhead_seen = false;
  for (const auto& aggregate : result["aggregates"]) {
    if (aggregate["metric"] == "platform_event.task_start") stamps_aggregated = true;
  }
  for (const auto& point : result["density"]) {
    if (point.value("runtime_overhead_per_container_bytes", 0.0) > 1e6) overhead_seen = true;
  }
  EXPECT_TRUE(stamps_aggregated) << output;
  EXPECT_TRUE(overhead_seen) << result["density"].dump();
}

TEST_F(PlatformRunTest, RecoverRemovesTheContainerdPlatformsOfASigkilledRun) {
  Require("containerd");
  Spawned run = Spawn(R"(version: 1
name: containerd-long
target: {driver: containerd, image: busybox}
cluster: {nodes: 2}
steps:
  - name: ramp
    workload: {kind: density, max: 40, step: 2, settle: 1s, command: [sleep, "600"]}
)");
  // Shims of the run's private containerd instances: their sockets are what recover must find.
  ASSERT_TRUE(WaitForProcesses("containerd-shim-runc-v2 .*" + state_, 4))
      << Slurp(state_ + "/log.txt");
  KillAndRecover(run, {"containerd.platform"});
}

constexpr char kCriScenario[] = R"(version: 1
name: cri-small
targets:
  - {name: cri-host, driver: cri, image: busybox}
  - {name: cri-cni, driver: cri, network: cni, pod: {containers: 2}, image: busybox}
cluster: {nodes: 2}
steps:
  - name: storm
    workload: {kind: start, count: 6, concurrency: 2}
  - name: ramp
    workload: {kind: density, max: 4, step: 2, settle: 100ms}
)";

TEST_F(PlatformRunTest, CriPodsOnHostAndCniNetworksSplitIntoSandboxCreateAndStart) {
  Require("containerd");
  std::string output;
  const nlohmann::json result = Run(kCriScenario, output);
  ASSERT_FALSE(result.is_null()) << output;
  const bool ebpf = PathExists("/sys/kernel/btf/vmlinux");
  Tally tally = TallySamples(result);
  // The pause's task started before the pod's last container's: shim-stamped, per pod.
  std::map<std::string, int> sandbox_first;
  for (const auto& sample : result["samples"]) {
    if (sample["op"] != "run" || !sample["ok"].get<bool>() || !sample.contains("events")) continue;
    const auto& events = sample["events"];
    if (events.contains("sandbox_task_start") && events.contains("task_start") &&
        events["sandbox_task_start"].get<std::int64_t>() <
            events["task_start"].get<std::int64_t>()) {
      ++sandbox_first[sample["target"].get<std::string>()];
    }
  }
  for (const char* target : {"cri-host", "cri-cni"}) {
    // The kubelet's operations, for the storm's 6 pods and the ramp's 4.
    for (const char* op : {"run_podsandbox", "create_container", "start_container", "run"}) {
      EXPECT_EQ(tally.ok_ops[target][op], 10) << target << " " << op << output;
    }
    EXPECT_EQ(tally.ok_ops[target]["exit"], 6) << target << output;
    EXPECT_EQ(sandbox_first[target], 10) << target << output;
    EXPECT_EQ(tally.helper_first[target], ebpf ? 10 : 0) << target << output;
  }
  EXPECT_EQ(tally.nodes, (std::set<std::string>{"node-1", "node-2"}));
  bool pods_measured = false;
  for (const auto& point : result["density"]) {
    if (point.value("runtime_overhead_per_container_bytes", 0.0) > 1e6) pods_measured = true;
  }
  EXPECT_TRUE(pods_measured) << result["density"].dump();
}

TEST_F(PlatformRunTest, RecoverRemovesTheCriPlatformsAndPodNetworksOfASigkilledRun) {
  Require("containerd");
  Spawned run = Spawn(R"(version: 1
name: cri-long
target: {driver: cri, network: cni, image: busybox}
cluster: {nodes: 2}
steps:
  - name: ramp
    workload: {kind: density, max: 40, step: 2, settle: 1s, command: [sleep, "600"]}
)");
  // Pod shims (one per pod) of the run's private containerd instances.
  ASSERT_TRUE(WaitForProcesses("containerd-shim-runc-v2 .*" + state_, 4))
      << Slurp(state_ + "/log.txt");
  KillAndRecover(run, {"containerd.platform", "subnet"});
}

// The pids whose command lines match PATTERN (pgrep -f).
std::vector<pid_t> Pids(const std::string& pattern) {
  std::vector<pid_t> pids;
  auto found = RunForOutput({"pgrep", "-f", pattern});
  if (!found.ok()) return pids;
  std::istringstream lines(*found);
  for (pid_t pid; lines >> pid;) pids.push_back(pid);
  return pids;
}

// /proc/PID/cmdline or environ as its NUL-separated words.
std::vector<std::string> ProcWords(pid_t pid, const std::string& file) {
  std::vector<std::string> words;
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/" + file);
  if (!text.ok()) return words;
  std::istringstream parts(*text);
  for (std::string word; std::getline(parts, word, '\0');) words.push_back(word);
  return words;
}

bool Has(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// What a platform team changes between a baseline and a candidate, set per target and seen from
// outside while the run goes: the platform's program by path with extra flags and its
// environment, the runtime by path with global options (docker through daemon.json's runtimes,
// podman as --runtime-flag), and docker's daemon.json keys (its own CLI agreeing); the result
// records each binary and setting.
TEST_F(PlatformRunTest, UpgradeSettingsReachEachPlatformsProgramAndRuntime) {
  for (const char* program : {"dockerd", "podman", "containerd", "runc"}) Require(program);
  const std::string wrapper = RUNTIME_WRAPPER;
  // next/: the platforms' programs at an upgrade's paths; rt-*/runc: the runtime wrapper, which
  // runs the installed runc and notes every call's arguments in its argv.log.
  ASSERT_TRUE(MakeDirs(state_ + "/next", 0755).ok());
  for (const char* program : {"dockerd", "podman", "containerd"}) {
    ASSERT_EQ(symlink(FindExecutable(program).c_str(), (state_ + "/next/" + program).c_str()), 0);
  }
  for (const char* platform : {"docker", "podman", "containerd"}) {
    const std::string dir = state_ + "/rt-" + platform;
    ASSERT_TRUE(MakeDirs(dir, 0755).ok());
    ASSERT_EQ(symlink(wrapper.c_str(), (dir + "/runc").c_str()), 0);
    ASSERT_TRUE(WriteFileAtomic(dir + "/real_runtime", FindExecutable("runc")).ok());
    ASSERT_TRUE(WriteFileAtomic(dir + "/argv.log", "").ok());
  }
  Spawned run = Spawn(R"(version: 1
name: upgrade-settings
targets:
  - name: docker-next
    driver: docker
    runtime: {name: runc, path: rt-docker/runc, args: [--debug]}
    env: {FL_TEST_MARK: docker-next}
    daemon: {path: next/dockerd, args: [--log-level=debug], config: {debug: true}}
  - name: podman-next
    driver: podman
    runtime: {name: runc, path: rt-podman/runc, args: [--debug]}
    env: {FL_TEST_MARK: podman-next}
    daemon: {path: next/podman, args: [--log-level=info]}
  - name: containerd-next
    driver: containerd
    runtime: {name: runc, path: rt-containerd/runc}
    env: {FL_TEST_MARK: containerd-next}
    daemon: {path: next/containerd, args: [--log-level=debug]}
cluster: {nodes: 1}
steps:
  - name: storm
    workload: {kind: start, count: 3, command: [sleep, "1"]}
)");
  // Each platform's program, while it runs: its binary, flags and environment. The patterns name
  // a flag faultline always gives the daemon, so that preflight's `PROGRAM --version` of the
  // same binary is never taken for it.
  const std::map<std::string, std::string> programs = {
      {"docker-next", state_ + "/next/dockerd --config-file"},
      {"podman-next", state_ + "/next/podman .*system service"},
      {"containerd-next", state_ + "/next/containerd --config"}};
  for (const auto& [target, pattern] : programs) {
    ASSERT_TRUE(WaitForProcesses(pattern, 1)) << target << Slurp(state_ + "/log.txt");
    const pid_t pid = Pids(pattern).front();
    const auto argv = ProcWords(pid, "cmdline");
    ASSERT_FALSE(argv.empty()) << target << ": gone before it was read";
    EXPECT_EQ(argv.front(), pattern.substr(0, pattern.find(' '))) << target;
    EXPECT_TRUE(Has(argv, target == "podman-next" ? "--log-level=info" : "--log-level=debug"))
        << target;
    EXPECT_TRUE(Has(ProcWords(pid, "environ"), "FL_TEST_MARK=" + target)) << target;
  }
  // docker's containerd is its program's too, with the same environment.
  const auto dockerd = ProcWords(Pids(programs.at("docker-next")).front(), "cmdline");
  const auto socket = std::find(dockerd.begin(), dockerd.end(), "-H");
  ASSERT_NE(socket, dockerd.end());
  const auto containerd_socket = std::find(dockerd.begin(), dockerd.end(), "--containerd");
  ASSERT_NE(containerd_socket, dockerd.end());
  const std::string config_dir = containerd_socket[1].substr(0, containerd_socket[1].rfind('/'));
  EXPECT_FALSE(Pids("^containerd --config " + config_dir.substr(0, config_dir.rfind('/'))).empty());
  // daemon.json's debug: true, as Docker's own CLI reports it.
  auto debug = RunForOutput({"docker", "-H", socket[1], "info", "--format", "{{.Debug}}"});
  ASSERT_TRUE(debug.ok()) << debug.error().ToString();
  EXPECT_EQ(*debug, "true\n");

  EXPECT_EQ(WaitExit(run.pid, 300), 0) << Slurp(state_ + "/log.txt");
  const auto result = nlohmann::json::parse(Slurp(state_ + "/out/result.json"), nullptr, false);
  ASSERT_FALSE(result.is_discarded());
  Tally tally = TallySamples(result);
  // Every container ran its course on every platform: its exit seen, its whole life ok.
  for (const auto& [target, pattern] : programs) {
    for (const char* op : {"start", "exit", "lifecycle"}) {
      EXPECT_EQ(tally.ok_ops[target][op], 3) << target << " " << op << result["samples"].dump();
    }
  }
  // Every container's create went through the runtime by path, with its global options.
  for (const char* platform : {"docker", "podman", "containerd"}) {
    const std::string calls = Slurp(state_ + "/rt-" + platform + "/argv.log");
    std::istringstream lines(calls);
    int creates = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.find(" create ") == std::string::npos) continue;
      ++creates;
      EXPECT_EQ(line.rfind("--debug ", 0) == 0, std::string(platform) != "containerd")
          << platform << ": " << line;
    }
    EXPECT_EQ(creates, 3) << platform << ":\n" << calls;
  }
  // The result names each binary and setting.
  std::map<std::string, nlohmann::json> targets;
  for (const auto& target : result["context"]["targets"]) targets[target["name"]] = target;
  const auto& docker = targets["docker-next"];
  ASSERT_EQ(docker["components"].size(), 2u) << docker.dump();
  EXPECT_EQ(docker["components"][0]["path"], state_ + "/next/dockerd");
  EXPECT_EQ(docker["components"][1]["path"], state_ + "/rt-docker/runc");
  EXPECT_EQ(docker["components"][1]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(docker["settings"]["runtime.args"], R"(["--debug"])");
  EXPECT_EQ(docker["settings"]["env.FL_TEST_MARK"], "docker-next");
  EXPECT_EQ(docker["settings"]["daemon.config"], R"({"debug":true})");
  EXPECT_EQ(targets["containerd-next"]["components"][0]["path"], state_ + "/next/containerd");
  EXPECT_EQ(targets["podman-next"]["components"][0]["path"], state_ + "/next/podman");
}

}  // namespace
}  // namespace faultline
