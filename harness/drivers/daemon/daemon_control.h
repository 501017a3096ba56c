// A node's platform daemon as the platform.* faults act on it (chaos::PlatformDaemon), for the
// daemon drivers: the process is a NodeDaemon, its API answers the driver's ping, and a
// container start is the driver's own Run.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "chaos/fault.h"
#include "harness/drivers/daemon/node_daemon.h"
#include "harness/drivers/driver.h"

namespace faultline::drivers {

struct DaemonControlSpec {
  std::string name;  // "dockerd"
  std::string node;  // "node-1"
  NodeDaemon* daemon = nullptr;
  // Whether its API answers: a cheap call that needs the daemon, not only its socket.
  std::function<Status(Nanos)> ping;
  // The driver that makes the node's containers: StartOne runs a container through it.
  Driver* driver = nullptr;
  std::vector<std::string> command;  // what that container runs
  // The cgroup whose children are the node's containers, and children that are not (helpers).
  std::string containers_cgroup;
  std::vector<std::string> helper_cgroups;
};

class DaemonControl : public chaos::PlatformDaemon {
 public:
  explicit DaemonControl(DaemonControlSpec spec) : spec_(std::move(spec)) {}

  const std::string& name() const override { return spec_.name; }
  const std::string& node() const override { return spec_.node; }
  Status Kill() override { return spec_.daemon->Kill(); }
  Status Restart() override { return spec_.daemon->Restart(); }
  Status Ping(Nanos timeout) override { return spec_.ping(timeout); }
  Status StartOne(const std::string& name, Nanos timeout) override;
  std::vector<std::string> ContainerCgroups() const override;

 private:
  DaemonControlSpec spec_;
};

// A ping for the REST APIs that answer GET /_ping on SOCKET (the Engine API and libpod's alike).
std::function<Status(Nanos)> HttpPing(const std::string& name, const std::string& socket);

}  // namespace faultline::drivers
