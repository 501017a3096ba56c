// The daemon drivers in process against the real platforms: a private Docker Engine (dockerd
// + its own containerd) and Podman (service and cli) on a node. Containers are checked from
// outside (the process in /proc and its cgroup, the platform's own CLI), and nothing is left
// once the platform is stopped. The platform.* faults kill and restart the real daemons.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "chaos/cgroup_control.h"
#include "chaos/registry.h"
#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/drivers/docker/docker_driver.h"
#include "harness/drivers/oci/oci_driver.h"
#include "harness/drivers/podman/podman_driver.h"
#include "harness/images/image.h"
#include "harness/images/image_archive.h"
#include "tests/integration/daemon_fault.h"
#include "tests/integration/host_state.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;
using testing::DaemonFault;
using testing::Leftovers;
using testing::SharedPlatformDirs;
using testing::Slurp;
using testing::TempDir;

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
    shared_dirs_ = SharedPlatformDirs();
  }
  void TearDown() override {
    if (state_.empty()) return;
    EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
    EXPECT_EQ(SharedPlatformDirs(), shared_dirs_);
    (void)RemoveTree(state_);
    unsetenv("FAULTLINE_STATE_DIR");
  }
  std::string WriteScenario(const std::string& name, const std::string& text) {
    const std::string path = state_ + "/" + name;
    EXPECT_TRUE(WriteFileAtomic(path, text).ok());
    return path;
  }

  std::string state_;
  std::vector<std::string> shared_dirs_;
};

