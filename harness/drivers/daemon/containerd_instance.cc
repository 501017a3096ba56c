#include "harness/drivers/daemon/containerd_instance.h"

namespace faultline::drivers {

std::string ContainerdInstance::Config() const {
  std::string text =
      "version = 2\nroot = \"" + dir + "/containerd/root\"\nstate = \"" + state() + "\"\n";
  // Without CRI (dockerd and the containerd driver need none of it) the plugin stays off.
  if (!cri) text += "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n";
  text +=
      "[grpc]\n  address = \"" + socket() + "\"\n[ttrpc]\n  address = \"" + socket() + ".ttrpc\"\n";
  if (!metrics_address.empty()) text += "[metrics]\n  address = \"" + metrics_address + "\"\n";
  // Else it writes /opt/containerd.
  text += "[plugins.\"io.containerd.internal.v1.opt\"]\n  path = \"" + dir + "/containerd/opt\"\n";
  return text;
}

}  // namespace faultline::drivers
