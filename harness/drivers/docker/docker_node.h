// One node's Docker Engine: a private containerd and a dockerd that uses it, both started
// inside the node (its network namespace and a cgroup below the node's) with every path of
// their own below the run directory, so nothing of the host's Docker or containerd is touched.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "harness/core/journal.h"
#include "harness/drivers/daemon/host_mount_point.h"
#include "harness/drivers/daemon/node_daemon.h"
#include "harness/drivers/daemon/platform_footprint.h"
#include "harness/drivers/docker/daemon_config.h"
#include "harness/drivers/docker/docker_events.h"
#include "harness/drivers/docker/docker_platform.h"
#include "harness/drivers/docker/engine_api.h"
#include "harness/drivers/driver.h"

namespace faultline::drivers::docker {

// The journal record of one node's platform: {dir, target, node}.
inline constexpr const char* kPlatformRecord = "docker.platform";

struct DockerNodeConfig {
  PlatformNode node;
  std::string run_id;
  std::string target;     // the target's name, in cgroup names
  std::string dir;        // private state: sockets, data roots, logs
  EngineRuntime runtime;  // behind containerd's shim
  bool live_restore = false;
  scenario::DaemonSettings daemon;  // dockerd's binary, extra flags, daemon.json keys
  std::vector<std::string> env;     // NAME=VALUE for dockerd and its containerd
  std::string self_exe;             // `faultline _node-exec` puts the daemons into the node
  Journal* journal = nullptr;
};

class DockerNode : public DockerPlatform {
 public:
  // Journals the node's cgroups and directory, starts containerd and dockerd, and waits until
  // the Engine API answers.
  static Result<std::unique_ptr<DockerNode>> Start(DockerNodeConfig config);
  ~DockerNode() override;

  // Stops dockerd, then containerd, then whatever is left in the platform's cgroup (shims), and
  // removes the cgroups, mounts and directory; releases the journal records. Idempotent.
  Status Stop() override;

  EngineApi& api() override { return api_; }
  Status LoadImage(const std::string& path, const std::string& reference) override;
  std::string cgroup_parent() const override { return ""; }
  // dockerd puts each container into <containers_cgroup>/<full id>.
  std::string ContainerCgroup(const std::string& full_id) const override {
    return footprint_.containers_cgroup() + "/" + full_id;
  }
  Result<std::int64_t> WaitDied(const std::string& name, Nanos timeout,
                                const std::atomic<bool>* cancel) override {
    return events_->WaitDied(name, timeout, cancel);
  }
  pid_t containerd_pid() const override { return containerd_.pid(); }
  // Memory of the daemons and shims (the processes of their cgroup), as PSS in bytes.
  Result<std::uint64_t> ResidentBytes() const override;

  NodeDaemon& dockerd() { return dockerd_; }
  const std::string& containers_cgroup() const { return footprint_.containers_cgroup(); }

 private:
  explicit DockerNode(DockerNodeConfig config);
  Status Launch();

  DockerNodeConfig config_;
  PlatformFootprint footprint_;
  std::string log_;
  EngineApi api_;
  HostMountPoint run_containerd_;
  NodeDaemon mounts_;  // holds the mount namespace the daemons and shims run in
  NodeDaemon containerd_, dockerd_;
  std::unique_ptr<DieEvents> events_;  // from when dockerd first answered
};

// Undoes a kPlatformRecord of a dead run whose directory is RUN_DIR (its cgroups, newer
// records, were removed with every process in them before): mounts below the directory, and
// the directory.
Status UndoPlatformRecord(const nlohmann::json& data, const std::string& run_id,
                          const std::string& run_dir);

}  // namespace faultline::drivers::docker
