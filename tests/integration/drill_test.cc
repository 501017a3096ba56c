// Fault drills on a real virtual cluster, checked from outside: a drill injects and reverts on
// schedule and reports impact and recovery_time; `recover` after a SIGKILLed controller leaves
// the host clean; the watchdog reverts a fault whose TTL passed after its controller died; a
// paused node's processes get no CPU.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "chaos/cgroup_control.h"
#include "chaos/fault.h"
#include "chaos/registry.h"
#include "harness/core/cgroup.h"
#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

class DrillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FL_REQUIRE_ROOT_RUNTIME("runc");
    if (FindExecutable("ip").empty() || FindExecutable("iptables").empty()) {
      FL_SKIP_LACKING("root", "ip or iptables not installed");
    }
    state_ = TempDir("state");
    dir_ = TempDir("work");
  }
  void TearDown() override {
    if (state_.empty()) return;
    (void)RunFaultline({"recover"}, state_);  // a failed test leaves nothing either
    (void)RemoveTree(dir_);
    (void)RemoveTree(state_);
  }
  std::string WriteScenario(const std::string& text) {
    std::string path = dir_ + "/drill.yaml";
    std::ofstream(path) << text;
    return path;
  }
  // The single run directory under the state root, once it exists.
  std::string RunDir() {
    for (const auto& run : ListDirectory(state_ + "/runs")) return state_ + "/runs/" + run;
    return "";
  }
  // Outstanding fault records of the run, as the journal has them.
  std::vector<JournalEntry> FaultRecords(const std::string& run_dir) {
    std::vector<JournalEntry> faults;
    auto entries = ReadOutstanding(run_dir + "/journal");
    if (!entries.ok()) return faults;
    for (auto& e : *entries) {
      if (e.kind == chaos::kFaultJournalKind) faults.push_back(std::move(e));
    }
    return faults;
  }
  // Waits until the run has journaled at least N fault records; returns the run dir.
  std::string WaitForFaults(std::size_t n, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string run_dir = RunDir();
      if (!run_dir.empty() && FaultRecords(run_dir).size() >= n) return run_dir;
      std::this_thread::sleep_for(20ms);
    }
    return "";
  }
  // Processes whose command line names this test's state root (the watchdog, helpers).
  std::vector<std::string> ProcessesNamingState() {
    std::vector<std::string> found;
    for (const auto& pid : ListDirectory("/proc")) {
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      if (std::stoi(pid) == getpid()) continue;
      std::string cmdline = Slurp("/proc/" + pid + "/cmdline");
      for (char& c : cmdline) c = c ? c : ' ';
      if (cmdline.find(state_ + "/") != std::string::npos) found.push_back(pid + ": " + cmdline);
    }
    return found;
  }
  static std::vector<std::string> ListDirectory(const std::string& path) {
    std::vector<std::string> names;
    if (DIR* d = opendir(path.c_str())) {
      while (dirent* e = readdir(d)) {
        if (e->d_name[0] != '.') names.push_back(e->d_name);
      }
      closedir(d);
    }
    return names;
  }
  static std::string HostRulesAndQdiscs() {
    std::string found;
    if (auto rules = RunForOutput({"iptables-save"}, 10s); rules.ok()) {
      std::istringstream lines(*rules);
      for (std::string line; std::getline(lines, line);) {
        if (line.find("fl-") != std::string::npos) found += "rule: " + line + "\n";
      }
    }
    return found;
  }

  // Runs the shipped scenarios/NAME.yaml and checks what every drill must show of its one fault
  // of KIND: applied, reverted at its TTL, round trips failed while it was active, recovered
  // within 4 s, nothing left behind. Returns the result document.
  nlohmann::json RunShippedDrill(const std::string& name, const std::string& kind) {
    const std::string out = dir_ + "/out";
    auto [code, output] = RunFaultline(
        {"run", std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/" + name + ".yaml", "--out", out},
        state_);
    EXPECT_EQ(code, 0) << output;
    EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
    auto result = nlohmann::json::parse(Slurp(out + "/result.json"), nullptr, false);
    if (result.is_discarded()) result = nlohmann::json::object();
    if (result["faults"].size() != 1) {
      ADD_FAILURE() << "expected one fault: " << output;
      return result;
    }
    const auto& fault = result["faults"][0];
    EXPECT_EQ(fault["kind"], kind);
    EXPECT_TRUE(fault["ok"].get<bool>()) << fault.dump(2);
    EXPECT_EQ(fault["ended_by"], "ttl");
    EXPECT_EQ(fault["impact_metric"], "op_latency.tcp_rr");
    EXPECT_GT(fault["during"]["failed"].get<int>(), 0) << fault.dump(2);
    EXPECT_TRUE(fault["recovery_time_s"].is_number()) << fault.dump(2);
    const double recovery = fault.value("recovery_time_s", -1.0);
    EXPECT_GE(recovery, 0.0);
    EXPECT_LT(recovery, 4.0);
    std::cout << kind << ": recovery_time " << recovery << " s\n";
    return result;
  }

  std::string state_, dir_;
};