TEST_F(DockerDriverTest, ContainersRunInsideTheNodesPlatformAsDockerSeesThem) {
  ASSERT_TRUE(StartOrphanReaper().ok());
  auto journal = Journal::Open("dockdrv1");
  ASSERT_TRUE(journal.ok()) << journal.error().ToString();
  const std::string image_root = (*journal)->run_dir() + "/image";
  ASSERT_TRUE(images::BuildBusyboxRootfs(image_root).ok());
  {
    auto driver = drivers::docker::DockerDriver::Open({"dk", "runc", false, "", "dockdrv1",
                                                       (*journal)->run_dir(), journal->get(),
                                                       FAULTLINE_BINARY});
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
    FL_EXPECT_DEFAULT_CONFINEMENT(identity.init_pid);  // the engine's own defaults
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

bool ProcessRuns(pid_t pid) {
  auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  return stat.ok() && stat->find(") Z") == std::string::npos;
}

// Starts DRIVER's platform on NODE, imports the busybox at IMAGE_ROOT and runs `sleep 300` as
// container ID.
drivers::Created RunSleeping(drivers::Driver& driver, const drivers::PlatformNode& node,
                             const std::string& image_root, const std::string& id) {
  EXPECT_TRUE(driver.StartPlatform(node).ok());
  EXPECT_TRUE(driver.ImportImage(node, {"busybox", image_root, ""}).ok());
  drivers::ContainerSpec spec;
  spec.id = id;
  spec.command = {"sleep", "300"};
  spec.node = node.name;
  return driver.Run(spec, 30s);
}

pid_t Dockerd(drivers::docker::DockerDriver& driver) {
  auto* node = dynamic_cast<drivers::docker::DockerNode*>(driver.Node("local"));
  return node ? node->dockerd().pid() : 0;
}

class DockerDaemonFaultTest : public DockerDriverTest,
                              public ::testing::WithParamInterface<bool> {};

// dockerd SIGKILLed and started again: with live restore its containers keep running; without,
// the restarted dockerd stops them. Either way a new start succeeds, and the new dockerd runs
// in the platform's cgroup inside the node.
TEST_P(DockerDaemonFaultTest, RestartKeepsContainersOnlyWithLiveRestore) {
  const bool live_restore = GetParam();
  ASSERT_TRUE(StartOrphanReaper().ok());
  const std::string run_id = live_restore ? "dkflive1" : "dkfdead1";
  auto journal = Journal::Open(run_id);
  ASSERT_TRUE(journal.ok()) << journal.error().ToString();
  const std::string image_root = (*journal)->run_dir() + "/image";
  ASSERT_TRUE(images::BuildBusyboxRootfs(image_root).ok());
  {
    auto driver = drivers::docker::DockerDriver::Open({"dk", "runc", live_restore, "", run_id,
                                                       (*journal)->run_dir(), journal->get(),
                                                       FAULTLINE_BINARY});
    ASSERT_TRUE(driver.ok()) << driver.error().ToString();
    const drivers::PlatformNode node{"local", "", "faultline/" + run_id, ""};
    drivers::Created created = RunSleeping(**driver, node, image_root, "fl-" + run_id + "-a");
    ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
    ASSERT_TRUE(created.container->State(10s).ok());
    const pid_t init = created.container->Identity().init_pid;
    const pid_t old_dockerd = Dockerd(**driver);
    ASSERT_GT(old_dockerd, 0);

    reports::FaultRecord record =
        DaemonFault("platform.daemon_restart", run_id, **driver, **journal, 0s);
    ASSERT_EQ(record.daemons.size(), 1u);
    const reports::DaemonOutcome& outcome = record.daemons[0];
    EXPECT_EQ(outcome.daemon, "dockerd");
    EXPECT_TRUE(outcome.error.empty()) << outcome.error;
    EXPECT_EQ(outcome.running_before, 1u);
    EXPECT_EQ(outcome.survived, live_restore ? 1u : 0u);
    EXPECT_EQ(outcome.lost, live_restore ? 0u : 1u);
    ASSERT_TRUE(outcome.api_answered_s && outcome.start_succeeded_s);
    EXPECT_GT(*outcome.api_answered_s, 0);
    EXPECT_GE(*outcome.start_succeeded_s, *outcome.api_answered_s);
    ASSERT_TRUE(record.recovery_time_s);

    // From outside: the old dockerd is gone, a new one runs in the platform's cgroup.
    EXPECT_FALSE(ProcessRuns(old_dockerd));
    const pid_t new_dockerd = Dockerd(**driver);
    ASSERT_GT(new_dockerd, 0);
    EXPECT_NE(new_dockerd, old_dockerd);
    EXPECT_NE(Slurp("/proc/" + std::to_string(new_dockerd) + "/cgroup")
                  .find("/faultline/" + run_id + "/fl-" + run_id + "-dk-platform\n"),
              std::string::npos);
    // The container's init, and Docker's own view of it.
    EXPECT_EQ(ProcessRuns(init), live_restore);
    const std::string socket = (*driver)->Node("local")->api().socket();
    auto listed = RunForOutput(
        {DockerCli(), "-H", "unix://" + socket, "ps", "-a", "--format", "{{.Names}} {{.State}}"});
    ASSERT_TRUE(listed.ok()) << listed.error().ToString();
    // The container started to show recovery was removed again.
    EXPECT_EQ(*listed, "fl-" + run_id + (live_restore ? "-a running\n" : "-a exited\n"));
    EXPECT_TRUE(created.container->Delete(20s).status.ok());
    ASSERT_TRUE((*driver)->StopPlatform(node).ok());
  }
  EXPECT_TRUE(RemoveCgroupTree("faultline/" + run_id).ok());
  for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
  EXPECT_TRUE((*journal)->Close().ok()) << "the fault's record was released";
}

INSTANTIATE_TEST_SUITE_P(LiveRestore, DockerDaemonFaultTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "On" : "Off"; });

// A Docker Engine the run under test did not start stands for a user's own daemon: faultline
// uses it through `endpoint`, and touches only its own containers and image there.
TEST_F(DockerDriverTest, AnExistingDaemonKeepsEverythingThatIsNotTheRunsOwn) {
  ASSERT_TRUE(StartOrphanReaper().ok());
  auto users = Journal::Open("userdk01");
  ASSERT_TRUE(users.ok()) << users.error().ToString();
  const std::string image_root = (*users)->run_dir() + "/image";
  ASSERT_TRUE(images::BuildBusyboxRootfs(image_root).ok());
  {
    auto runc = drivers::oci::ProbeOciRuntime("runc");
    ASSERT_TRUE(runc.ok());
    drivers::docker::DockerNodeConfig config;
    config.node = {"local", "", "faultline/userdk01", ""};
    config.run_id = "userdk01";
    config.target = "user";
    config.dir = (*users)->run_dir() + "/d";
    config.runtime = {"runc", runc->path, false, {}};
    config.self_exe = FAULTLINE_BINARY;
    config.journal = users->get();
    auto engine = drivers::docker::DockerNode::Start(std::move(config));
    ASSERT_TRUE(engine.ok()) << engine.error().ToString();
    drivers::docker::EngineApi& api = (*engine)->api();
    // The user's image and container, unlabelled.
    auto archive = images::WriteImageArchive(image_root, (*users)->run_dir() + "/a", "mine");
    ASSERT_TRUE(archive.ok());
    ASSERT_TRUE(api.LoadImage(archive->path, 60s).ok());
    auto mine = api.Create("mine",
                           {{"Image", archive->reference},
                            {"Cmd", {"sleep", "300"}},
                            {"HostConfig", {{"NetworkMode", "host"}}}},
                           10s);
    ASSERT_TRUE(mine.ok()) << mine.error().ToString();
    ASSERT_TRUE(api.Start("mine", 10s).ok());
    auto listed = [&](std::vector<std::string> args) {
      args.insert(args.begin(), {DockerCli(), "-H", "unix://" + api.socket()});
      auto out = RunForOutput(args);
      return out.ok() ? *out : out.error().ToString();
    };

    auto journal = Journal::Open("epdrv001");
    ASSERT_TRUE(journal.ok());
    {
      auto driver = drivers::docker::DockerDriver::Open({"ep", "runc", false, api.socket(),
                                                         "epdrv001", (*journal)->run_dir(),
                                                         journal->get(), FAULTLINE_BINARY});
      ASSERT_TRUE(driver.ok()) << driver.error().ToString();
      EXPECT_EQ((*driver)->runtime().path, "unix://" + api.socket());
      const drivers::PlatformNode node{"local", "", "faultline/epdrv001", ""};
      ASSERT_TRUE((*driver)->StartPlatform(node).ok());
      auto reference = (*driver)->ImportImage(node, {"busybox", image_root, ""});
      ASSERT_TRUE(reference.ok()) << reference.error().ToString();
      EXPECT_EQ(reference->rfind("faultline.local/fl-epdrv001-ep:", 0), 0u) << *reference;
      drivers::ContainerSpec spec;
      spec.id = "fl-epdrv001-a";
      spec.command = {"sleep", "60"};
      spec.node = "local";
      drivers::Created created = (*driver)->Run(spec, 30s);
      ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
      // Its cgroup is below the run's, as for a daemon faultline started.
      const drivers::ContainerIdentity identity = created.container->Identity();
      ASSERT_GT(identity.init_pid, 0);
      EXPECT_EQ(identity.cgroup.rfind("faultline/epdrv001/fl-epdrv001-ep-containers/", 0), 0u);
      EXPECT_NE(Slurp("/proc/" + std::to_string(identity.init_pid) + "/cgroup")
                    .find(":/" + identity.cgroup + "\n"),
                std::string::npos);
      EXPECT_EQ(listed({"ps", "--format", "{{.Names}}"}), "fl-epdrv001-a\nmine\n");
      // Never a fault on someone else's daemon, nor its memory counted as the run's.
      EXPECT_EQ((*driver)->Daemon("local"), nullptr);
      EXPECT_FALSE((*driver)->ResidentOverheadBytes().ok());
      ASSERT_TRUE((*driver)->StopPlatform(node).ok());
    }
    EXPECT_TRUE(RemoveCgroupTree("faultline/epdrv001").ok());
    EXPECT_TRUE((*journal)->Close().ok()) << "every record released";
    EXPECT_EQ(listed({"ps", "-a", "--format", "{{.Names}} {{.State}}"}), "mine running\n");
    EXPECT_EQ(listed({"images", "--format", "{{.Repository}}"}), "faultline.local/mine\n");

    // After a crash, `recover` undoes the endpoint's records: the run's containers and image go,
    // the user's stay; a record naming another run's image is refused.
    ASSERT_TRUE(api.LoadImage(archive->path, 60s).ok());  // as if it were run epdrv002's
    auto theirs =
        images::WriteImageArchive(image_root, (*users)->run_dir() + "/b", "fl-epdrv002-x");
    ASSERT_TRUE(theirs.ok());
    ASSERT_TRUE(api.LoadImage(theirs->path, 60s).ok());
    drivers::ContainerSpec spec;
    spec.id = "fl-epdrv002-b";
    spec.command = {"sleep", "60"};
    ASSERT_TRUE(api.Create(spec.id,
                           drivers::docker::CreateBody(spec, theirs->reference, "runc", "epdrv002",
                                                       scenario::Security::kDefault),
                           10s)
                    .ok());
    EXPECT_FALSE(drivers::docker::UndoEndpointRecord(
                     drivers::docker::kEndpointImageRecord,
                     {{"socket", api.socket()}, {"reference", archive->reference}}, "epdrv002")
                     .ok());
    EXPECT_TRUE(drivers::docker::UndoEndpointRecord(
                    drivers::docker::kEndpointImageRecord,
                    {{"socket", api.socket()}, {"reference", theirs->reference}}, "epdrv002")
                    .ok());
    EXPECT_TRUE(drivers::docker::UndoEndpointRecord(
                    drivers::docker::kEndpointRecord,
                    {{"socket", api.socket()}, {"run_id", "epdrv002"}}, "epdrv002")
                    .ok());
    EXPECT_EQ(listed({"ps", "-a", "--format", "{{.Names}}"}), "mine\n");
    EXPECT_EQ(listed({"images", "--format", "{{.Repository}}"}), "faultline.local/mine\n");
    ASSERT_TRUE(api.Kill("mine", SIGKILL, 10s).ok());  // else dockerd waits out its grace
    ASSERT_TRUE((*engine)->Stop().ok());
  }
  EXPECT_TRUE(RemoveCgroupTree("faultline/userdk01").ok());
  for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
  EXPECT_TRUE((*users)->Close().ok());
}

class PodmanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FL_REQUIRE_ROOT_RUNTIME("podman");
    state_ = TempDir("podman");
    setenv("FAULTLINE_STATE_DIR", state_.c_str(), 1);
    shared_dirs_ = SharedPlatformDirs();
  }
  void TearDown() override {
    if (state_.empty()) return;
    EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
    // Podman's writes outside its own store stayed in the node's directory.
    EXPECT_EQ(SharedPlatformDirs(), shared_dirs_);
    EXPECT_FALSE(PathExists("/dev/shm/libpod_lock") && !had_shm_lock_);
    (void)RemoveTree(state_);
    unsetenv("FAULTLINE_STATE_DIR");
  }
  std::string state_;
  std::vector<std::string> shared_dirs_;
  bool had_shm_lock_ = PathExists("/dev/shm/libpod_lock");
};

