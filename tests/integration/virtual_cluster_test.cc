// The virtual cluster on this host, checked from outside: a standing cluster comes and goes
// without a trace, containers on two nodes talk over the bridge, a run builds and removes its
// own cluster with its steady workload, and `recover` cleans up after a SIGKILLed run.
#include "harness/cluster/virtual/virtual_cluster.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/drivers/oci/oci_driver.h"
#include "harness/images/image.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FL_REQUIRE_ROOT_RUNTIME("runc");
    if (FindExecutable("ip").empty()) FL_SKIP_LACKING("root", "no ip");
    state_ = TempDir("cluster-state");
    dir_ = TempDir("cluster-work");
  }
  void TearDown() override {
    if (state_.empty()) return;
    (void)RunFaultline({"recover"}, state_);  // only matters when a test failed half-way
    (void)RemoveTree(dir_);
    (void)RemoveTree(state_);
  }
  std::string WriteScenario(const std::string& text) {
    const std::string path = dir_ + "/scenario.yaml";
    std::ofstream(path) << text;
    return path;
  }
  static int CountNetns(const std::string& prefix) {
    int count = 0;
    auto listed = RunForOutput({"ip", "netns", "list"}, 10s);
    if (!listed.ok()) return -1;
    for (std::size_t at = listed->find(prefix); at != std::string::npos;
         at = listed->find(prefix, at + 1)) {
      ++count;
    }
    return count;
  }

  std::string state_, dir_;
};

// A container on node-2 serves one connection; a container on node-1 connects to node-2's
// address. The server only exits once that connection came over the bridge. Empty when it
// did, else what went wrong.
std::string ContainersReachEachOther(const cluster::Cluster& cluster) {
  if (Status reaper = StartOrphanReaper(); !reaper.ok()) return reaper.error().ToString();
  auto journal = Journal::Open("cltest01");
  if (!journal.ok()) return journal.error().ToString();
  const std::string lower = (*journal)->run_dir() + "/image";
  std::string failed;
  if (Status built = images::BuildBusyboxRootfs(lower); !built.ok())
    failed = built.error().ToString();
  // Confined as a run confines its containers.
  auto security = drivers::oci::LoadContainerSecurity(scenario::Security::kDefault);
  if (failed.empty() && !security.ok()) failed = security.error().ToString();
  drivers::oci::OciDriverConfig config{"runc", (*journal)->run_dir(), "faultline/cltest01",
                                       journal->get()};
  if (security.ok()) config.security = std::move(*security);
  auto driver = drivers::oci::OciDriver::Open(std::move(config));
  if (failed.empty() && !driver.ok()) failed = driver.error().ToString();
  if (failed.empty()) {
    if (auto imported = (*driver)->ImportImage({"local"}, {"busybox", lower, ""}); !imported.ok())
      failed = imported.error().ToString();
  }
  if (failed.empty()) {
    const cluster::Node& client_node = cluster.nodes().at(0);
    const cluster::Node& server_node = cluster.nodes().at(1);
    drivers::ContainerSpec server{"fl-cltest01-server",
                                  {"nc", "-l", "-p", "7000", "-e", "echo", "pong"},
                                  {},
                                  server_node.name,
                                  server_node.netns,
                                  server_node.cgroup};
    drivers::ContainerSpec client{
        "fl-cltest01-client",
        {"sh", "-c",
         "for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 1 " + server_node.address +
             " 7000 && exit 0; sleep 0.2; done; exit 1"},
        {},
        client_node.name,
        client_node.netns,
        client_node.cgroup};
    drivers::Created made_server = (*driver)->Create(server, 30s);
    drivers::Created made_client;
    if (!made_server.create.status.ok()) failed = made_server.create.status.error().ToString();
    if (failed.empty()) {
      drivers::OpResult started = made_server.container->Start(30s);
      if (!started.status.ok()) failed = started.status.error().ToString();
    }
    if (failed.empty()) {
      made_client = (*driver)->Create(client, 30s);
      if (!made_client.create.status.ok()) failed = made_client.create.status.error().ToString();
    }
    if (failed.empty()) {
      drivers::OpResult started = made_client.container->Start(30s);
      if (!started.status.ok()) failed = started.status.error().ToString();
    }
    if (failed.empty()) {
      auto served = made_server.container->WaitExit(15s, nullptr);
      if (!served.ok()) {
        failed = "the server on " + server_node.name + " (" + server_node.address +
                 ") saw no connection from " + client_node.name + ": " + served.error().ToString();
      }
      (void)made_client.container->WaitExit(15s, nullptr);
    }
    for (auto* made : {&made_client, &made_server}) {
      if (made->container) (void)made->container->Delete(30s);
    }
  }
  driver = Internal("closed");  // drops the driver before its cgroup goes
  (void)RemoveCgroupTree("faultline/cltest01");
  (void)(*journal)->Close();
  return failed;
}

// Runs CHECK in a child process: the orphan reaper it needs would otherwise also reap the
// faultline processes this test spawns and waits for.
std::string InChild(const std::function<std::string()>& check, const std::string& report) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::ofstream(report) << check();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status)) return "the check's process died";
  return Slurp(report);
}

