// The docker driver against a real private Docker Engine (dockerd + its own containerd) per
// node: containers checked from outside (the process in /proc and its cgroup, Docker's own CLI
// on the private socket), the platform gone after the run, after Ctrl-C and after SIGKILL +
// recover.
#include "harness/drivers/docker/docker_driver.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/images/image.h"
#include "tests/integration/host_state.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;
using testing::Leftovers;
using testing::RunFaultline;
using testing::Slurp;
using testing::Spawned;
using testing::SpawnFaultline;
using testing::TempDir;
using testing::WaitExit;

// Docker's own client, the Debian one (a newer CLI may stand ahead of it in PATH).
std::string DockerCli() {
  return PathExists("/usr/bin/docker") ? "/usr/bin/docker" : FindExecutable("docker");
}

class DockerDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FL_REQUIRE_ROOT_RUNTIME("dockerd");
    state_ = TempDir("docker");
    setenv("FAULTLINE_STATE_DIR", state_.c_str(), 1);
    had_run_containerd_ = PathExists("/run/containerd");
  }
  void TearDown() override {
    if (state_.empty()) return;
    EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
    if (!had_run_containerd_) {
      EXPECT_FALSE(PathExists("/run/containerd"));
    }
    (void)RemoveTree(state_);
    unsetenv("FAULTLINE_STATE_DIR");
  }
  std::string WriteScenario(const std::string& name, const std::string& text) {
    const std::string path = state_ + "/" + name;
    EXPECT_TRUE(WriteFileAtomic(path, text).ok());
    return path;
  }

  std::string state_;
  bool had_run_containerd_ = false;
};

