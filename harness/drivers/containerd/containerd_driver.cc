#include "harness/drivers/containerd/containerd_driver.h"

#include <signal.h>
#include <unistd.h>

#include <sstream>

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/drivers/daemon/daemon_control.h"
#include "harness/drivers/oci/oci_driver.h"
#include "harness/drivers/oci/oci_spec.h"
#include "harness/drivers/registry.h"
#include "harness/images/image_archive.h"

namespace faultline::drivers::containerd {
namespace {

constexpr const char* kSnapshotter = "overlayfs";
constexpr const char* kRuncShim = "io.containerd.runc.v2";
constexpr const char* kRunLabel = "faultline.run";

class ContainerdContainer : public Container {
 public:
  ContainerdContainer(ContainerdNode* node, std::string id, std::string cgroup)
      : node_(node), id_(std::move(id)), cgroup_(std::move(cgroup)) {}

  const std::string& id() const override { return id_; }
  ContainerIdentity Identity() const override {
    const pid_t pid = init_pid_.load();
    if (!pid) return {};
    return {id_, cgroup_, pid};
  }
  void set_init_pid(pid_t pid) { init_pid_ = pid; }

  OpResult Start(Nanos timeout) override {
    return TimedCall([&] { return node_->client().StartTask(kNamespace, id_, timeout); });
  }
  OpResult Kill(int signal, Nanos timeout) override {
    return TimedCall([&] { return node_->client().KillTask(kNamespace, id_, signal, timeout); });
  }
  // As containerd's client deletes: the task (killed and waited for while it runs), the
  // container, its snapshot. What is gone already is no error: NotFound (no such task,
  // container or snapshot), and FailedPrecondition from the kill of a task that has exited.
  OpResult Delete(Nanos timeout) override {
    return TimedCall([&]() -> Status {
      ContainerdClient& client = node_->client();
      Status killed = client.KillTask(kNamespace, id_, SIGKILL, timeout);
      if (killed.ok()) {
        auto exited = client.WaitTask(kNamespace, id_, timeout);
        if (!exited.ok()) FL_RETURN_IF_ERROR(UnlessGone(std::move(exited).error()));
      } else if (killed.error().code != ErrorCode::kFailedPrecondition) {
        FL_RETURN_IF_ERROR(UnlessGone(std::move(killed)));
      }
      FL_RETURN_IF_ERROR(UnlessGone(client.DeleteTask(kNamespace, id_, timeout)));
      FL_RETURN_IF_ERROR(UnlessGone(client.DeleteContainer(kNamespace, id_, timeout)));
      return UnlessGone(client.RemoveSnapshot(kNamespace, kSnapshotter, id_, timeout));
    });
  }
  Result<ContainerStatus> State(Nanos timeout) override {
    auto state = node_->client().TaskState(kNamespace, id_, timeout);
    if (!state.ok()) {
      if (state.error().code == ErrorCode::kNotFound) return ContainerStatus::kStopped;
      return std::move(state).error();
    }
    switch (*state) {
      case TaskStatus::kCreated: return ContainerStatus::kCreated;
      case TaskStatus::kRunning: return ContainerStatus::kRunning;
      case TaskStatus::kStopped: return ContainerStatus::kStopped;
      case TaskStatus::kPaused: return ContainerStatus::kPaused;
      case TaskStatus::kUnknown: break;
    }
    return ContainerStatus::kUnknown;
  }
  // When its init exited, as the shim stamped the /tasks/exit event.
  Result<std::int64_t> WaitExit(Nanos timeout, const std::atomic<bool>* cancel) override {
    return node_->WaitExit(id_, timeout, cancel);
  }

