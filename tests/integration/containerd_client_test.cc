// containerd's gRPC API through faultline's generated client, against a real containerd: the
// private one a Docker Engine node runs. What the client reads must agree with containerd's own
// version output and with the container Docker made through it.
#include "harness/drivers/containerd/containerd_client.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/drivers/docker/docker_node.h"
#include "harness/drivers/oci/oci_driver.h"
#include "harness/images/image.h"
#include "harness/images/image_archive.h"
#include "tests/integration/host_state.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;

TEST(ContainerdClientTest, ReadsTheVersionNamespacesAndContainersOfARealContainerd) {
  FL_REQUIRE_ROOT_RUNTIME("containerd");
  const std::string state = testing::TempDir("containerd");
  setenv("FAULTLINE_STATE_DIR", state.c_str(), 1);
  ASSERT_TRUE(StartOrphanReaper().ok());
  auto journal = Journal::Open("ctrdcl01");
  ASSERT_TRUE(journal.ok()) << journal.error().ToString();
  const std::string dir = (*journal)->run_dir() + "/d";
  {
    auto runc = drivers::oci::ProbeOciRuntime("runc");
    ASSERT_TRUE(runc.ok());
    drivers::docker::DockerNodeConfig config;
    config.node = {"local", "", "faultline/ctrdcl01", ""};
    config.run_id = "ctrdcl01";
    config.target = "cl";
    config.dir = dir;
    config.runtime = {"runc", runc->path, false, {}};
    config.self_exe = FAULTLINE_BINARY;
    config.journal = journal->get();
    auto node = drivers::docker::DockerNode::Start(std::move(config));
    ASSERT_TRUE(node.ok()) << node.error().ToString();
    drivers::containerd::ContainerdClient client(dir + "/containerd.sock");

    auto version = client.Version(5s);
    ASSERT_TRUE(version.ok()) << version.error().ToString();
    auto said = RunForOutput({FindExecutable("containerd"), "--version"});
    ASSERT_TRUE(said.ok());
    EXPECT_NE(said->find(" " + version->version + " "), std::string::npos)
        << *said << " against " << version->version;
    EXPECT_FALSE(version->revision.empty());

    // A container made through dockerd lives in containerd's "moby" namespace.
    const std::string image_root = (*journal)->run_dir() + "/image";
    ASSERT_TRUE(images::BuildBusyboxRootfs(image_root).ok());
    auto archive = images::WriteImageArchive(image_root, (*journal)->run_dir() + "/a", "cl");
    ASSERT_TRUE(archive.ok());
    drivers::docker::EngineApi& api = (*node)->api();
    ASSERT_TRUE(api.LoadImage(archive->path, 60s).ok());
    drivers::ContainerSpec spec;
    spec.id = "fl-ctrdcl01-a";
    spec.command = {"sleep", "60"};
    auto id = api.Create(spec.id,
                         drivers::docker::CreateBody(spec, archive->reference, "runc", "ctrdcl01",
                                                     scenario::Security::kDefault),
                         10s);
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    ASSERT_TRUE(api.Start(spec.id, 10s).ok());
    auto namespaces = client.Namespaces(5s);
    ASSERT_TRUE(namespaces.ok()) << namespaces.error().ToString();
    EXPECT_NE(std::find(namespaces->begin(), namespaces->end(), "moby"), namespaces->end());
    auto containers = client.Containers("moby", 5s);
    ASSERT_TRUE(containers.ok()) << containers.error().ToString();
    EXPECT_EQ(*containers, std::vector<std::string>{*id});
    auto none = client.Containers("fl-ctrdcl01-empty", 5s);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
    ASSERT_TRUE(api.Kill(spec.id, SIGKILL, 10s).ok());
    ASSERT_TRUE((*node)->Stop().ok());

    // A containerd that is gone is an error the caller can tell apart.
    auto gone = client.Version(2s);
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().code, ErrorCode::kUnavailable) << gone.error().ToString();
  }
  EXPECT_TRUE(RemoveCgroupTree("faultline/ctrdcl01").ok());
  for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
  EXPECT_TRUE((*journal)->Close().ok());
  EXPECT_EQ(testing::Leftovers(state), std::vector<std::string>{});
  (void)RemoveTree(state);
  unsetenv("FAULTLINE_STATE_DIR");
}

}  // namespace
}  // namespace faultline
