// The cri driver in process against a real containerd with its CRI plugin: a pod made through
// the CRI is checked from outside (its container's init in /proc, in the pod's cgroup below the
// node's; containerd's own client, ctr, lists the sandbox and the container in namespace
// k8s.io), and removing it leaves neither, nor anything once the platform is stopped. The CRI
// plugin's own metrics count what the samples count, and platform.daemon_kill on the real
// containerd leaves the pod running until the CRI answers again.
#include "harness/drivers/cri/cri_driver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

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
using drivers::cri::CriDriver;
using testing::DaemonFault;
using testing::Leftovers;
using testing::SharedPlatformDirs;
using testing::Slurp;
using testing::TempDir;

class CriDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FL_REQUIRE_ROOT_RUNTIME("containerd");
    state_ = TempDir("cri");
    setenv("FAULTLINE_STATE_DIR", state_.c_str(), 1);
    shared_dirs_ = SharedPlatformDirs();
    ASSERT_TRUE(StartOrphanReaper().ok());
  }
  void TearDown() override {
    if (state_.empty()) return;
    EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
    EXPECT_EQ(SharedPlatformDirs(), shared_dirs_);
    (void)RemoveTree(state_);
    unsetenv("FAULTLINE_STATE_DIR");
  }
  // Opens a cri driver for run RUN_ID with pods of CONTAINERS, starts its containerd on the
  // local node (with its metrics at METRICS, if any) and imports busybox.
  std::unique_ptr<CriDriver> Open(const std::string& run_id, int containers,
                                  const std::string& metrics = "") {
    journal_ = std::move(Journal::Open(run_id).value());
    const std::string image_root = journal_->run_dir() + "/image";
    EXPECT_TRUE(images::BuildBusyboxRootfs(image_root).ok());
    drivers::cri::CriDriverConfig config;
    config.target = "cri";
    config.run_id = run_id;
    config.run_dir = journal_->run_dir();
    config.journal = journal_.get();
    config.self_exe = FAULTLINE_BINARY;
    config.containers_per_pod = containers;
    config.metrics_address = metrics;
    auto driver = CriDriver::Open(config);
    EXPECT_TRUE(driver.ok()) << driver.error().ToString();
    if (!driver.ok()) return nullptr;
    node_ = {"local", "", "faultline/" + run_id, ""};
    Status platform = (*driver)->StartPlatform(node_);
    EXPECT_TRUE(platform.ok()) << platform.error().ToString();
    auto reference = (*driver)->ImportImage(node_, {"busybox", image_root, ""});
    EXPECT_TRUE(reference.ok()) << reference.error().ToString();
    return platform.ok() && reference.ok() ? std::move(*driver) : nullptr;
  }
  // Stops the platform, removes the run's cgroups and closes its journal.
  void Close(std::unique_ptr<CriDriver> driver, const std::string& run_id) {
    EXPECT_TRUE(driver->StopPlatform(node_).ok());
    driver.reset();
    EXPECT_TRUE(RemoveCgroupTree("faultline/" + run_id).ok());
    for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
    EXPECT_TRUE(journal_->Close().ok());
  }
  // containerd's own client on the node's socket, in the CRI plugin's namespace.
  std::string Ctr(CriDriver& driver, std::vector<std::string> args) {
    std::vector<std::string> argv = {FindExecutable("ctr"), "--address",
                                     driver.Node("local")->containerd().socket(), "--namespace",
                                     drivers::cri::kCriNamespace};
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

// A TCP port on loopback that nothing listens on now.
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

// The CRI plugin's timers, summed over their labels, from containerd's Prometheus text.
struct CriCounts {
  double sandbox_create = 0;
  double container_create = 0;
  double container_start = 0;
  double container_start_s = 0;
};

CriCounts ScrapeCri(const std::string& url) {
  auto text = RunForOutput({FindExecutable("curl"), "-sSf", url});
  EXPECT_TRUE(text.ok()) << text.error().ToString();
  CriCounts counts;
  std::istringstream lines(text.ok() ? *text : "");
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::string name = line.substr(0, line.find_first_of("{ "));
    const double value = std::stod(line.substr(line.rfind(' ') + 1));
    if (name == "containerd_cri_sandbox_runtime_create_seconds_count") {
      counts.sandbox_create += value;
    } else if (name == "containerd_cri_container_create_seconds_count") {
      counts.container_create += value;
    } else if (name == "containerd_cri_container_start_seconds_count") {
      counts.container_start += value;
    } else if (name == "containerd_cri_container_start_seconds_sum") {
      counts.container_start_s += value;
    }
  }
  return counts;
}

