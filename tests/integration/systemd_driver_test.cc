// The systemd cgroup driver against the real systemd: nodes are transient slices carrying the
// node limits, runc's and crun's containers are scopes in them, and nothing is left in systemd
// or in the cgroup tree afterwards. Checked from outside, through systemctl and cgroupfs.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "chaos/registry.h"
#include "harness/cluster/addressing.h"
#include "harness/cluster/local/local_cluster.h"
#include "harness/cluster/virtual/virtual_cluster.h"
#include "harness/core/cgroup.h"
#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/core/systemd.h"
#include "harness/drivers/oci/oci_driver.h"
#include "harness/images/image.h"
#include "harness/runner/recover.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

// `systemctl show -p PROPERTY --value UNIT`, trimmed.
std::string UnitProperty(const std::string& unit, const std::string& property) {
  auto out = RunForOutput({"systemctl", "show", "-p", property, "--value", unit});
  if (!out.ok()) return "error: " + out.error().ToString();
  std::string text = *out;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string CgroupFile(const std::string& rel, const std::string& file) {
  auto text = ReadFile("/sys/fs/cgroup/" + rel + "/" + file);
  if (!text.ok()) return "unreadable";
  std::string value = *text;
  while (!value.empty() && value.back() == '\n') value.pop_back();
  return value;
}

class SystemdDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FL_REQUIRE_ROOT_RUNTIME("runc");
    if (!SystemdIsInit()) FL_SKIP_LACKING("systemd", "systemd is not PID 1 on this host");
    if (DetectCgroupMode() != CgroupMode::kV2) {
      FL_SKIP_LACKING("systemd", "the checks read cgroup v2 files; this host is not pure v2");
    }
    state_ = TempDir("systemd");
    setenv("FAULTLINE_STATE_DIR", state_.c_str(), 1);
    ASSERT_TRUE(StartOrphanReaper().ok());
    auto journal = Journal::Open(kRunId);
    ASSERT_TRUE(journal.ok()) << journal.error().ToString();
    journal_ = std::move(*journal);
  }
  void TearDown() override {
    if (state_.empty()) return;
    driver_.reset();
    if (journal_) {
      EXPECT_TRUE(journal_->Close().ok());
    }
    journal_.reset();
    if (!Leftovers(state_).empty()) {
      const runner::RecoverReport report = runner::Recover("");
      EXPECT_EQ(report.failures, std::vector<std::string>{});
    }
    EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});  // units and cgroups included
    (void)RemoveTree(state_);
    unsetenv("FAULTLINE_STATE_DIR");
  }

  // An OCI driver of RUNTIME with the systemd cgroup manager, the busybox image imported.
  void OpenDriver(const std::string& runtime) {
    const std::string lower = journal_->run_dir() + "/image";
    ASSERT_TRUE(images::BuildBusyboxRootfs(lower).ok());
    auto security = drivers::oci::LoadContainerSecurity(scenario::Security::kDefault);
    ASSERT_TRUE(security.ok()) << security.error().ToString();
    drivers::oci::OciDriverConfig config{runtime, journal_->run_dir(), "", journal_.get()};
    config.security = std::move(*security);
    config.systemd_cgroup = true;
    auto driver = drivers::oci::OciDriver::Open(std::move(config));
    ASSERT_TRUE(driver.ok()) << driver.error().ToString();
    driver_ = std::move(*driver);
    ASSERT_TRUE(driver_->ImportImage({"local"}, {"busybox", lower, ""}).ok());
  }

  static constexpr const char* kRunId = "sdtest01";
  std::string state_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<drivers::oci::OciDriver> driver_;
};

TEST_F(SystemdDriverTest, NodesAreSlicesWithTheirLimitsStoppedWithTheCluster) {
  cluster::VirtualClusterSpec spec{2, {0.5, 256ull << 20}, cluster::CgroupDriver::kSystemd};
  auto built = cluster::VirtualCluster::Create(kRunId, spec, *journal_);
  ASSERT_TRUE(built.ok()) << built.error().ToString();
  const std::string owner = std::string("faultline_") + kRunId + ".slice";
  EXPECT_EQ(UnitProperty(owner, "ActiveState"), "active");
  for (const cluster::Node& node : (*built)->nodes()) {
    const std::string unit = cluster::NodeSliceName(kRunId, node.name);
    EXPECT_EQ(node.cgroup, owner + "/" + unit);
    EXPECT_EQ(UnitProperty(unit, "ActiveState"), "active") << unit;
    EXPECT_EQ(UnitProperty(unit, "ControlGroup"), "/" + node.cgroup);
    // systemd wrote the limits into the kernel's files.
    EXPECT_EQ(CgroupFile(node.cgroup, "memory.max"), "268435456") << unit;
    EXPECT_EQ(CgroupFile(node.cgroup, "cpu.max"), "50000 100000") << unit;
  }
  ASSERT_TRUE((*built)->Teardown().ok());
  EXPECT_EQ(UnitProperty(owner, "ActiveState"), "inactive");
  EXPECT_FALSE(PathExists("/sys/fs/cgroup/" + owner));
}

class SystemdRuntimeTest : public SystemdDriverTest,
                           public ::testing::WithParamInterface<const char*> {};

