#include "harness/drivers/daemon/containerd_instance.h"

#include <gtest/gtest.h>

namespace faultline::drivers {
namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ContainerdInstance, WithoutCriThePluginIsOff) {
  const std::string config = ContainerdInstance{"/r/n"}.Config();
  EXPECT_TRUE(Has(config, "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]"));
  EXPECT_TRUE(Has(config, "address = \"/r/n/containerd.sock\""));
  EXPECT_FALSE(Has(config, "sandbox_image"));
}

TEST(ContainerdInstance, CriKeepsEveryPathOfItsOwnAndNeverReadsTheHostsCniConfiguration) {
  ContainerdInstance instance{"/r/n"};
  instance.cri = CriSettings{"faultline.local/pause:1", "/usr/sbin/runc", "", true};
  const std::string config = instance.Config();
  EXPECT_FALSE(Has(config, "disabled_plugins"));
  EXPECT_TRUE(Has(config, "sandbox_image = \"faultline.local/pause:1\""));
  EXPECT_TRUE(Has(config, "netns_mounts_under_state_dir = true"));
  EXPECT_TRUE(Has(config, "stream_server_address = \"127.0.0.1\""));
  EXPECT_TRUE(Has(config, "BinaryName = \"/usr/sbin/runc\""));
  EXPECT_TRUE(Has(config, "Root = \"/r/n/runtime\""));
  // Host network only: still faultline's own (empty) CNI directory.
  EXPECT_TRUE(Has(config, "conf_dir = \"/r/n/cni\""));
  EXPECT_TRUE(Has(config, "restrict_oom_score_adj = true"));
}

}  // namespace
}  // namespace faultline::drivers