TEST_F(CriDriverTest, APodRunsAsCtrSeesItAndIsGoneOnceDeleted) {
  const std::string run_id = "cri00001";
  auto driver = Open(run_id, 2);
  ASSERT_NE(driver, nullptr);
  drivers::ContainerSpec spec;
  spec.id = "fl-" + run_id + "-a";
  spec.command = {"sleep", "60"};
  spec.node = "local";
  drivers::Created created = driver->Create(spec, 60s);
  ASSERT_TRUE(created.prepare.status.ok()) << created.prepare.status.error().ToString();
  ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
  drivers::OpResult started = created.container->Start(60s);
  ASSERT_TRUE(started.status.ok()) << started.status.error().ToString();

  // From outside: the last container's init in /proc, in a cgroup below the pod's, which is
  // below the node's.
  const drivers::ContainerIdentity identity = created.container->Identity();
  ASSERT_GT(identity.init_pid, 0);
  EXPECT_EQ(Slurp("/proc/" + std::to_string(identity.init_pid) + "/comm"), "sleep\n");
  FL_EXPECT_DEFAULT_CONFINEMENT(identity.init_pid);  // RuntimeDefault: containerd's profile
  const std::string cgroups = Slurp("/proc/" + std::to_string(identity.init_pid) + "/cgroup");
  EXPECT_NE(cgroups.find(":/" + identity.cgroup + "/" + identity.platform_id + "\n"),
            std::string::npos)
      << cgroups;
  EXPECT_EQ(identity.cgroup.rfind("faultline/" + run_id + "/", 0), 0u) << identity.cgroup;
  EXPECT_NE(identity.cgroup.find(spec.id), std::string::npos) << identity.cgroup;
  // ctr sees the pause container and the pod's two, all running.
  const std::string listed = Ctr(*driver, {"tasks", "ls"});
  EXPECT_NE(listed.find(identity.platform_id), std::string::npos) << listed;
  int running = 0;
  for (std::size_t at = listed.find("RUNNING"); at != std::string::npos;
       at = listed.find("RUNNING", at + 1)) {
    ++running;
  }
  EXPECT_EQ(running, 3) << listed;
  auto pods = driver->Node("local")->client().ListPodSandboxes(10s);
  ASSERT_TRUE(pods.ok()) << pods.error().ToString();
  EXPECT_EQ(pods->size(), 1u);

  drivers::OpResult removed = created.container->Delete(60s);
  EXPECT_TRUE(removed.status.ok()) << removed.status.error().ToString();
  EXPECT_EQ(Ctr(*driver, {"containers", "ls", "-q"}), "");
  pods = driver->Node("local")->client().ListPodSandboxes(10s);
  ASSERT_TRUE(pods.ok()) << pods.error().ToString();
  EXPECT_TRUE(pods->empty());
  EXPECT_FALSE(CgroupExists(identity.cgroup));
  EXPECT_FALSE(PathExists("/proc/" + std::to_string(identity.init_pid)));

  Close(std::move(driver), run_id);
}

