// The containerd driver in process against a real containerd of its own: containers made
// through the gRPC API are checked from outside (the task's init in /proc, in the cgroup the
// driver names; containerd's own client, ctr, on the private socket), the shim-stamped events
// come back, and nothing is left once the platform is stopped. platform.daemon_kill SIGKILLs the
// real containerd: the shims keep their containers, and the restarted containerd serves again.
#include "harness/drivers/containerd/containerd_driver.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/host.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/images/image.h"
#include "tests/integration/daemon_fault.h"
#include "tests/integration/host_state.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;
using drivers::containerd::ContainerdDriver;
using testing::DaemonFault;
using testing::Leftovers;
using testing::SharedPlatformDirs;
using testing::Slurp;
using testing::TempDir;

// crun refuses hybrid cgroups: like `faultline run`, the test process enters the private v1
// cgroup view before any test, while it is still single-threaded.
class PrivateV1ViewEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (geteuid() != 0 || DetectCgroupMode() != CgroupMode::kHybrid) return;
    Status entered = EnterPrivateV1CgroupView();
    ASSERT_TRUE(entered.ok()) << entered.error().ToString();
  }
};
::testing::Environment* const kPrivateView =
    ::testing::AddGlobalTestEnvironment(new PrivateV1ViewEnvironment);

class ContainerdDriverTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    FL_REQUIRE_ROOT_RUNTIME("containerd");
    state_ = TempDir("containerd");
    setenv("FAULTLINE_STATE_DIR", state_.c_str(), 1);
    shared_dirs_ = SharedPlatformDirs();
    ASSERT_TRUE(StartOrphanReaper().ok());
  }
  void TearDown() override {
    if (state_.empty()) return;
    EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
    EXPECT_EQ(SharedPlatformDirs(), shared_dirs_);  // no shim socket left either
    (void)RemoveTree(state_);
    unsetenv("FAULTLINE_STATE_DIR");
  }

  // Opens a driver of RUNTIME for run RUN_ID, starts containerd on the local node and imports
  // busybox.
  std::unique_ptr<ContainerdDriver> Open(const std::string& run_id, const std::string& runtime) {
    journal_ = std::move(Journal::Open(run_id).value());
    const std::string image_root = journal_->run_dir() + "/image";
    EXPECT_TRUE(images::BuildBusyboxRootfs(image_root).ok());
    drivers::containerd::ContainerdDriverConfig config{
        "ct", runtime, run_id, journal_->run_dir(), journal_.get(), FAULTLINE_BINARY};
    auto security = drivers::oci::LoadContainerSecurity(scenario::Security::kDefault);
    EXPECT_TRUE(security.ok()) << security.error().ToString();
    if (!security.ok()) return nullptr;
    config.security = std::move(*security);
    auto driver = ContainerdDriver::Open(std::move(config));
    EXPECT_TRUE(driver.ok()) << driver.error().ToString();
    if (!driver.ok()) return nullptr;
    node_ = {"local", "", "faultline/" + run_id, ""};
    Status platform = (*driver)->StartPlatform(node_);
    EXPECT_TRUE(platform.ok()) << platform.error().ToString();
    auto reference = (*driver)->ImportImage(node_, {"busybox", image_root, ""});
    EXPECT_TRUE(reference.ok()) << reference.error().ToString();
    return std::move(*driver);
  }
  // Stops the platform, removes the run's cgroups and closes its journal.
  void Close(std::unique_ptr<ContainerdDriver> driver, const std::string& run_id) {
    EXPECT_TRUE(driver->StopPlatform(node_).ok());
    driver.reset();
    EXPECT_TRUE(RemoveCgroupTree("faultline/" + run_id).ok());
    for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
    EXPECT_TRUE(journal_->Close().ok());
  }
  // containerd's own client on the node's private socket, in faultline's namespace.
  std::string Ctr(ContainerdDriver& driver, std::vector<std::string> args) {
    std::vector<std::string> argv = {FindExecutable("ctr"), "--address",
                                     driver.Node("local")->client().socket(), "--namespace",
                                     drivers::containerd::kNamespace};
    argv.insert(argv.end(), args.begin(), args.end());
    auto said = RunForOutput(argv);
    EXPECT_TRUE(said.ok()) << said.error().ToString();
    return said.ok() ? *said : "";
  }

  std::string state_;
  std::vector<std::string> shared_dirs_;
  std::unique_ptr<Journal> journal_;
  drivers::PlatformNode node_;
};

