// A containerd of faultline's own (the private one behind a Docker Engine node, or the one the
// containerd driver drives): its configuration, with every path below the instance's directory,
// and what it leaves on the host outside that directory: the shims' sockets, which containerd
// puts below /run/containerd/s whatever its configuration says.
#pragma once

#include <string>

#include "harness/core/result.h"

namespace faultline::drivers {

struct ContainerdInstance {
  std::string dir;              // everything of the instance: root, state, sockets
  bool cri = false;             // the CRI plugin on (the cri driver) or off
  std::string metrics_address;  // "host:port" of its Prometheus endpoint; "": none

  std::string socket() const { return dir + "/containerd.sock"; }
  std::string state() const { return dir + "/containerd/state"; }
  // Its configuration file's text.
  std::string Config() const;
};

// Whether /run/containerd exists now: a platform that made it removes it when it is empty.
bool RunContainerdExists();

// Removes the directory DIR of a stopped instance: the mounts below it, the sockets its shims
// made below /run/containerd/s (each task's bundle in its state names its shim's address), the
// directory, then /run/containerd/s and /run/containerd when MADE_RUN_CONTAINERD and empty.
Status RemoveInstanceDir(const std::string& dir, bool made_run_containerd);

}  // namespace faultline::drivers
