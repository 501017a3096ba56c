// A containerd of faultline's own (the private one behind a Docker Engine node, or the one the
// containerd driver drives): its configuration, with every path below the instance's directory.
// containerd puts its shims' sockets below /run/containerd/s whatever its configuration says,
// so it runs in a mount namespace where run_containerd() covers /run/containerd (a shim killed
// with its cgroup leaves its socket behind; the host's /run/containerd never sees it).
#pragma once

#include <optional>
#include <string>

namespace faultline::drivers {

// The CRI plugin's settings, for the cri driver.
struct CriSettings {
  std::string sandbox_image;   // the pause image's reference (imported, never pulled)
  std::string runtime_binary;  // the OCI runtime behind the runc shim (BinaryName)
  // The pod network's CNI configuration list, in cni_conf_dir(); "": host network only (the
  // directory stays empty: the host's /etc/cni/net.d is never read).
  std::string cni_conflist;
  // Keeps containers' oom_score_adj at or above containerd's own, where this host refuses a
  // lower one (the sandbox asks for -998).
  bool restrict_oom_score_adj = false;
};

struct ContainerdInstance {
  std::string dir;                 // everything of the instance: root, state, sockets
  std::optional<CriSettings> cri;  // the CRI plugin on (the cri driver), else off
  std::string metrics_address;     // "host:port" of its Prometheus endpoint; "": none

  std::string socket() const { return dir + "/containerd.sock"; }
  std::string state() const { return dir + "/containerd/state"; }
  std::string run_containerd() const { return dir + "/run-containerd"; }
  std::string runtime_root() const { return dir + "/runtime"; }  // the runc shim's Root
  std::string cni_conf_dir() const { return dir + "/cni"; }
  // Its configuration file's text.
  std::string Config() const;
};

}  // namespace faultline::drivers