TEST_F(ClusterTest, UpStatusDownLeavesNothingAndNodesTalkOverTheBridge) {
  setenv("FAULTLINE_STATE_DIR", state_.c_str(), 1);
  auto [up, up_out] = RunFaultline(
      {"cluster", "up", "--name", "t", "--nodes", "2", "--cpus", "0.5", "--memory", "256Mi"},
      state_);
  ASSERT_EQ(up, 0) << up_out;
  EXPECT_EQ(CountNetns("fl-"), 3) << "two nodes and the bridge's namespace";

  auto [status, status_out] = RunFaultline({"cluster", "status", "--name", "t"}, state_);
  EXPECT_EQ(status, 0) << status_out;
  EXPECT_NE(status_out.find("node-2"), std::string::npos) << status_out;
  EXPECT_NE(status_out.find("memory 256Mi"), std::string::npos) << status_out;
  EXPECT_NE(status_out.find("198.1"), std::string::npos) << status_out;

  // A second `up` of the same name is refused; `recover` leaves a standing cluster alone.
  EXPECT_EQ(RunFaultline({"cluster", "up", "--name", "t"}, state_).first, 2);
  EXPECT_EQ(RunFaultline({"recover"}, state_).first, 0);
  EXPECT_EQ(CountNetns("fl-"), 3);

  auto state = nlohmann::json::parse(Slurp(state_ + "/clusters/t/state.json"), nullptr, false);
  ASSERT_FALSE(state.is_discarded());
  auto attached = cluster::VirtualCluster::Attach(state);
  ASSERT_TRUE(attached.ok()) << attached.error().ToString();
  const cluster::Cluster& standing = **attached;
  EXPECT_EQ(InChild([&] { return ContainersReachEachOther(standing); }, dir_ + "/reach.txt"), "");
  unsetenv("FAULTLINE_STATE_DIR");

  auto [down, down_out] = RunFaultline({"cluster", "down", "--name", "t"}, state_);
  EXPECT_EQ(down, 0) << down_out;
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
  EXPECT_EQ(RunFaultline({"cluster", "down", "--name", "t"}, state_).first, 2);
}

constexpr const char* kSteady = R"(version: 1
name: steady
target: {driver: oci, runtime: runc}
cluster: {nodes: 2, node: {cpus: 1, memory: 512Mi}}
steps:
  - name: drill
    workload: {kind: steady, duration: DURATION, churn_rate: 2/s, rr_rate: 20/s, rr_timeout: 1s}
)";

std::string Steady(const std::string& duration) {
  std::string text = kSteady;
  return text.replace(text.find("DURATION"), 8, duration);
}

TEST_F(ClusterTest, ARunBuildsItsClusterMeasuresSteadyLoadPerNodeAndRemovesIt) {
  const std::string out = dir_ + "/out";
  const std::int64_t before = BootNowNs();
  auto [code, output] = RunFaultline({"run", WriteScenario(Steady("3s")), "--out", out}, state_);
  const std::int64_t after = BootNowNs();
  ASSERT_EQ(code, 0) << output;
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});

  auto result = nlohmann::json::parse(Slurp(out + "/result.json"), nullptr, false);
  ASSERT_FALSE(result.is_discarded());
  std::map<std::string, int> ok_by_op_node;
  std::set<std::string> peers;
  for (const auto& sample : result["samples"]) {
    const std::string op = sample["op"], node = sample["node"];
    const std::int64_t start = sample["start_ns"];
    EXPECT_GE(start, before);
    EXPECT_LE(start + sample["duration_ns"].get<std::int64_t>(), after);
    if (sample["ok"].get<bool>()) ++ok_by_op_node[op + "@" + node];
    if (op == "tcp_rr") {
      ASSERT_TRUE(sample.contains("peer")) << sample.dump();
      EXPECT_NE(sample["peer"], sample["node"]) << "traffic goes between nodes";
      peers.insert(node + "->" + sample["peer"].get<std::string>());
    }
  }
  // Both directions, and churn on both nodes.
  EXPECT_EQ(peers, (std::set<std::string>{"node-1->node-2", "node-2->node-1"}));
  EXPECT_GT(ok_by_op_node["tcp_rr@node-1"], 10);
  EXPECT_GT(ok_by_op_node["tcp_rr@node-2"], 10);
  EXPECT_GT(ok_by_op_node["run@node-1"], 0);
  EXPECT_GT(ok_by_op_node["run@node-2"], 0);
}

TEST_F(ClusterTest, RecoverRemovesTheClusterOfASigkilledRun) {
  Spawned run = SpawnFaultline({"run", WriteScenario(Steady("30s")), "--out", dir_ + "/out"},
                               state_, dir_ + "/log.txt");
  // Killed while the steady load runs: the cluster stands, helpers and containers live.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline && CountNetns("fl-") < 3) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(CountNetns("fl-"), 3) << Slurp(run.output_path);
  std::this_thread::sleep_for(3s);
  kill(run.pid, SIGKILL);
  EXPECT_EQ(WaitExit(run.pid, 30), 128 + SIGKILL) << Slurp(run.output_path);
  ASSERT_FALSE(Leftovers(state_).empty());
  auto [code, output] = RunFaultline({"recover"}, state_);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("removed netns"), std::string::npos) << output;
  EXPECT_NE(output.find("removed bridge"), std::string::npos) << output;
  EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
  EXPECT_EQ(CountNetns("fl-"), 0);
}

}  // namespace
}  // namespace faultline::testing