class PodmanDriverTest : public PodmanTest, public ::testing::WithParamInterface<bool> {};

TEST_P(PodmanDriverTest, ContainersRunInsideTheNodeAsPodmanSeesThem) {
  const bool service = GetParam();
  ASSERT_TRUE(StartOrphanReaper().ok());
  const std::string run_id = service ? "podsvc01" : "podcli01";
  auto journal = Journal::Open(run_id);
  ASSERT_TRUE(journal.ok()) << journal.error().ToString();
  const std::string image_root = (*journal)->run_dir() + "/image";
  ASSERT_TRUE(images::BuildBusyboxRootfs(image_root).ok());
  {
    auto driver = drivers::podman::PodmanDriver::Open(
        {"pm", "runc", service, run_id, (*journal)->run_dir(), journal->get(), FAULTLINE_BINARY});
    ASSERT_TRUE(driver.ok()) << driver.error().ToString();
    const drivers::PlatformNode node{"local", "", "faultline/" + run_id, ""};
    Status platform = (*driver)->StartPlatform(node);
    ASSERT_TRUE(platform.ok()) << platform.error().ToString();
    auto reference = (*driver)->ImportImage(node, {"busybox", image_root, ""});
    ASSERT_TRUE(reference.ok()) << reference.error().ToString();

    drivers::ContainerSpec spec;
    spec.id = "fl-" + run_id + "-a";
    spec.command = {"sleep", "60"};
    spec.node = "local";
    drivers::Created created = (*driver)->Create(spec, 30s);
    ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
    drivers::OpResult started = created.container->Start(30s);
    ASSERT_TRUE(started.status.ok()) << started.status.error().ToString();

    const drivers::ContainerIdentity identity = created.container->Identity();
    EXPECT_EQ(identity.platform_id.size(), 64u);
    ASSERT_GT(identity.init_pid, 0);
    const std::string cgroups = Slurp("/proc/" + std::to_string(identity.init_pid) + "/cgroup");
    EXPECT_NE(cgroups.find(":/" + identity.cgroup + "\n"), std::string::npos) << cgroups;
    FL_EXPECT_DEFAULT_CONFINEMENT(identity.init_pid);  // Podman's own defaults
    // Podman's own CLI on the same store agrees (through the service's socket when there is one).
    drivers::podman::PodmanNode* platform_node = (*driver)->Node("local");
    const std::vector<std::string> ps = {"ps", "--format", "{{.Names}}"};
    auto listed = RunForOutput(platform_node->Podman(ps));
    ASSERT_TRUE(listed.ok()) << listed.error().ToString();
    EXPECT_NE(listed->find(spec.id), std::string::npos) << *listed;
    if (service) {
      // The remote client through the service's socket too.
      listed = RunForOutput(
          {"podman", "--url", "unix://" + platform_node->socket(), "ps", "--format", "{{.Names}}"});
    }
    ASSERT_TRUE(listed.ok()) << listed.error().ToString();
    EXPECT_NE(listed->find(spec.id), std::string::npos) << *listed;
    auto overhead = (*driver)->ResidentOverheadBytes();
    ASSERT_TRUE(overhead.ok());
    EXPECT_GT(*overhead, 0u);  // conmon, and the service with via: service

    EXPECT_TRUE(created.container->Kill(SIGKILL, 10s).status.ok());
    // The exit comes from Podman's events file, stamped by Podman.
    auto exited = created.container->WaitExit(30s, nullptr);
    ASSERT_TRUE(exited.ok()) << exited.error().ToString();
    EXPECT_GT(*exited, started.start_ns);
    EXPECT_LT(*exited, BootNowNs());
    EXPECT_TRUE(created.container->Delete(20s).status.ok());
    auto after = RunForOutput(platform_node->Podman({"ps", "-a", "-q"}));
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(*after, "");

    ASSERT_TRUE((*driver)->StopPlatform(node).ok());
  }
  EXPECT_TRUE(RemoveCgroupTree("faultline/" + run_id).ok());
  for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
  EXPECT_TRUE((*journal)->Close().ok());
}