TEST_P(ContainerdDriverTest, ContainersRunAsCtrSeesThemAndTheShimStampsTheirSteps) {
  const std::string run_id = "ctrd" + GetParam();
  auto driver = Open(run_id, GetParam());
  ASSERT_NE(driver, nullptr);
  drivers::ContainerSpec spec;
  spec.id = "fl-" + run_id + "-a";
  spec.command = {"sleep", "60"};
  spec.node = "local";
  spec.resources.memory_bytes = 64 << 20;
  drivers::Created created = driver->Create(spec, 30s);
  ASSERT_TRUE(created.prepare.status.ok()) << created.prepare.status.error().ToString();
  ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
  // Created, not started: the task exists and its init waits for start.
  EXPECT_NE(Ctr(*driver, {"tasks", "ls"}).find("CREATED"), std::string::npos);
  drivers::OpResult started = created.container->Start(30s);
  ASSERT_TRUE(started.status.ok()) << started.status.error().ToString();

  // From outside: the init in /proc, in the cgroup the driver names, below the node's.
  const drivers::ContainerIdentity identity = created.container->Identity();
  EXPECT_EQ(identity.platform_id, spec.id);
  ASSERT_GT(identity.init_pid, 0);
  const std::string cgroups = Slurp("/proc/" + std::to_string(identity.init_pid) + "/cgroup");
  EXPECT_NE(cgroups.find(":/" + identity.cgroup + "\n"), std::string::npos) << cgroups;
  EXPECT_EQ(identity.cgroup.rfind("faultline/" + run_id + "/", 0), 0u) << identity.cgroup;
  EXPECT_EQ(Slurp("/proc/" + std::to_string(identity.init_pid) + "/comm"), "sleep\n");
  FL_EXPECT_DEFAULT_CONFINEMENT(identity.init_pid);  // the spec faultline writes
  // The spec's memory limit, as runc or crun set it (v2 memory.max, v1 limit_in_bytes).
  const std::string memory = MemoryCgroupDir(identity.cgroup);
  const std::string limit =
      memory + (PathExists(memory + "/memory.max") ? "/memory.max" : "/memory.limit_in_bytes");
  EXPECT_EQ(Slurp(limit), std::to_string(64 << 20) + "\n");
  // The runtime the target named ran behind the shim, with its state below the node's
  // directory: runc keeps state.json there, crun a status file.
  const std::string runtime_state =
      driver->Node("local")->runtime_root() + "/" + drivers::containerd::kNamespace + "/" + spec.id;
  EXPECT_TRUE(PathExists(runtime_state + (GetParam() == "runc" ? "/state.json" : "/status")))
      << runtime_state;
  // The shim's socket went below the node's directory (bound over /run/containerd in
  // containerd's mount namespace), not into the host's /run/containerd/s.
  const std::filesystem::path node_dir =
      std::filesystem::path(driver->Node("local")->runtime_root()).parent_path();
  const auto sockets = std::filesystem::directory_iterator(node_dir / "run-containerd" / "s");
  EXPECT_EQ(std::distance(begin(sockets), end(sockets)), 1);
  const auto host_sockets = [](const std::vector<std::string>& dirs) {
    return std::count_if(dirs.begin(), dirs.end(), [](const std::string& entry) {
      return entry.rfind("shim socket", 0) == 0;
    });
  };
  EXPECT_EQ(host_sockets(SharedPlatformDirs()), host_sockets(shared_dirs_));
  // ctr agrees: the container with the run's label, its task running with that pid.
  EXPECT_EQ(Ctr(*driver, {"containers", "ls", "-q"}), spec.id + "\n");
  const std::string info = Ctr(*driver, {"containers", "info", spec.id});
  EXPECT_NE(info.find("\"faultline.run\": \"" + run_id + "\""), std::string::npos) << info;
  const std::string tasks = Ctr(*driver, {"tasks", "ls"});
  EXPECT_NE(tasks.find(std::to_string(identity.init_pid)), std::string::npos) << tasks;
  EXPECT_NE(tasks.find("RUNNING"), std::string::npos) << tasks;
  auto state = created.container->State(10s);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, drivers::ContainerStatus::kRunning);
  // containerd and the shim are the platform's overhead.
  auto overhead = driver->ResidentOverheadBytes();
  ASSERT_TRUE(overhead.ok());
  EXPECT_GT(*overhead, 10u << 20);

  EXPECT_TRUE(created.container->Kill(SIGKILL, 10s).status.ok());
  auto exited = created.container->WaitExit(30s, nullptr);
  ASSERT_TRUE(exited.ok()) << exited.error().ToString();
  EXPECT_GT(*exited, started.end_ns);
  EXPECT_LT(*exited, BootNowNs());
  // The shim stamped the task's create after the create call began, its start after the start
  // call began. Each stamp is taken when the shim forwards the event, which runs beside the
  // reply: it may come a moment after its call returned (measured: 0.24 ms), never before the
  // call, and the create's before the start's.
  const auto stamps = driver->PlatformStamps();
  ASSERT_EQ(stamps.count(spec.id), 1u);
  const auto& steps = stamps.at(spec.id);
  ASSERT_EQ(steps.count("task_create"), 1u);
  ASSERT_EQ(steps.count("task_start"), 1u);
  EXPECT_GT(steps.at("task_create"), created.create.start_ns);
  EXPECT_LT(steps.at("task_create"), steps.at("task_start"));
  EXPECT_GT(steps.at("task_start"), started.start_ns);
  EXPECT_LT(steps.at("task_start"), *exited);

  EXPECT_TRUE(created.container->Delete(20s).status.ok());
  EXPECT_EQ(Ctr(*driver, {"containers", "ls", "-q"}), "");
  EXPECT_EQ(Ctr(*driver, {"snapshots", "ls"}).find(spec.id), std::string::npos);
  const std::string socket = driver->Node("local")->client().socket();
  Close(std::move(driver), run_id);
  EXPECT_FALSE(PathExists(socket));
}