// The shipped partition drill: node-1 is cut off at 4s for 3s under churn and TCP
// request/response between all three nodes.
TEST_F(DrillTest, PartitionDrillInjectsAndRevertsOnScheduleAndReportsImpactAndRecovery) {
  const auto result = RunShippedDrill("drill-partition", "network.partition");
  ASSERT_EQ(result["faults"].size(), 1u);
  const auto& fault = result["faults"][0];
  // On schedule: injected within 100 ms of its planned time, reverted 3 s later (the revert
  // itself takes a few iptables calls per node).
  const std::int64_t scheduled = fault["scheduled_ns"], inject = fault["inject_ns"],
                     revert = fault["revert_ns"];
  EXPECT_LT(std::abs(inject - scheduled), 100'000'000) << fault.dump(2);
  EXPECT_GE(revert - inject, 3'000'000'000);
  EXPECT_LT(revert - inject, 3'500'000'000);
  std::cout << "partition: inject lag " << (inject - scheduled) / 1e6 << " ms, reverted "
            << (revert - scheduled - 3'000'000'000) / 1e6 << " ms after due\n";
  // Impact: round trips to and from node-1 fail while it is cut off, not before.
  ASSERT_TRUE(fault["baseline"].is_object()) << fault.dump(2);
  EXPECT_GT(fault["baseline"]["samples"].get<int>(), 50);
  EXPECT_EQ(fault["baseline"]["failed"], 0) << fault.dump(2);
  EXPECT_EQ(fault["drops"], fault["during"]["failed"]);
  EXPECT_EQ(fault["drops_from"], "tcp_rr_failures");
  // Impact is read on the paths the cut crosses; node-2 <-> node-3 is the control, untouched.
  ASSERT_EQ(fault["cuts"].size(), 1u) << fault.dump(2);
  EXPECT_EQ(fault["cuts"][0][0], nlohmann::json({"node-1"})) << fault.dump(2);
  ASSERT_TRUE(fault["control"].is_object()) << fault.dump(2);
  EXPECT_GT(fault["control"]["samples"].get<int>(), 0);
  EXPECT_EQ(fault["control"]["failed"], 0) << fault.dump(2);
  EXPECT_GT(fault["during"]["failed"].get<int>(), 0) << fault.dump(2);
  // With eBPF probes, the kernel saw the partition's packets dropped in the fault's window.
  if (result["probes"]["mode"] == "ebpf") {
    EXPECT_GT(fault["signals"]["packet_drops"].get<int>(), 0) << fault.dump(2);
  } else if (Required("bpf")) {
    ADD_FAILURE() << "probes off (" << result["probes"]["reason"]
                  << ") where FAULTLINE_REQUIRE names bpf: no kernel drop count";
  } else {
    std::cout << "probes off (" << result["probes"]["reason"] << "): no kernel drop count\n";
  }
}

// The shipped node-kill drill: node-2 dies at 4s for 3s, its echo server and probe with it.
// The load runs on: both come back with the node, and round trips recover.
TEST_F(DrillTest, NodeKillDrillLosesTheNodesTrafficUntilItReturnsThenRecovers) {
  const auto result = RunShippedDrill("drill-node-kill", "node.kill");
  ASSERT_EQ(result["faults"].size(), 1u);
  const auto& fault = result["faults"][0];
  // After the revert node-2 sends (its probe restarted) and answers (its echo server did).
  const std::int64_t revert = fault["revert_ns"];
  int from_node2 = 0, to_node2 = 0;
  for (const auto& sample : result["samples"]) {
    if (sample["op"] != "tcp_rr" || !sample["ok"].get<bool>()) continue;
    if (sample["start_ns"].get<std::int64_t>() < revert) continue;
    from_node2 += sample["node"] == "node-2";
    to_node2 += sample["peer"] == "node-2";
  }
  EXPECT_GT(from_node2, 10) << fault.dump(2) << result["validity"].dump(2);
  EXPECT_GT(to_node2, 10) << fault.dump(2) << result["validity"].dump(2);
  for (const auto& warning : result["validity"]) {
    EXPECT_EQ(warning.get<std::string>().find("killed by signal"), std::string::npos) << warning;
  }
}

// SIGKILL in the middle of four faults (iptables, qdisc, freezer, a delayer process): recover
// undoes them from the journal and the host is clean.
TEST_F(DrillTest, RecoverAfterSigkillMidFaultLeavesTheHostClean) {
  const std::string scenario = WriteScenario(R"(version: 1
name: drill-sigkill
target: {driver: oci, runtime: runc, image: busybox}
cluster: {nodes: 3}
steps:
  - name: steady
    workload: {kind: steady, duration: 30s, churn_rate: 2/s, rr_rate: 30/s}
faults:
  - {kind: network.partition, at: 500ms, for: 60s, partition: isolate}
  - {kind: network.bandwidth, at: 500ms, for: 60s, nodes: [node-2], rate: 10mbit}
  - {kind: network.delay, at: 500ms, for: 60s, nodes: [node-3], delay: 20ms}
  - {kind: node.pause, at: 500ms, for: 60s, nodes: [node-3]}
)");
  Spawned run =
      SpawnFaultline({"run", scenario, "--out", dir_ + "/out"}, state_, dir_ + "/log.txt");
  const std::string run_dir = WaitForFaults(4, 30s);
  ASSERT_FALSE(run_dir.empty()) << Slurp(run.output_path);
  std::this_thread::sleep_for(300ms);  // the last one applied, not only journaled
  kill(run.pid, SIGKILL);
  EXPECT_EQ(WaitExit(run.pid, 30), 128 + SIGKILL);
  ASSERT_EQ(FaultRecords(run_dir).size(), 4u) << "the watchdog must not revert before the TTL";
  ASSERT_FALSE(Leftovers(state_).empty());

  auto [code, output] = RunFaultline({"recover"}, state_);
  EXPECT_EQ(code, 0) << output;
  for (const char* kind :
       {"network.partition", "network.bandwidth", "network.delay", "node.pause"}) {
    EXPECT_NE(output.find(std::string("fault ") + kind), std::string::npos) << output;
  }
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
  EXPECT_EQ(HostRulesAndQdiscs(), "");
  // The watchdog sees the journal gone and exits; the delayer went with its cgroup.
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!ProcessesNamingState().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(ProcessesNamingState(), std::vector<std::string>{});
}

// The controller dies during a 2 s pause of node-1; nobody runs recover. The watchdog thaws the
// node when the TTL passes and releases the record.
TEST_F(DrillTest, WatchdogRevertsAFaultWhoseTtlPassedAfterTheControllerDied) {
  auto freezer = chaos::HostFreezer();
  if (!freezer.ok()) FL_SKIP_LACKING("root", "no cgroup freezer");
  const std::string scenario = WriteScenario(R"(version: 1
name: drill-watchdog
target: {driver: oci, runtime: runc, image: busybox}
cluster: {nodes: 2}
steps:
  - name: steady
    workload: {kind: steady, duration: 30s, churn_rate: 2/s}
faults:
  - {kind: node.pause, at: 200ms, for: 2s, nodes: [node-1]}
)");
  Spawned run =
      SpawnFaultline({"run", scenario, "--out", dir_ + "/out"}, state_, dir_ + "/log.txt");
  const std::string run_dir = WaitForFaults(1, 30s);
  ASSERT_FALSE(run_dir.empty()) << Slurp(run.output_path);
  const std::string run_id = run_dir.substr(run_dir.rfind('/') + 1);
  const std::string node = "faultline/" + run_id + "/node-1";
  const std::int64_t expires = FaultRecords(run_dir)[0].data["expires_ns"];
  const auto frozen_deadline = std::chrono::steady_clock::now() + 2s;
  while (!chaos::IsFrozen(*freezer, node) && std::chrono::steady_clock::now() < frozen_deadline) {
    std::this_thread::sleep_for(5ms);
  }
  kill(run.pid, SIGKILL);
  EXPECT_EQ(WaitExit(run.pid, 30), 128 + SIGKILL);
  ASSERT_TRUE(chaos::IsFrozen(*freezer, node)) << "killed while node-1 was paused";
  ASSERT_LT(BootNowNs(), expires) << "killed too late to see the watchdog act";

  std::int64_t thawed_at = 0;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!chaos::IsFrozen(*freezer, node)) {
      thawed_at = BootNowNs();
      break;
    }
    std::this_thread::sleep_for(2ms);
  }
  ASSERT_NE(thawed_at, 0) << "node-1 still frozen 10 s after its controller died";
  EXPECT_GE(thawed_at, expires) << "thawed before the TTL passed";
  EXPECT_LT(thawed_at - expires, 500'000'000) << "the watchdog reverts within 0.5 s of the TTL";
  std::cout << "watchdog revert " << (thawed_at - expires) / 1e6 << " ms after the TTL\n";
  // The release is appended just after the thaw: give the watchdog a moment to write it.
  const auto released_by = std::chrono::steady_clock::now() + 2s;
  while (!FaultRecords(run_dir).empty() && std::chrono::steady_clock::now() < released_by) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(FaultRecords(run_dir).empty()) << "the watchdog released the record";

  auto [code, output] = RunFaultline({"recover"}, state_);
  EXPECT_EQ(code, 0) << output;
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

// node.pause through the registry on a node cgroup running a busy loop: the loop's CPU time
// stands still while paused and moves again after the revert.
TEST_F(DrillTest, APausedNodesProcessesGetNoCpu) {
  setenv("FAULTLINE_STATE_DIR", state_.c_str(), 1);
  auto journal = Journal::Open("drillpause");
  ASSERT_TRUE(journal.ok()) << journal.error().ToString();
  const std::string node = "faultline/drillpause/node-1";
  const pid_t busy = fork();
  if (busy == 0) {
    for (;;) asm volatile("");  // spins until killed
  }
  ASSERT_GT(busy, 0);
  // The node's cgroup in every hierarchy, the way the cluster makes it, with the loop in it.
  for (const auto& root : CgroupHierarchies()) {
    ASSERT_TRUE(MakeDirs(root + "/" + node).ok()) << root;
    std::ofstream(root + "/" + node + "/cgroup.procs") << busy;
  }
  auto cpu_ticks = [busy] {
    std::istringstream stat(Slurp("/proc/" + std::to_string(busy) + "/stat"));
    std::string field;
    std::uint64_t utime = 0, stime = 0;
    for (int i = 1; i <= 15 && stat >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    return utime + stime;
  };
  chaos::FaultParams params;
  params.run_id = "drillpause";
  params.kind = "node.pause";
  params.nodes = {{"node-1", "", "", "", node}};
  params.expires_ns = BootNowNs() + 10'000'000'000;
  auto pause = chaos::MechanismFor("node.pause");
  ASSERT_NE(pause, nullptr);
  auto active = pause->Inject(params, **journal);
  ASSERT_TRUE(active.ok()) << active.error().ToString();
  const std::uint64_t paused_from = cpu_ticks();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(cpu_ticks(), paused_from) << "a paused node's process ran";
  ASSERT_TRUE((*active)->Revert().ok());
  const std::uint64_t thawed_from = cpu_ticks();
  std::this_thread::sleep_for(300ms);
  EXPECT_GT(cpu_ticks(), thawed_from) << "the process runs again after the revert";

  kill(busy, SIGKILL);
  waitpid(busy, nullptr, 0);
  EXPECT_TRUE(RemoveCgroupTree(node).ok());
  EXPECT_TRUE(RemoveCgroupTree("faultline/drillpause").ok());
  RemoveFaultlineCgroupIfEmpty();
  EXPECT_TRUE((*journal)->Close().ok());
  unsetenv("FAULTLINE_STATE_DIR");
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
}

}  // namespace
}  // namespace faultline::testing
