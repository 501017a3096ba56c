// One node's containerd for the containerd driver: a private instance started inside the node
// (its network namespace and a cgroup below the node's) with every path of its own below the
// run directory, driven through its gRPC API in faultline's own namespace. Its task events are
// followed from the start, for exits and for the shim's own timestamps of each start.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/core/journal.h"
#include "harness/drivers/containerd/containerd_client.h"
#include "harness/drivers/daemon/containerd_instance.h"
#include "harness/drivers/daemon/exit_book.h"
#include "harness/drivers/daemon/host_mount_point.h"
#include "harness/drivers/daemon/node_daemon.h"
#include "harness/drivers/daemon/platform_footprint.h"
#include "harness/drivers/driver.h"

namespace faultline::drivers::containerd {

// The journal record of one node's platform: {dir, target, node}.
inline constexpr const char* kPlatformRecord = "containerd.platform";
// The containerd namespace every container of faultline's lives in.
inline constexpr const char* kNamespace = "faultline";

struct ContainerdNodeConfig {
  PlatformNode node;
  std::string run_id;
  std::string target;    // the target's name, in cgroup names
  std::string dir;       // private state: sockets, root, state, logs
  std::string self_exe;  // `faultline _node-exec` puts containerd into the node
  Journal* journal = nullptr;
  // The namespace faultline's images and containers are in (its events are followed there):
  // faultline's own, or the CRI plugin's k8s.io.
  std::string ns = kNamespace;
  // The CRI plugin on, with these settings (the cri driver); its pods' CNI state then stays in
  // the node's directory (its var-lib-cni covers /var/lib/cni).
  std::optional<CriSettings> cri;
  std::string metrics_address;      // containerd's Prometheus endpoint (in the node); "": none
  scenario::DaemonSettings daemon;  // containerd's binary and extra flags
  std::vector<std::string> env;     // NAME=VALUE for containerd
};

class ContainerdNode {
 public:
  // Journals the node's cgroups and directory, starts containerd, and waits until it answers.
  static Result<std::unique_ptr<ContainerdNode>> Start(ContainerdNodeConfig config);
  ~ContainerdNode();

  // Stops containerd and whatever is left in the platform's cgroups (shims, containers, the
  // mount namespace), and removes the cgroups and the directory; releases the journal records.
  Status Stop();

  ContainerdClient& client() { return *client_; }
  NodeDaemon& daemon() { return containerd_; }
  pid_t pid() const { return containerd_.pid(); }
  const std::string& containers_cgroup() const { return footprint_.containers_cgroup(); }
  // The runtime's state directory for the runc shim's Root option: below the node's directory.
  std::string runtime_root() const { return ContainerdInstance{config_.dir}.runtime_root(); }
  // containerd's gRPC socket (also the CRI's).
  std::string socket() const { return client_->socket(); }
  // Imports the OCI archive at PATH into the content store and unpacks it for the snapshotter,
  // with containerd's own client.
  Status ImportImage(const std::string& path);
  // When container ID's init exited, as the shim stamped its /tasks/exit event.
  Result<std::int64_t> WaitExit(const std::string& id, Nanos timeout,
                                const std::atomic<bool>* cancel) {
    return exits_.Wait(id, timeout, cancel);
  }
  // The shim's stamps of the task events so far: container id -> "task_create" | "task_start"
  // -> CLOCK_BOOTTIME ns.
  std::map<std::string, std::map<std::string, std::int64_t>> TaskStamps() const;
  // Memory of containerd and the shims (the processes of the platform cgroup), as PSS in bytes.
  Result<std::uint64_t> ResidentBytes() const;

 private:
  explicit ContainerdNode(ContainerdNodeConfig config);
  Status Launch();
  void FollowEvents();

  ContainerdNodeConfig config_;
  PlatformFootprint footprint_;
  HostMountPoint run_containerd_;
  HostMountPoint var_lib_cni_;
  NodeDaemon mounts_;  // holds the mount namespace containerd and its shims run in
  NodeDaemon containerd_;
  std::unique_ptr<ContainerdClient> client_;

  ExitBook exits_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, std::int64_t>> stamps_;
  std::atomic<bool> stop_events_{false};
  TaskEventStream* stream_ = nullptr;  // the open subscription, for Stop to cancel (under mu_)
  std::thread follower_;
};

// What eBPF sessions follow on nodes whose containerd pids are CONTAINERDS (0: not running):
// containerd -> shim -> RUNTIME below each of them, and below the controller, whose descendants
// also include a containerd that a platform fault started again.
ProbeScope ContainerdProbeScope(const std::vector<pid_t>& containerds, const std::string& runtime);

// Undoes a kPlatformRecord of a dead run whose directory is RUN_DIR (its cgroups, newer
// records, were removed with every process in them before): mounts below the directory, and
// the directory.
Status UndoPlatformRecord(const nlohmann::json& data, const std::string& run_id,
                          const std::string& run_dir);

}  // namespace faultline::drivers::containerd
