// The cri driver in process against a real containerd with its CRI plugin: a pod made through
// the CRI is checked from outside (its container's init in /proc, in the pod's cgroup below the
// node's; containerd's own client, ctr, lists the sandbox and the container in namespace
// k8s.io), and removing it leaves neither, nor anything once the platform is stopped.
#include "harness/drivers/cri/cri_driver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/host.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/images/image.h"
#include "tests/integration/host_state.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;
using drivers::cri::CriDriver;
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
};

TEST_F(CriDriverTest, APodRunsAsCtrSeesItAndIsGoneOnceDeleted) {
  const std::string run_id = "cri00001";
  auto journal = std::move(Journal::Open(run_id).value());
  const std::string image_root = journal->run_dir() + "/image";
  ASSERT_TRUE(images::BuildBusyboxRootfs(image_root).ok());
  drivers::cri::CriDriverConfig config;
  config.target = "cri";
  config.run_id = run_id;
  config.run_dir = journal->run_dir();
  config.journal = journal.get();
  config.self_exe = FAULTLINE_BINARY;
  config.containers_per_pod = 2;
  auto driver = CriDriver::Open(config);
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
  drivers::Created created = (*driver)->Create(spec, 60s);
  ASSERT_TRUE(created.prepare.status.ok()) << created.prepare.status.error().ToString();
  ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
  drivers::OpResult started = created.container->Start(60s);
  ASSERT_TRUE(started.status.ok()) << started.status.error().ToString();

  // From outside: the first container's init in /proc, in a cgroup below the pod's, which is
  // below the node's.
  const drivers::ContainerIdentity identity = created.container->Identity();
  ASSERT_GT(identity.init_pid, 0);
  EXPECT_EQ(Slurp("/proc/" + std::to_string(identity.init_pid) + "/comm"), "sleep\n");
  const std::string cgroups = Slurp("/proc/" + std::to_string(identity.init_pid) + "/cgroup");
  EXPECT_NE(cgroups.find(":/" + identity.cgroup + "/" + identity.platform_id + "\n"),
            std::string::npos)
      << cgroups;
  EXPECT_EQ(identity.cgroup.rfind("faultline/" + run_id + "/", 0), 0u) << identity.cgroup;
  EXPECT_NE(identity.cgroup.find(spec.id), std::string::npos) << identity.cgroup;
  // ctr sees the pause container and the pod's two, all running.
  const std::string listed = Ctr(**driver, {"tasks", "ls"});
  EXPECT_NE(listed.find(identity.platform_id), std::string::npos) << listed;
  int running = 0;
  for (std::size_t at = listed.find("RUNNING"); at != std::string::npos;
       at = listed.find("RUNNING", at + 1)) {
    ++running;
  }
  EXPECT_EQ(running, 3) << listed;
  auto pods = (*driver)->Node("local")->client().ListPodSandboxes(10s);
  ASSERT_TRUE(pods.ok()) << pods.error().ToString();
  EXPECT_EQ(pods->size(), 1u);

  drivers::OpResult removed = created.container->Delete(60s);
  EXPECT_TRUE(removed.status.ok()) << removed.status.error().ToString();
  EXPECT_EQ(Ctr(**driver, {"containers", "ls", "-q"}), "");
  pods = (*driver)->Node("local")->client().ListPodSandboxes(10s);
  ASSERT_TRUE(pods.ok()) << pods.error().ToString();
  EXPECT_TRUE(pods->empty());
  EXPECT_FALSE(CgroupExists(identity.cgroup));
  EXPECT_FALSE(PathExists("/proc/" + std::to_string(identity.init_pid)));

  EXPECT_TRUE((*driver)->StopPlatform(node).ok());
  driver->reset();
  EXPECT_TRUE(RemoveCgroupTree("faultline/" + run_id).ok());
  for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
  EXPECT_TRUE(journal->Close().ok());
}

}  // namespace
}  // namespace faultline
