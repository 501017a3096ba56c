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
  if (cri) {
    const std::string plugin = "[plugins.\"io.containerd.grpc.v1.cri\"";
    // Pod network namespaces are mounted below the state directory, not in /run/netns; the
    // streaming server (exec, attach) listens on loopback only.
    text += plugin + "]\n  sandbox_image = \"" + cri->sandbox_image +
            "\"\n  netns_mounts_under_state_dir = true\n  stream_server_address = "
            "\"127.0.0.1\"\n  stream_server_port = \"0\"\n  enable_selinux = false\n";
    if (cri->restrict_oom_score_adj) text += "  restrict_oom_score_adj = true\n";
    text +=
        plugin + ".containerd]\n  snapshotter = \"overlayfs\"\n  default_runtime_name = \"runc\"\n";
    text += plugin + ".containerd.runtimes.runc]\n  runtime_type = \"io.containerd.runc.v2\"\n";
    text += plugin + ".containerd.runtimes.runc.options]\n  BinaryName = \"" + cri->runtime_binary +
            "\"\n  Root = \"" + runtime_root() + "\"\n";
    text += plugin + ".cni]\n  bin_dir = \"/usr/lib/cni\"\n  conf_dir = \"" + cni_conf_dir() +
            "\"\n  max_conf_num = 1\n";
  }
  return text;
}

}  // namespace faultline::drivers
