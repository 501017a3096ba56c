#include "harness/drivers/containerd/containerd_node.h"

#include <unistd.h>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/drivers/daemon/containerd_instance.h"

namespace faultline::drivers::containerd {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(60);
constexpr auto kImportTimeout = std::chrono::minutes(2);
// How soon the event stream is opened again after containerd went away (a daemon fault).
constexpr auto kResubscribePause = std::chrono::milliseconds(50);

}  // namespace

ContainerdNode::ContainerdNode(ContainerdNodeConfig config)
    : config_(std::move(config)),
      footprint_(config_.journal, config_.node, config_.run_id, config_.target, config_.dir) {}

ContainerdNode::~ContainerdNode() {
  (void)Stop();
}

Result<std::unique_ptr<ContainerdNode>> ContainerdNode::Start(ContainerdNodeConfig config) {
  std::unique_ptr<ContainerdNode> node(new ContainerdNode(std::move(config)));
  if (Status launched = node->Launch(); !launched.ok()) {
    (void)node->Stop();
    return std::move(launched).error().With("containerd on " + node->config_.node.name);
  }
  return node;
}

Status ContainerdNode::Launch() {
  FL_ASSIGN_OR_RETURN(run_containerd_, HostMountPoint::Acquire(kRunContainerd, config_.journal));
  std::vector<PrivateBind> binds;
  if (config_.cri) {
    FL_ASSIGN_OR_RETURN(var_lib_cni_, HostMountPoint::Acquire(kVarLibCni, config_.journal));
    binds.push_back({config_.dir + "/var-lib-cni", kVarLibCni});
  }
  FL_RETURN_IF_ERROR(footprint_.Claim(kPlatformRecord, {}));
  const ContainerdInstance instance{config_.dir, config_.cri, config_.metrics_address};
  FL_RETURN_IF_ERROR(WriteFileAtomic(config_.dir + "/containerd.toml", instance.Config()));
  binds.push_back({instance.run_containerd(), kRunContainerd});
  for (const auto& bind : binds) FL_RETURN_IF_ERROR(MakeDirs(bind.src, 0700));
  if (config_.cri) {
    FL_RETURN_IF_ERROR(MakeDirs(instance.cni_conf_dir(), 0700));
    if (!config_.cri->cni_conflist.empty()) {
      FL_RETURN_IF_ERROR(WriteFileAtomic(instance.cni_conf_dir() + "/10-faultline.conflist",
                                         config_.cri->cni_conflist));
    }
  }

  client_ = std::make_unique<ContainerdClient>(instance.socket());
  NodeDaemonSpec spec{"mount namespace holder",       config_.self_exe, config_.node,
                      footprint_.platform_cgroup(),   config_.env,      {},
                      config_.dir + "/containerd.log"};
  FL_ASSIGN_OR_RETURN(mounts_, StartMountNamespaceHolder(spec, binds, kReadyTimeout));
  spec.name = "containerd";
  spec.argv = {ProgramOf("containerd", config_.daemon.path), "--config",
               config_.dir + "/containerd.toml"};
  spec.argv.insert(spec.argv.end(), config_.daemon.args.begin(), config_.daemon.args.end());
  spec.mount_ns = MountNamespaceOf(mounts_);
  FL_ASSIGN_OR_RETURN(containerd_, NodeDaemon::Start(
                                       spec,
                                       [&](pid_t) -> Status {
                                         auto answered = client_->Version(std::chrono::seconds(2));
                                         if (answered.ok()) return OkStatus();
                                         return std::move(answered).error();
                                       },
                                       kReadyTimeout));
  follower_ = std::thread([this] { FollowEvents(); });
  return OkStatus();
}

void ContainerdNode::FollowEvents() {
  while (!stop_events_) {
    std::unique_ptr<TaskEventStream> stream = client_->SubscribeTaskEvents(config_.ns);
    {
      std::lock_guard lock(mu_);
      if (stop_events_) return;
      stream_ = stream.get();
    }
    for (;;) {
      auto event = stream->Next();
      if (!event.ok()) break;
      if (event->topic == "/tasks/exit") {
        // An exec's exit is not the container's.
        if (!event->exec_id.empty() && event->exec_id != event->container_id) continue;
        exits_.Record(event->container_id, BootNsOfRealtime(event->exited_at_realtime_ns));
      } else {
        // "/tasks/create" -> "task_create"
        const std::string name = "task_" + event->topic.substr(event->topic.rfind('/') + 1);
        std::lock_guard lock(mu_);
        stamps_[event->container_id][name] = BootNsOfRealtime(event->at_realtime_ns);
      }
    }
    {
      std::lock_guard lock(mu_);
      stream_ = nullptr;
    }
    stream.reset();
    if (!stop_events_) std::this_thread::sleep_for(kResubscribePause);
  }
}

std::map<std::string, std::map<std::string, std::int64_t>> ContainerdNode::TaskStamps() const {
  std::lock_guard lock(mu_);
  return stamps_;
}

Status ContainerdNode::Stop() {
  if (follower_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stop_events_ = true;
      if (stream_) stream_->Cancel();
    }
    follower_.join();
  }
  Status removed = OkStatus();
  if (footprint_.claimed()) {
    containerd_.Stop(std::chrono::seconds(10));
    // Shims, containers and the mount namespace's holder die with the cgroups.
    removed = footprint_.Remove();
  }
  run_containerd_.Release();
  var_lib_cni_.Release();
  return removed;
}

Status ContainerdNode::ImportImage(const std::string& path) {
  const std::string ctr = FindExecutable("ctr");
  if (ctr.empty()) return FailedPrecondition("ctr not found in PATH (Debian package containerd)");
  auto imported = RunForOutput({ctr, "--address", client_->socket(), "--namespace", config_.ns,
                                "images", "import", "--snapshotter", "overlayfs", path},
                               kImportTimeout);
  if (!imported.ok()) return std::move(imported).error().With("ctr images import");
  return OkStatus();
}

Result<std::uint64_t> ContainerdNode::ResidentBytes() const {
  // The mount namespace holder is faultline's, not containerd's.
  return CgroupPssBytes(footprint_.platform_cgroup(), {mounts_.pid()});
}

ProbeScope ContainerdProbeScope(const std::vector<pid_t>& containerds, const std::string& runtime) {
  ProbeScope scope;
  for (pid_t pid : containerds) {
    if (pid > 0) scope.daemon_roots.push_back(pid);
  }
  scope.daemon_roots.push_back(getpid());
  scope.runtimes = {runtime};
  scope.helpers = {"containerd-shim"};  // containerd-shim-runc-v2, cut to 15 characters
  return scope;
}

Status UndoPlatformRecord(const nlohmann::json& data, const std::string& run_id,
                          const std::string& run_dir) {
  FL_ASSIGN_OR_RETURN(std::string dir,
                      RecordedPlatformDir(data, run_id, run_dir, "containerd platform"));
  return RemoveDirAndMounts(dir);
}

}  // namespace faultline::drivers::containerd