// The API service SIGKILLed for a while: the API is down, conmon keeps the container running,
// and once the service runs again it answers and takes starts.
TEST_F(PodmanTest, KilledServiceLeavesContainersRunning) {
  ASSERT_TRUE(StartOrphanReaper().ok());
  const std::string run_id = "podkill1";
  auto journal = Journal::Open(run_id);
  ASSERT_TRUE(journal.ok()) << journal.error().ToString();
  const std::string image_root = (*journal)->run_dir() + "/image";
  ASSERT_TRUE(images::BuildBusyboxRootfs(image_root).ok());
  {
    auto driver = drivers::podman::PodmanDriver::Open(
        {"pm", "runc", true, run_id, (*journal)->run_dir(), journal->get(), FAULTLINE_BINARY});
    ASSERT_TRUE(driver.ok()) << driver.error().ToString();
    const drivers::PlatformNode node{"local", "", "faultline/" + run_id, ""};
    drivers::Created created = RunSleeping(**driver, node, image_root, "fl-" + run_id + "-a");
    ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
    // Its processes, from its cgroup (a run through Podman's API names no pid).
    const std::string cgroup = created.container->Identity().cgroup;
    ASSERT_FALSE(cgroup.empty());
    const std::vector<pid_t> processes = chaos::ProcessesIn(cgroup);
    ASSERT_EQ(processes.size(), 1u);
    const pid_t init = processes[0];
    chaos::PlatformDaemon* daemon = (*driver)->Daemon("local");
    ASSERT_NE(daemon, nullptr);
    // Only the container counts, not its conmon.
    EXPECT_EQ(daemon->ContainerCgroups().size(), 1u);

    const reports::FaultRecord record =
        DaemonFault("platform.daemon_kill", run_id, **driver, **journal, 0s, [&] {
          // While it is down: no API, the container runs on.
          EXPECT_FALSE(daemon->Ping(1s).ok());
          EXPECT_TRUE(ProcessRuns(init));
        });
    ASSERT_EQ(record.daemons.size(), 1u);
    EXPECT_EQ(record.daemons[0].running_before, 1u);
    EXPECT_EQ(record.daemons[0].survived, 1u);
    EXPECT_TRUE(record.daemons[0].start_succeeded_s);
    EXPECT_TRUE(daemon->Ping(5s).ok());
    EXPECT_TRUE(ProcessRuns(init));
    auto listed = RunForOutput({"podman", "--url", "unix://" + (*driver)->Node("local")->socket(),
                                "ps", "--format", "{{.Names}}"});
    ASSERT_TRUE(listed.ok()) << listed.error().ToString();
    EXPECT_EQ(*listed, "fl-" + run_id + "-a\n");
    EXPECT_TRUE(created.container->Kill(SIGKILL, 10s).status.ok());  // sleep ignores SIGTERM
    EXPECT_TRUE(created.container->Delete(20s).status.ok());
    ASSERT_TRUE((*driver)->StopPlatform(node).ok());
  }
  EXPECT_TRUE(RemoveCgroupTree("faultline/" + run_id).ok());
  for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
  EXPECT_TRUE((*journal)->Close().ok()) << "the fault's record was released";
}

INSTANTIATE_TEST_SUITE_P(ServiceAndCli, PodmanDriverTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Service" : "Cli"; });

}  // namespace
}  // namespace faultline
