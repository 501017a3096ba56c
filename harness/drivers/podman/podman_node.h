// One node's Podman: its own store, run root, temporary directory, events file and
// containers.conf below the run directory, and either the libpod API service (`podman system
// service`, started inside the node) or nothing at all (via: cli, the daemonless model: every
// operation is one `podman` command run inside the node).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/core/journal.h"
#include "harness/drivers/daemon/exit_book.h"
#include "harness/drivers/daemon/host_mount_point.h"
#include "harness/drivers/daemon/node_daemon.h"
#include "harness/drivers/daemon/platform_footprint.h"
#include "harness/drivers/driver.h"

namespace faultline::drivers::podman {

// Why podman with these extra global flags (a target's daemon.args) would miss every container's
// exit on a host without a syslog socket, or empty. At log level debug or trace podman gives
// its containers' cleanup command --syslog, which then fails where /dev/log is missing: no
// died event, so every exit would wait for its deadline.
std::string SyslogCleanupProblem(const std::vector<std::string>& daemon_args, bool has_dev_log);

// The journal record of one node's Podman: {dir, runroot, target, node}.
inline constexpr const char* kPlatformRecord = "podman.platform";

struct PodmanNodeConfig {
  PlatformNode node;
  std::string run_id;
  std::string target;
  std::string dir;
  // Podman refuses a run root of over 50 characters: a short one of its own (RunRootFor).
  std::string runroot;
  std::string runtime;                    // "crun" (default) | "runc"
  std::string runtime_path;               // its binary; empty: Podman's own search
  std::vector<std::string> runtime_args;  // its global options (--runtime-flag)
  bool service = true;                    // false: via cli
  scenario::DaemonSettings daemon;        // podman's binary and extra global flags
  std::vector<std::string> env;           // NAME=VALUE for every podman process
  std::string self_exe;
  Journal* journal = nullptr;
};

class PodmanNode {
 public:
  static Result<std::unique_ptr<PodmanNode>> Start(PodmanNodeConfig config);
  ~PodmanNode();
  Status Stop();

  // `podman` with this node's store and configuration, run inside the node, as an argv.
  std::vector<std::string> Podman(std::vector<std::string> args) const;
  const std::string& socket() const { return socket_; }
  bool service() const { return config_.service; }
  const std::string& containers_cgroup() const { return footprint_.containers_cgroup(); }
  pid_t service_pid() const { return service_.pid(); }
  NodeDaemon& service_daemon() { return service_; }
  Result<std::uint64_t> ResidentBytes() const;

  // When the container NAME died, as the events file says (CLOCK_BOOTTIME ns), waiting up to
  // TIMEOUT; DeadlineExceeded or Cancelled (CANCEL set) when it has not.
  Result<std::int64_t> WaitDied(const std::string& name, Nanos timeout,
                                const std::atomic<bool>* cancel) {
    return exits_.Wait(name, timeout, cancel);
  }

 private:
  explicit PodmanNode(PodmanNodeConfig config);
  // `podman ARGS` with this node's store, for a daemon spec.
  NodeDaemonSpec Spec(const std::string& name, std::vector<std::string> args) const;
  Status Launch();
  void FollowEvents();

  PodmanNodeConfig config_;
  PlatformFootprint footprint_;
  std::string socket_, events_, log_;
  std::vector<std::string> env_;
  // Holds a mount namespace in which the node's own directory covers /var/lib/containers, where
  // Podman would otherwise write the host's image blob cache; every podman command joins it.
  HostMountPoint var_lib_;
  NodeDaemon mounts_;
  NodeDaemon service_;
  // The events file, followed by a thread of its own.
  std::thread follower_;
  std::mutex mu_;
  std::condition_variable changed_;
  bool stop_following_ = false;
  ExitBook exits_;
};

// <state root>/r/<run id><4 hex digits of KEY>: short enough for Podman's run root.
std::string RunRootFor(const std::string& run_id, const std::string& key);

Status UndoPlatformRecord(const nlohmann::json& data, const std::string& run_id,
                          const std::string& run_dir);

}  // namespace faultline::drivers::podman
