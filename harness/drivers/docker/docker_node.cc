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
      platform_cgroup_(config_.node.cgroup + "/fl-" + config_.run_id + "-" + config_.target +
                       "-platform"),
      containers_cgroup_(config_.node.cgroup + "/fl-" + config_.run_id + "-" + config_.target +
                         "-containers"),
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
  Journal& journal = *config_.journal;
  for (const std::string* cgroup : {&platform_cgroup_, &containers_cgroup_}) {
    FL_ASSIGN_OR_RETURN(std::uint64_t seq,
                        journal.Acquire(journal_kind::kCgroup, {{"path", *cgroup}}));
    records_.push_back(seq);
  }
  made_run_containerd_ = !RunContainerdExists();
  FL_ASSIGN_OR_RETURN(
      std::uint64_t seq,
      journal.Acquire(kPlatformRecord, {{"dir", config_.dir},
                                        {"target", config_.target},
                                        {"node", config_.node.name},
                                        {"made_run_containerd", made_run_containerd_}}));
  records_.push_back(seq);
  FL_RETURN_IF_ERROR(MakeDirs(config_.dir, 0700));
  const ContainerdInstance containerd{config_.dir};
  FL_RETURN_IF_ERROR(WriteFileAtomic(config_.dir + "/containerd.toml", containerd.Config()));
  // An empty daemon.json: the host's /etc/docker/daemon.json is not ours to follow.
  FL_RETURN_IF_ERROR(WriteFileAtomic(config_.dir + "/daemon.json", "{}\n"));

  NodeDaemonSpec spec{"containerd", config_.self_exe, config_.node, platform_cgroup_, {}, {}, log_};
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
  spec.argv = {
      "dockerd", "--config-file", config_.dir + "/daemon.json", "--containerd", containerd_socket,
      "--data-root", config_.dir + "/docker", "--exec-root", config_.dir + "/exec", "--pidfile",
      config_.dir + "/docker.pid", "-H", "unix://" + api_.socket(),
      // The node's network is the containers' network: no bridge, no NAT, no rules.
      "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-forward=false",
      "--ip-masq=false", "--userland-proxy=false", "--storage-driver", "overlay2", "--exec-opt",
      "native.cgroupdriver=cgroupfs", "--cgroup-parent", "/" + containers_cgroup_};
  if (config_.live_restore) spec.argv.push_back("--live-restore");
  if (config_.runtime == "crun") {
    spec.argv.insert(spec.argv.end(), {"--add-runtime", "crun=" + config_.runtime_path});
  }
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
  if (records_.empty()) return OkStatus();
  events_.reset();
  // dockerd first: without live restore it stops its containers as it shuts down.
  dockerd_.Stop(std::chrono::seconds(20));
  containerd_.Stop(std::chrono::seconds(10));
  // Shims and containers left (live restore keeps them) die with their cgroups.
  Status status = RemoveCgroupTree(containers_cgroup_);
  Status platform = RemoveCgroupTree(platform_cgroup_);
  if (status.ok()) status = platform;
  Status unmounted = UnmountAllBelow(config_.dir);
  if (status.ok()) status = unmounted;
  // Shims killed with their cgroup (live restore, or a slow dockerd) left their sockets.
  Status shims = RemoveShimLeftovers(ContainerdInstance{config_.dir}.state(), made_run_containerd_);
  if (status.ok()) status = shims;
  Status removed = RemoveTree(config_.dir);
  if (status.ok()) status = removed;
  if (!status.ok()) return status;
  for (auto it = records_.rbegin(); it != records_.rend(); ++it) config_.journal->Release(*it);
  records_.clear();
  return OkStatus();
}

Status DockerNode::LoadImage(const std::string& path, const std::string&) {
  return api_.LoadImage(path, std::chrono::minutes(2));
}

Result<std::uint64_t> DockerNode::ResidentBytes() const {
  return CgroupPssBytes(platform_cgroup_);
}

Status UndoPlatformRecord(const nlohmann::json& data, const std::string& run_id,
                          const std::string& run_dir) {
  const std::string dir = data.at("dir").get<std::string>();
  if (run_id.empty() || !PathInside(dir, run_dir, false)) {
    return InvalidArgument("refusing to remove docker platform " + dir + ": not inside run " +
                           run_id);
  }
  FL_RETURN_IF_ERROR(UnmountAllBelow(dir));
  FL_RETURN_IF_ERROR(RemoveShimLeftovers(ContainerdInstance{dir}.state(),
                                         data.value("made_run_containerd", false)));
  return RemoveTree(dir);
}

}  // namespace faultline::drivers::docker