INSTANTIATE_TEST_SUITE_P(Runtimes, ContainerdDriverTest, ::testing::Values("runc", "crun"));

class ContainerdDaemonTest : public ContainerdDriverTest {};

// containerd SIGKILLed for a while (platform.daemon_kill): the shim keeps the container, the API
// is down, and once containerd runs again it answers, takes starts, and its events still reach
// the driver.
TEST_F(ContainerdDaemonTest, KilledContainerdLeavesContainersRunningAndServesAgain) {
  const std::string run_id = "ctrdkill";
  auto driver = Open(run_id, "runc");
  ASSERT_NE(driver, nullptr);
  drivers::ContainerSpec spec;
  spec.id = "fl-" + run_id + "-a";
  spec.command = {"sleep", "300"};
  spec.node = "local";
  drivers::Created running = driver->Run(spec, 30s);
  ASSERT_TRUE(running.create.status.ok()) << running.create.status.error().ToString();
  const pid_t init = running.container->Identity().init_pid;
  ASSERT_GT(init, 0);
  const pid_t before = driver->Node("local")->pid();

  const reports::FaultRecord record =
      DaemonFault("platform.daemon_kill", run_id, *driver, *journal_, 0s, [&] {
        EXPECT_FALSE(driver->Node("local")->daemon().Alive());
        EXPECT_FALSE(running.container->State(2s).ok());  // nobody answers
        EXPECT_EQ(Slurp("/proc/" + std::to_string(init) + "/comm"), "sleep\n");
      });
  ASSERT_EQ(record.daemons.size(), 1u);
  EXPECT_EQ(record.daemons[0].running_before, 1u);
  EXPECT_EQ(record.daemons[0].survived, 1u);
  EXPECT_EQ(record.daemons[0].error, "");
  ASSERT_TRUE(record.daemons[0].api_answered_s && record.daemons[0].start_succeeded_s);
  EXPECT_GE(*record.daemons[0].start_succeeded_s, *record.daemons[0].api_answered_s);

  // The new containerd knows the surviving task, and its exit reaches the driver.
  const pid_t after = driver->Node("local")->pid();
  EXPECT_NE(after, before);
  EXPECT_NE(Slurp("/proc/" + std::to_string(after) + "/cgroup").find(run_id), std::string::npos);
  auto state = running.container->State(10s);
  ASSERT_TRUE(state.ok()) << state.error().ToString();
  EXPECT_EQ(*state, drivers::ContainerStatus::kRunning);
  EXPECT_TRUE(running.container->Kill(SIGKILL, 10s).status.ok());
  auto exited = running.container->WaitExit(30s, nullptr);
  EXPECT_TRUE(exited.ok()) << exited.error().ToString();
  EXPECT_TRUE(running.container->Delete(20s).status.ok());
  Close(std::move(driver), run_id);
}

}  // namespace
}  // namespace faultline