TEST_F(DockerDriverTest, ContainersRunInsideTheNodesPlatformAsDockerSeesThem) {
  ASSERT_TRUE(StartOrphanReaper().ok());
  auto journal = Journal::Open("dockdrv1");
  ASSERT_TRUE(journal.ok()) << journal.error().ToString();
  const std::string image_root = (*journal)->run_dir() + "/image";
  ASSERT_TRUE(images::BuildBusyboxRootfs(image_root).ok());
  {
    auto driver = drivers::docker::DockerDriver::Open(
        {"dk", "runc", false, "dockdrv1", (*journal)->run_dir(), journal->get(), FAULTLINE_BINARY});
    ASSERT_TRUE(driver.ok()) << driver.error().ToString();
    const drivers::PlatformNode node{"local", "", "faultline/dockdrv1", ""};
    Status platform = (*driver)->StartPlatform(node);
    ASSERT_TRUE(platform.ok()) << platform.error().ToString();
    auto reference = (*driver)->ImportImage(node, {"busybox", image_root, ""});
    ASSERT_TRUE(reference.ok()) << reference.error().ToString();

    drivers::ContainerSpec spec;
    spec.id = "fl-dockdrv1-a";
    spec.command = {"sleep", "60"};
    spec.node = "local";
    spec.resources.memory_bytes = 64 << 20;
    drivers::Created created = (*driver)->Create(spec, 30s);
    ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
    drivers::OpResult started = created.container->Start(30s);
    ASSERT_TRUE(started.status.ok()) << started.status.error().ToString();
    EXPECT_LT(started.start_ns, started.end_ns);

    // From outside: the init in /proc, in the cgroup the driver names, below the node's.
    const drivers::ContainerIdentity identity = created.container->Identity();
    EXPECT_EQ(identity.platform_id.size(), 64u);
    ASSERT_GT(identity.init_pid, 0);
    const std::string cgroups = Slurp("/proc/" + std::to_string(identity.init_pid) + "/cgroup");
    EXPECT_NE(cgroups.find(":/" + identity.cgroup + "\n"), std::string::npos) << cgroups;
    EXPECT_EQ(identity.cgroup.rfind("faultline/dockdrv1/", 0), 0u) << identity.cgroup;
    auto memory = ReadCgroupMemory(identity.cgroup);
    ASSERT_TRUE(memory.ok());
    EXPECT_GT(memory->usage_bytes, 0u);
    // Docker's own CLI on the private socket agrees, and sees the run's label.
    const std::string socket = (*driver)->Node("local")->api().socket();
    auto listed = RunForOutput({DockerCli(), "-H", "unix://" + socket, "ps", "--format",
                                "{{.Names}} {{.Label \"faultline.run\"}}"});
    ASSERT_TRUE(listed.ok()) << listed.error().ToString();
    EXPECT_EQ(*listed, "fl-dockdrv1-a dockdrv1\n");
    auto state = created.container->State(10s);
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(*state, drivers::ContainerStatus::kRunning);
    // The daemons' memory is the platform's overhead.
    auto overhead = (*driver)->ResidentOverheadBytes();
    ASSERT_TRUE(overhead.ok());
    EXPECT_GT(*overhead, 10u << 20);

    EXPECT_TRUE(created.container->Kill(SIGKILL, 10s).status.ok());
    auto exited = created.container->WaitExit(30s, nullptr);
    ASSERT_TRUE(exited.ok()) << exited.error().ToString();
    EXPECT_GT(*exited, started.end_ns);
    EXPECT_FALSE(PathExists("/proc/" + std::to_string(identity.init_pid) + "/cgroup"));
    EXPECT_TRUE(created.container->Delete(10s).status.ok());
    auto after = RunForOutput({DockerCli(), "-H", "unix://" + socket, "ps", "-a", "-q"});
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(*after, "");

    ASSERT_TRUE((*driver)->StopPlatform(node).ok());
    EXPECT_FALSE(PathExists(socket));
  }
  EXPECT_TRUE(RemoveCgroupTree("faultline/dockdrv1").ok());
  for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
  EXPECT_TRUE((*journal)->Close().ok());
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

TEST_F(DockerDriverTest, ARunOnTwoNodesMeasuresAndLeavesNothing) {
  const std::string out = state_ + "/out";
  auto [code, output] =
      RunFaultline({"run", WriteScenario("docker.yaml", kDockerScenario), "--out", out}, state_);
  ASSERT_EQ(code, 0) << output;
  auto result = nlohmann::json::parse(Slurp(out + "/result.json"), nullptr, false);
  ASSERT_FALSE(result.is_discarded());
  std::map<std::string, int> ok_ops;
  std::set<std::string> nodes;
  for (const auto& sample : result["samples"]) {
    if (sample["ok"].get<bool>()) ++ok_ops[sample["op"].get<std::string>()];
    nodes.insert(sample["node"].get<std::string>());
  }
  EXPECT_EQ(ok_ops["exit"], 6) << output;
  EXPECT_EQ(ok_ops["run"], 12) << output;
  EXPECT_EQ(ok_ops["stop"], 6) << output;
  EXPECT_EQ(nodes, (std::set<std::string>{"node-1", "node-2"}));
  EXPECT_EQ(result["context"]["targets"][0]["runtime"]["name"], "dockerd");
  // dockerd, containerd and shims per node: tens of MB shared by the containers.
  bool overhead_seen = false;
  for (const auto& point : result["density"]) {
    if (point.value("runtime_overhead_per_container_bytes", 0.0) > 1e6) overhead_seen = true;
  }
  EXPECT_TRUE(overhead_seen) << result["density"].dump();
}

TEST_F(DockerDriverTest, RecoverRemovesThePlatformsOfASigkilledRun) {
  const std::string scenario = WriteScenario("long.yaml", R"(version: 1
name: docker-long
target: {driver: docker, image: busybox}
cluster: {nodes: 2}
steps:
  - name: ramp
    workload: {kind: density, max: 40, step: 2, settle: 1s, command: [sleep, "600"]}
)");
  Spawned run =
      SpawnFaultline({"run", scenario, "--out", state_ + "/out"}, state_, state_ + "/log.txt");
  // Wait until containers run: shims of the run's private containerd instances.
  bool running = false;
  for (auto until = std::chrono::steady_clock::now() + 120s;
       !running && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(200ms);
    auto shims = RunForOutput({"pgrep", "-f", "containerd-shim-runc-v2 .*" + state_});
    running = shims.ok() && std::count(shims->begin(), shims->end(), '\n') >= 4;
  }
  ASSERT_TRUE(running) << Slurp(state_ + "/log.txt");
  std::this_thread::sleep_for(2s);  // a few ramp steps
  kill(run.pid, SIGKILL);
  EXPECT_EQ(WaitExit(run.pid, 60), 128 + SIGKILL);
  ASSERT_FALSE(Leftovers(state_).empty());
  auto [code, output] = RunFaultline({"recover"}, state_);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("docker.platform"), std::string::npos) << output;
}

}  // namespace
}  // namespace faultline