// The CRI plugin's own metrics (containerd's Prometheus endpoint, on loopback here) count what
// faultline's samples count, and containerd's time inside each call is within faultline's time
// around it.
TEST_F(CriDriverTest, ContainerdsOwnCriMetricsMoveWithTheSamples) {
  const std::string run_id = "cri00002";
  const int port = FreeLoopbackPort();
  ASSERT_GT(port, 0);
  auto driver = Open(run_id, 1, "127.0.0.1:" + std::to_string(port));
  ASSERT_NE(driver, nullptr);
  const std::string metrics = "http://127.0.0.1:" + std::to_string(port) + "/v1/metrics";
  const CriCounts before = ScrapeCri(metrics);
  constexpr int kPods = 4;
  double faultline_start_s = 0;
  for (int i = 0; i < kPods; ++i) {
    drivers::ContainerSpec spec;
    spec.id = "fl-" + run_id + "-" + std::to_string(i);
    spec.command = {"true"};
    spec.node = "local";
    drivers::Created created = driver->Create(spec, 60s);
    ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
    drivers::OpResult started = created.container->Start(60s);
    ASSERT_TRUE(started.status.ok()) << started.status.error().ToString();
    faultline_start_s += started.duration_ns() / 1e9;
    EXPECT_TRUE(created.container->WaitExit(30s, nullptr).ok());
    EXPECT_TRUE(created.container->Delete(60s).status.ok());
  }
  const CriCounts after = ScrapeCri(metrics);
  EXPECT_EQ(after.sandbox_create - before.sandbox_create, kPods);
  EXPECT_EQ(after.container_create - before.container_create, kPods);
  EXPECT_EQ(after.container_start - before.container_start, kPods);
  EXPECT_GT(after.container_start_s - before.container_start_s, 0);
  EXPECT_LE(after.container_start_s - before.container_start_s, faultline_start_s);
  Close(std::move(driver), run_id);
}

// containerd SIGKILLed for a while (platform.daemon_kill): the shim keeps the pod, the CRI does
// not answer, and once containerd runs again the CRI answers, knows the pod running and starts
// new ones.
TEST_F(CriDriverTest, KilledContainerdLeavesThePodRunningUntilTheCriAnswersAgain) {
  const std::string run_id = "cri00003";
  auto driver = Open(run_id, 1);
  ASSERT_NE(driver, nullptr);
  drivers::ContainerSpec spec;
  spec.id = "fl-" + run_id + "-a";
  spec.command = {"sleep", "300"};
  spec.node = "local";
  drivers::Created running = driver->Run(spec, 60s);
  ASSERT_TRUE(running.create.status.ok()) << running.create.status.error().ToString();
  const pid_t init = running.container->Identity().init_pid;
  ASSERT_GT(init, 0);

  const reports::FaultRecord record =
      DaemonFault("platform.daemon_kill", run_id, *driver, *journal_, 0s, [&] {
        EXPECT_FALSE(driver->Node("local")->client().Version(2s).ok());  // nobody answers
        EXPECT_EQ(Slurp("/proc/" + std::to_string(init) + "/comm"), "sleep\n");
      });
  ASSERT_EQ(record.daemons.size(), 1u);
  EXPECT_EQ(record.daemons[0].running_before, 1u);
  EXPECT_EQ(record.daemons[0].survived, 1u);
  EXPECT_EQ(record.daemons[0].error, "");
  ASSERT_TRUE(record.daemons[0].api_answered_s && record.daemons[0].start_succeeded_s);
  EXPECT_GE(*record.daemons[0].start_succeeded_s, *record.daemons[0].api_answered_s);

  auto state = running.container->State(10s);
  ASSERT_TRUE(state.ok()) << state.error().ToString();
  EXPECT_EQ(*state, drivers::ContainerStatus::kRunning);
  EXPECT_TRUE(running.container->Delete(60s).status.ok());
  EXPECT_FALSE(PathExists("/proc/" + std::to_string(init)));
  Close(std::move(driver), run_id);
}

}  // namespace
}  // namespace faultline
