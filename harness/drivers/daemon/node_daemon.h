// A long-lived platform process (a daemon, an API service) that a driver starts inside a node:
// in the node's network namespace and a cgroup below the node's, through `faultline
// _node-exec`, with every path it names below the run directory (so `recover` finds it).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/result.h"
#include "harness/drivers/driver.h"

namespace faultline::drivers {

struct NodeDaemonSpec {
  std::string name;               // "dockerd", for messages
  std::string self_exe;           // the faultline binary
  PlatformNode node;              // where it runs
  std::string cgroup;             // its cgroup, below the node's (journaled by the caller)
  std::vector<std::string> env;   // NAME=VALUE set for it
  std::vector<std::string> argv;  // the program
  std::string log_file;           // its stdout and stderr
  // "SRC:DST" each: a mount namespace of its own with every SRC over its DST.
  std::vector<std::string> private_mounts;
  std::string mount_ns;  // or: join this mount namespace (/proc/PID/ns/mnt)
};

// The argv that runs SPEC's program inside its node (also for one-shot commands in the node).
std::vector<std::string> InNodeArgv(const NodeDaemonSpec& spec);

class NodeDaemon {
 public:
  // Starts it; READY(its pid) is polled every 20 ms until it returns OK (then Start returns),
  // the daemon exits (Unavailable with its log's tail) or TIMEOUT passes.
  static Result<NodeDaemon> Start(const NodeDaemonSpec& spec,
                                  const std::function<Status(pid_t)>& ready, Nanos timeout);
  NodeDaemon() = default;

  pid_t pid() const { return pid_; }
  bool Alive() const;
  // SIGTERM, then SIGKILL when it has not exited within GRACE. Idempotent.
  void Stop(Nanos grace);
  // SIGKILL (a crash, for platform faults); returns once the process is gone.
  Status Kill();
  // Starts the program again from the spec it was first started with; returns once the new
  // process exists (not once it is ready). Unavailable when the old one still runs.
  Status Restart();

 private:
  Status Launch();
  bool WaitGone(Nanos limit) const;

  NodeDaemonSpec spec_;
  pid_t pid_ = 0;
  std::uint64_t start_ticks_ = 0;  // with the pid, names this process and no later one
};

// A directory of the node's that covers a host path in its mount namespace.
struct PrivateBind {
  std::string src;
  std::string dst;
};

// Starts `sleep infinity` (named, placed and logged as SPEC says) holding a mount namespace of
// its own, a slave of the host's, in which each bind's SRC covers its DST. The node's daemons join
// it (NodeDaemonSpec::mount_ns = MountNamespaceOf(holder)), so what they write to DST and what they
// mount stay in it: the mounts go when its last process does. Returns once it is set up.
Result<NodeDaemon> StartMountNamespaceHolder(NodeDaemonSpec spec,
                                             const std::vector<PrivateBind>& binds, Nanos timeout);
// "/proc/PID/ns/mnt" of DAEMON.
std::string MountNamespaceOf(const NodeDaemon& daemon);

}  // namespace faultline::drivers
