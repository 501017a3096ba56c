#include "harness/drivers/docker/docker_node.h"

#include <signal.h>
#include <unistd.h>

#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/drivers/daemon/containerd_instance.h"

namespace faultline::drivers::docker {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(60);
constexpr auto kCallTimeout = std::chrono::seconds(5);

}  // namespace

DockerNode::DockerNode(DockerNodeConfig config)
    : config_(std::move(config)),
      footprint_(config_.journal, config_.node, config_.run_id, config_.target, config_.dir),
      log_(config_.dir + "/daemons.log"),
      api_(config_.dir + "/docker.sock") {}

DockerNode::~DockerNode() {
  (void)Stop();
}

Result<std::unique_ptr<DockerNode>> DockerNode::Start(DockerNodeConfig config) {
  std::unique_ptr<DockerNode> node(new DockerNode(std::move(config)));
  if (Status launched = node->Launch(); !launched.ok()) {
    (void)node->Stop();
    return std::move(launched).error().With("docker on " + node->config_.node.name);
  }
  return node;
}

Status DockerNode::Launch() {
  FL_ASSIGN_OR_RETURN(run_containerd_, HostMountPoint::Acquire(kRunContainerd, config_.journal));
  FL_RETURN_IF_ERROR(footprint_.Claim(kPlatformRecord, {}));
  const ContainerdInstance containerd{config_.dir};
  FL_RETURN_IF_ERROR(WriteFileAtomic(config_.dir + "/containerd.toml", containerd.Config()));
  // Our own daemon.json (the host's /etc/docker/daemon.json is not ours to follow): the
  // target's keys and its runtime.
  FL_ASSIGN_OR_RETURN(std::string daemon_json, DaemonJson(config_.daemon.config, config_.runtime));
  FL_RETURN_IF_ERROR(WriteFileAtomic(config_.dir + "/daemon.json", daemon_json));
  FL_RETURN_IF_ERROR(MakeDirs(containerd.run_containerd(), 0700));

  NodeDaemonSpec spec{"mount namespace holder",
                      config_.self_exe,
                      config_.node,
                      footprint_.platform_cgroup(),
                      config_.env,
                      {},
                      log_};
  // dockerd shares it too: the root file systems it mounts must be seen by the shims' runtime
  // (the host's mounts need not propagate).
  FL_ASSIGN_OR_RETURN(
      mounts_, StartMountNamespaceHolder(spec, {{containerd.run_containerd(), kRunContainerd}},
                                         kReadyTimeout));
  spec.mount_ns = MountNamespaceOf(mounts_);
  spec.name = "containerd";
  const std::string containerd_socket = containerd.socket();
  spec.argv = {"containerd", "--config", config_.dir + "/containerd.toml"};
  FL_ASSIGN_OR_RETURN(containerd_, NodeDaemon::Start(
                                       spec,
                                       [&](pid_t) -> Status {
                                         if (PathExists(containerd_socket)) return OkStatus();
                                         return Unavailable("no socket " + containerd_socket);
                                       },
                                       kReadyTimeout));

  spec.name = "dockerd";
  spec.argv = {ProgramOf("dockerd", config_.daemon.path), "--config-file",
               config_.dir + "/daemon.json", "--containerd", containerd_socket, "--data-root",
               config_.dir + "/docker", "--exec-root", config_.dir + "/exec", "--pidfile",
               config_.dir + "/docker.pid", "-H", "unix://" + api_.socket(),
               // The node's network is the containers' network: no bridge, no NAT, no rules.
               "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-forward=false",
               "--ip-masq=false", "--userland-proxy=false", "--storage-driver", "overlay2",
               "--exec-opt", "native.cgroupdriver=cgroupfs", "--cgroup-parent",
               "/" + footprint_.containers_cgroup()};
  if (config_.live_restore) spec.argv.push_back("--live-restore");
  spec.argv.insert(spec.argv.end(), config_.daemon.args.begin(), config_.daemon.args.end());
  FL_ASSIGN_OR_RETURN(dockerd_, NodeDaemon::Start(
                                    spec,
                                    [&](pid_t) -> Status {
                                      auto answered = api_.Negotiate(kCallTimeout);
                                      if (answered.ok()) return OkStatus();
                                      return std::move(answered).error();
                                    },
                                    kReadyTimeout));
  events_ = std::make_unique<DieEvents>(api_.socket(), api_.version(), config_.run_id);
  return OkStatus();
}

Status DockerNode::Stop() {
  Status removed = OkStatus();
  if (footprint_.claimed()) {
    events_.reset();
    // dockerd first: without live restore it stops its containers as it shuts down.
    dockerd_.Stop(std::chrono::seconds(20));
    containerd_.Stop(std::chrono::seconds(10));
    // Shims and containers left (live restore keeps them) and the mount namespace's holder die
    // with the cgroups.
    removed = footprint_.Remove();
  }
  run_containerd_.Release();
  return removed;
}

Status DockerNode::LoadImage(const std::string& path, const std::string&) {
  return api_.LoadImage(path, std::chrono::minutes(2));
}

Result<std::uint64_t> DockerNode::ResidentBytes() const {
  // The mount namespace holder is faultline's, not Docker's.
  return CgroupPssBytes(footprint_.platform_cgroup(), {mounts_.pid()});
}

Status UndoPlatformRecord(const nlohmann::json& data, const std::string& run_id,
                          const std::string& run_dir) {
  FL_ASSIGN_OR_RETURN(std::string dir,
                      RecordedPlatformDir(data, run_id, run_dir, "docker platform"));
  return RemoveDirAndMounts(dir);
}

}  // namespace faultline::drivers::docker
