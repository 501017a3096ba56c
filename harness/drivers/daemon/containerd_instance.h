// A containerd of faultline's own (the private one behind a Docker Engine node, or the one the
// containerd driver drives): its configuration, with every path below the instance's directory.
// containerd puts its shims' sockets below /run/containerd/s whatever its configuration says,
// so it runs in a mount namespace where run_containerd() covers /run/containerd (a shim killed
// with its cgroup leaves its socket behind; the host's /run/containerd never sees it).
#pragma once

#include <string>

namespace faultline::drivers {

struct ContainerdInstance {
  std::string dir;              // everything of the instance: root, state, sockets
  bool cri = false;             // the CRI plugin on (the cri driver) or off
  std::string metrics_address;  // "host:port" of its Prometheus endpoint; "": none

  std::string socket() const { return dir + "/containerd.sock"; }
  std::string state() const { return dir + "/containerd/state"; }
  std::string run_containerd() const { return dir + "/run-containerd"; }
  // Its configuration file's text.
  std::string Config() const;
};

}  // namespace faultline::drivers