TEST_P(SystemdRuntimeTest, AContainerIsAScopeInItsNodesSliceUntilDeleted) {
  const std::string runtime = GetParam();
  if (FindExecutable(runtime).empty()) FL_SKIP_LACKING("root", runtime + " is not installed");
  auto local = cluster::LocalCluster::Create(kRunId, "faultline/" + std::string(kRunId),
                                             cluster::CgroupDriver::kSystemd, *journal_);
  ASSERT_TRUE(local.ok()) << local.error().ToString();
  const cluster::Node& node = (*local)->nodes().front();
  ASSERT_NO_FATAL_FAILURE(OpenDriver(runtime));

  drivers::ContainerSpec spec;
  spec.id = std::string("fl-") + kRunId + "-" + runtime;
  spec.command = {"sleep", "60"};
  spec.resources.memory_bytes = 64ull << 20;
  spec.resources.cpus = 0.5;
  spec.resources.pids = 32;
  spec.cgroup_parent = node.cgroup;
  drivers::Created created = driver_->Run(spec, 30s);
  ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
  const drivers::ContainerIdentity identity = created.container->Identity();
  const std::string scope = "faultline-" + spec.id + ".scope";
  // crun keeps the scope's own cgroup free of processes: the container lives in a child.
  EXPECT_EQ(identity.cgroup, node.cgroup + "/" + scope + (runtime == "crun" ? "/container" : ""));
  ASSERT_GT(identity.init_pid, 0);
  // The kernel, systemd and the cgroup files agree on where the container lives.
  EXPECT_EQ(Slurp("/proc/" + std::to_string(identity.init_pid) + "/cgroup"),
            "0::/" + identity.cgroup + "\n");
  EXPECT_EQ(UnitProperty(scope, "ActiveState"), "active");
  EXPECT_EQ(UnitProperty(scope, "Slice"), node.cgroup);  // a top-level slice: path == name
  EXPECT_EQ(CgroupFile(identity.cgroup, "memory.max"), "67108864");
  EXPECT_EQ(CgroupFile(identity.cgroup, "pids.max"), "32");
  EXPECT_EQ(CgroupFile(identity.cgroup, "cpu.max"), "50000 100000");
  EXPECT_NE(CgroupFile(identity.cgroup, "cgroup.procs"), "");

  drivers::OpResult deleted = created.container->Delete(30s);
  EXPECT_TRUE(deleted.status.ok()) << deleted.status.error().ToString();
  EXPECT_NE(UnitProperty(scope, "ActiveState"), "active");
  EXPECT_FALSE(PathExists("/sys/fs/cgroup/" + identity.cgroup));
  ASSERT_TRUE((*local)->Teardown().ok());
}

// node.pause and node.kill act on a slice's cgroup as on any node's: the container's scope
// freezes with its node and thaws again; killed, its init dies, systemd lets the scope go, and
// the runtime still deletes the container.
TEST_F(SystemdDriverTest, NodeFaultsFreezeAndKillTheContainersInANodesSlice) {
  cluster::VirtualClusterSpec spec{1, {}, cluster::CgroupDriver::kSystemd};
  auto built = cluster::VirtualCluster::Create(kRunId, spec, *journal_);
  ASSERT_TRUE(built.ok()) << built.error().ToString();
  const cluster::Node& node = (*built)->nodes().front();
  ASSERT_NO_FATAL_FAILURE(OpenDriver("runc"));
  drivers::ContainerSpec spec_c;
  spec_c.id = std::string("fl-") + kRunId + "-faults";
  spec_c.command = {"sleep", "60"};
  spec_c.netns = node.netns;
  spec_c.cgroup_parent = node.cgroup;
  drivers::Created created = driver_->Run(spec_c, 30s);
  ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
  const drivers::ContainerIdentity identity = created.container->Identity();
  const std::string scope = "faultline-" + spec_c.id + ".scope";

  chaos::FaultParams params;
  params.run_id = kRunId;
  params.nodes = {node.Ref()};
  params.expires_ns = BootNowNs() + 30'000'000'000;
  params.kind = "node.pause";
  auto paused = chaos::MechanismFor("node.pause")->Inject(params, *journal_);
  ASSERT_TRUE(paused.ok()) << paused.error().ToString();
  EXPECT_NE(CgroupFile(identity.cgroup, "cgroup.events").find("frozen 1"), std::string::npos);
  ASSERT_TRUE((*paused)->Revert().ok());
  EXPECT_NE(CgroupFile(identity.cgroup, "cgroup.events").find("frozen 0"), std::string::npos);
  EXPECT_EQ(kill(identity.init_pid, 0), 0) << "a thawed container lives on";

  params.kind = "node.kill";
  auto killed = chaos::MechanismFor("node.kill")->Inject(params, *journal_);
  ASSERT_TRUE(killed.ok()) << killed.error().ToString();
  auto exited = created.container->WaitExit(10s, nullptr);
  EXPECT_TRUE(exited.ok()) << exited.error().ToString();
  ASSERT_TRUE((*killed)->Revert().ok());
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (UnitProperty(scope, "ActiveState") == "active" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(UnitProperty(scope, "ActiveState"), "active") << "an empty scope stops";
  EXPECT_TRUE(created.container->Delete(30s).status.ok());
  ASSERT_TRUE((*built)->Teardown().ok());
}

INSTANTIATE_TEST_SUITE_P(Runtimes, SystemdRuntimeTest, ::testing::Values("runc", "crun"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace faultline::testing