 private:
  ContainerdNode* node_;  // outlives its containers (stopped after they are deleted)
  std::string id_;
  std::string cgroup_;
  std::atomic<pid_t> init_pid_{0};
};

// "containerd github.com/containerd/containerd 1.6.20~ds1 <revision>" -> "1.6.20~ds1".
std::string VersionWord(const std::string& text) {
  std::istringstream words(text);
  std::string program, module, version;
  words >> program >> module >> version;
  return version;
}

}  // namespace

Result<RuntimeInfo> ProbeContainerd(const std::string& path) {
  return ProbeProgram("containerd", path, "containerd", VersionWord);
}

ContainerdDriver::ContainerdDriver(ContainerdDriverConfig config, RuntimeInfo info,
                                   RuntimeInfo oci_runtime)
    : config_(std::move(config)), info_(std::move(info)), oci_runtime_(std::move(oci_runtime)) {}

Result<std::unique_ptr<ContainerdDriver>> ContainerdDriver::Open(ContainerdDriverConfig config) {
  if (config.runtime.empty()) config.runtime = "runc";
  FL_ASSIGN_OR_RETURN(RuntimeInfo info, ProbeContainerd(config.daemon.path));
  FL_ASSIGN_OR_RETURN(RuntimeInfo runtime,
                      oci::ProbeOciRuntime(config.runtime, config.runtime_path));
  return std::unique_ptr<ContainerdDriver>(
      new ContainerdDriver(std::move(config), std::move(info), std::move(runtime)));
}

Status ContainerdDriver::StartPlatform(const PlatformNode& node) {
  ContainerdNodeConfig config;
  config.node = node;
  config.run_id = config_.run_id;
  config.target = config_.target;
  // Short: unix socket paths hold at most 107 bytes.
  config.dir = config_.run_dir + "/c" + Sha256Hex(config_.target).substr(0, 8) + "-" + node.name;
  config.self_exe = config_.self_exe;
  config.journal = config_.journal;
  config.daemon = config_.daemon;
  config.env = config_.env;
  FL_ASSIGN_OR_RETURN(auto started, ContainerdNode::Start(std::move(config)));
  ContainerdNode* platform = started.get();
  auto daemon = std::make_unique<DaemonControl>(
      DaemonControlSpec{"containerd",
                        node.name,
                        &started->daemon(),
                        [platform](Nanos timeout) -> Status {
                          auto version = platform->client().Version(timeout);
                          return version.ok() ? OkStatus() : Status(std::move(version).error());
                        },
                        this,
                        {"true"},
                        started->containers_cgroup(),
                        {}});
  nodes_.Add(node.name, std::move(started), std::move(daemon));
  return OkStatus();
}

Status ContainerdDriver::StopPlatform(const PlatformNode& node) {
  return nodes_.Stop(node.name);
}

Result<std::string> ContainerdDriver::ImportImage(const PlatformNode& node,
                                                  const ImageSource& image) {
  ContainerdNode* platform = Node(node.name);
  if (!platform) return FailedPrecondition("containerd is not running on " + node.name);
  if (archive_.empty()) {
    FL_ASSIGN_OR_RETURN(images::ImageArchive archive,
                        images::WriteImageArchive(
                            image.rootfs, config_.run_dir + "/images/containerd-" + config_.target,
                            "fl-" + config_.run_id + "-" + config_.target));
    archive_ = archive.path;
    image_ = archive.reference;
    // One layer: its chain id is its diff id.
    chain_id_ = archive.layer_diff_id;
  }
  FL_RETURN_IF_ERROR(platform->ImportImage(archive_));
  return image_;
}

ProbeScope ContainerdDriver::Probes() const {
  std::vector<pid_t> containerds;
  nodes_.ForEach([&](const ContainerdNode& node) { containerds.push_back(node.pid()); });
  return ContainerdProbeScope(containerds, CommandNameOf(oci_runtime_.path));
}

std::map<std::string, std::map<std::string, std::int64_t>> ContainerdDriver::PlatformStamps()
    const {
  std::map<std::string, std::map<std::string, std::int64_t>> stamps;
  nodes_.ForEach([&](const ContainerdNode& node) { stamps.merge(node.TaskStamps()); });
  return stamps;
}

Created ContainerdDriver::Make(const ContainerSpec& spec, bool start, Nanos timeout) {
  ContainerdNode* node = Node(spec.node);
  if (!node) return NoPlatform("containerd", spec.node);
  ContainerdClient& client = node->client();
  const std::string cgroup = node->containers_cgroup() + "/" + spec.id;
  auto container = std::make_unique<ContainerdContainer>(node, spec.id, cgroup);
  Created created;
  // The lease keeps the new snapshot from the garbage collector until the container holds it.
  std::vector<Mount> rootfs;
  created.prepare = TimedCall([&]() -> Status {
    FL_RETURN_IF_ERROR(client.CreateLease(kNamespace, spec.id, timeout));
    FL_ASSIGN_OR_RETURN(rootfs, client.PrepareSnapshot(kNamespace, kSnapshotter, spec.id, chain_id_,
                                                       spec.id, timeout));
    return OkStatus();
  });
  if (!created.prepare.status.ok()) {
    (void)client.DeleteLease(kNamespace, spec.id, timeout);
    created.create.start_ns = created.create.end_ns = created.prepare.end_ns;
    created.create.status = Cancelled("not attempted: the rootfs was not prepared");
    created.container = std::move(container);
    return created;
  }
  ContainerRecord record;
  record.id = spec.id;
  record.labels = {{kRunLabel, config_.run_id}};
  record.image = image_;
  record.runtime = kRuncShim;
  record.runc = {oci_runtime_.path, node->runtime_root()};
  record.spec_json = oci::MakeRuntimeConfig(spec, "/" + cgroup, config_.security).dump();
  record.snapshotter = kSnapshotter;
  record.snapshot_key = spec.id;
  created.create = TimedCall([&]() -> Status {
    Status made = client.CreateContainer(kNamespace, record, spec.id, timeout);
    Status released = client.DeleteLease(kNamespace, spec.id, timeout);
    FL_RETURN_IF_ERROR(made);
    FL_RETURN_IF_ERROR(released);
    FL_ASSIGN_OR_RETURN(pid_t pid,
                        client.CreateTask(kNamespace, spec.id, rootfs, record.runc, timeout));
    container->set_init_pid(pid);
    if (start) return client.StartTask(kNamespace, spec.id, timeout);
    return OkStatus();
  });
  created.container = std::move(container);
  return created;
}

Created ContainerdDriver::Create(const ContainerSpec& spec, Nanos timeout) {
  return Make(spec, false, timeout);
}

Created ContainerdDriver::Run(const ContainerSpec& spec, Nanos timeout) {
  return Make(spec, true, timeout);
}

}  // namespace faultline::drivers::containerd
