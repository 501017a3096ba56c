#include "harness/drivers/cri/cri_driver.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/drivers/containerd/containerd_driver.h"
#include "harness/drivers/daemon/daemon_control.h"
#include "harness/drivers/oci/oci_driver.h"
#include "harness/images/image_archive.h"

namespace faultline::drivers::cri {
namespace {

constexpr auto kImageVisibleTimeout = std::chrono::seconds(30);
constexpr auto kCriReadyTimeout = std::chrono::seconds(60);
constexpr auto kPollPause = std::chrono::milliseconds(20);
constexpr const char* kRunLabel = "faultline.run";
constexpr const char* kPodNamespace = "faultline";

// Polls CHECK until it returns OK or TIMEOUT passes; its last error then.
Status PollUntil(const std::function<Status()>& check, Nanos timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Status status = check();
    if (status.ok() || std::chrono::steady_clock::now() >= until) return status;
    std::this_thread::sleep_for(kPollPause);
  }
}

// A faultline container as a pod: its sandbox and containers, removed together.
class CriPod : public Container {
 public:
  CriPod(CriNode* node, std::string id, PodConfig config)
      : node_(node), id_(std::move(id)), config_(std::move(config)) {}

  const std::string& id() const override { return id_; }
  // The pod's last container (started last: the pod has started once its user process runs),
  // named once created: a short command may have exited before its pid was asked for, and its
  // probes' phases are still its own.
  ContainerIdentity Identity() const override {
    if (containers_.empty()) return {};
    return {containers_.back(), config_.cgroup_parent.substr(1), init_pid_.load()};
  }
  std::string& sandbox() { return sandbox_; }
  std::vector<std::string>& containers() { return containers_; }

  OpResult Start(Nanos timeout) override {
    OpResult started = TimedCall([&]() -> Status {
      for (const auto& container : containers_) {
        FL_RETURN_IF_ERROR(node_->client().StartContainer(container, timeout));
      }
      return OkStatus();
    });
    if (started.status.ok()) LearnInitPid(timeout);
    return started;
  }
  // The CRI signals no more than StopContainer does: the task's own kill, below it.
  OpResult Kill(int signal, Nanos timeout) override {
    return TimedCall([&]() -> Status {
      for (const auto& container : containers_) {
        FL_RETURN_IF_ERROR(
            node_->containerd().client().KillTask(kCriNamespace, container, signal, timeout));
      }
      return OkStatus();
    });
  }
  // As the kubelet removes a pod: its containers stopped and removed, then the sandbox; what is
  // gone already is no error. Then the pod's cgroup, which the kubelet would remove.
  OpResult Delete(Nanos timeout) override {
    return TimedCall([&]() -> Status {
      CriClient& cri = node_->client();
      for (const auto& container : containers_) {
        // Only a container the CRI reports running is stopped: the kubelet stops no other.
        auto status = cri.ContainerStatus(container, false, timeout);
        if (!status.ok()) FL_RETURN_IF_ERROR(UnlessGone(std::move(status).error()));
        if (status.ok() && (status->state == PodContainerState::kRunning ||
                            status->state == PodContainerState::kUnknown)) {
          FL_RETURN_IF_ERROR(UnlessGone(cri.StopContainer(container, 0, timeout)));
          FL_RETURN_IF_ERROR(AwaitExited(container, timeout));
        }
        FL_RETURN_IF_ERROR(UnlessGone(cri.RemoveContainer(container, timeout)));
      }
      if (!sandbox_.empty()) {
        FL_RETURN_IF_ERROR(UnlessGone(cri.StopPodSandbox(sandbox_, timeout)));
        FL_RETURN_IF_ERROR(UnlessGone(cri.RemovePodSandbox(sandbox_, timeout)));
      }
      return RemoveCgroupTree(config_.cgroup_parent.substr(1));
    });
  }
  Result<ContainerStatus> State(Nanos timeout) override {
    if (containers_.empty()) return ContainerStatus::kStopped;
    auto status = node_->client().ContainerStatus(containers_.front(), false, timeout);
    if (!status.ok()) {
      if (status.error().code == ErrorCode::kNotFound) return ContainerStatus::kStopped;
      return std::move(status).error();
    }
    switch (status->state) {
      case PodContainerState::kCreated: return ContainerStatus::kCreated;
      case PodContainerState::kRunning: return ContainerStatus::kRunning;
      case PodContainerState::kExited: return ContainerStatus::kStopped;
      case PodContainerState::kUnknown: break;
    }
    return ContainerStatus::kUnknown;
  }
  // When the last of its containers exited, as the shims stamped their /tasks/exit events.
  Result<std::int64_t> WaitExit(Nanos timeout, const std::atomic<bool>* cancel) override {
    const auto until = std::chrono::steady_clock::now() + timeout;
    std::int64_t last = 0;
    for (const auto& container : containers_) {
      const auto left = std::max(Nanos(0), Nanos(until - std::chrono::steady_clock::now()));
      FL_ASSIGN_OR_RETURN(std::int64_t at, node_->containerd().WaitExit(container, left, cancel));
      last = std::max(last, at);
      // As the kubelet learns of it: from the CRI, once its event handler took the exit.
      FL_RETURN_IF_ERROR(AwaitExited(
          container, std::max(Nanos(0), Nanos(until - std::chrono::steady_clock::now()))));
    }
    return last;
  }
  // Waits until the CRI reports CONTAINER exited (or gone, or never started).
  Status AwaitExited(const std::string& container, Nanos timeout) {
    return PollUntil(
        [&]() -> Status {
          auto status = node_->client().ContainerStatus(container, false, timeout);
          if (!status.ok()) return UnlessGone(std::move(status).error());
          if (status->state == PodContainerState::kExited ||
              status->state == PodContainerState::kCreated) {
            return OkStatus();
          }
          return Unavailable("the CRI does not report container " + container + " exited yet");
        },
        timeout);
  }
  void LearnInitPid(Nanos timeout) {
    auto status = node_->client().ContainerStatus(containers_.back(), true, timeout);
    if (status.ok() && status->pid > 0) init_pid_ = status->pid;
  }

 private:
  CriNode* node_;  // outlives its pods (stopped after they are deleted)
  std::string id_;
  PodConfig config_;
  std::string sandbox_;
  std::vector<std::string> containers_;
  std::atomic<pid_t> init_pid_{0};
};

// A conflist of one bridge in the node's network namespace, pods addressed from CIDR with no
// route beyond it and no masquerading: pod traffic stays inside the node.
std::string BridgeConflist(const std::string& name, const std::string& bridge,
                           const std::string& cidr) {
  const nlohmann::json conflist = {{"cniVersion", "0.4.0"},
                                   {"name", name},
                                   {"plugins",
                                    {{{"type", "bridge"},
                                      {"bridge", bridge},
                                      {"isGateway", true},
                                      {"ipMasq", false},
                                      {"ipam",
                                       {{"type", "host-local"},
                                        {"ranges", {{{{"subnet", cidr}}}}},
                                        {"routes", nlohmann::json::array()}}}}}}};
  return conflist.dump(2);
}

// Whether this process may lower its oom_score_adj (CAP_SYS_RESOURCE in its user namespace):
// some container hosts refuse it, and with it the sandbox's -998.
bool CanLowerOomScore() {
  auto current = ReadFile("/proc/self/oom_score_adj");
  if (!current.ok()) return false;
  const int score = std::atoi(current->c_str());
  if (score <= -1000) return true;
  if (!WriteControlFile("/proc/self/oom_score_adj", std::to_string(score - 1)).ok()) return false;
  (void)WriteControlFile("/proc/self/oom_score_adj", std::to_string(score));
  return true;
}

}  // namespace

std::string PauseProgram() {
#ifdef FAULTLINE_PAUSE_BUILD_PATH
  return FindCompanion("faultline-pause", "FAULTLINE_PAUSE", FAULTLINE_PAUSE_BUILD_PATH);
#else
  return FindCompanion("faultline-pause", "FAULTLINE_PAUSE", nullptr);
#endif
}

CriNode::CriNode(std::unique_ptr<containerd::ContainerdNode> containerd)
    : containerd_(std::move(containerd)), client_(containerd_->socket()) {}

CriDriver::CriDriver(CriDriverConfig config, RuntimeInfo info, RuntimeInfo oci_runtime)
    : config_(std::move(config)), info_(std::move(info)), oci_runtime_(std::move(oci_runtime)) {}

CriDriver::~CriDriver() {
  if (subnet_) {
    (void)cluster::ReleaseSubnetLease(subnet_->path, config_.run_id);
    config_.journal->Release(subnet_->seq);
  }
}

Result<std::unique_ptr<CriDriver>> CriDriver::Open(CriDriverConfig config) {
  if (config.runtime.empty()) config.runtime = "runc";
  FL_ASSIGN_OR_RETURN(RuntimeInfo info, containerd::ProbeContainerd(config.daemon.path));
  FL_ASSIGN_OR_RETURN(RuntimeInfo runtime,
                      oci::ProbeOciRuntime(config.runtime, config.runtime_path));
  if (PauseProgram().empty()) {
    return FailedPrecondition("faultline-pause (the pause image's program) not found beside " +
                              config.self_exe);
  }
  return std::unique_ptr<CriDriver>(
      new CriDriver(std::move(config), std::move(info), std::move(runtime)));
}

Status CriDriver::PreparePauseImage() {
  if (!pause_archive_.empty()) return OkStatus();
  const std::string dir = config_.run_dir + "/images/cri-pause-" + config_.target;
  const std::string rootfs = dir + "/rootfs";
  FL_RETURN_IF_ERROR(MakeDirs(rootfs, 0755));
  FL_ASSIGN_OR_RETURN(std::string program, ReadFile(PauseProgram()));
  FL_RETURN_IF_ERROR(WriteFileAtomic(rootfs + "/pause", program));
  if (chmod((rootfs + "/pause").c_str(), 0755) != 0) {
    return ErrnoError("cannot make " + rootfs + "/pause executable", errno);
  }
  FL_ASSIGN_OR_RETURN(
      images::ImageArchive archive,
      images::WriteImageArchive(rootfs, dir, "fl-" + config_.run_id + "-pause", {"/pause"}));
  pause_archive_ = archive.path;
  pause_image_ = archive.reference;
  return OkStatus();
}

Result<std::string> CriDriver::PodNetwork() {
  if (config_.host_network) return std::string();
  if (!subnet_) {
    FL_ASSIGN_OR_RETURN(cluster::SubnetLease lease,
                        cluster::LeaseSubnet(config_.run_id, *config_.journal));
    subnet_ = lease;
  }
  // Inside each node's network namespace; one per target there. At most 15 characters.
  const std::string bridge = "flp" + Sha256Hex(config_.run_id + config_.target).substr(0, 8);
  return BridgeConflist("fl-" + config_.run_id + "-" + config_.target, bridge,
                        cluster::SubnetCidr(subnet_->index));
}

Status CriDriver::StartPlatform(const PlatformNode& node) {
  FL_RETURN_IF_ERROR(PreparePauseImage());
  FL_ASSIGN_OR_RETURN(std::string conflist, PodNetwork());
  containerd::ContainerdNodeConfig config;
  config.node = node;
  config.run_id = config_.run_id;
  config.target = config_.target;
  // Short: unix socket paths hold at most 107 bytes.
  config.dir = config_.run_dir + "/k" + Sha256Hex(config_.target).substr(0, 8) + "-" + node.name;
  config.self_exe = config_.self_exe;
  config.journal = config_.journal;
  config.daemon = config_.daemon;
  config.env = config_.env;
  config.ns = kCriNamespace;
  config.metrics_address = config_.metrics_address;
  config.cri = CriSettings{pause_image_, oci_runtime_.path, conflist, !CanLowerOomScore()};
  FL_ASSIGN_OR_RETURN(auto started, containerd::ContainerdNode::Start(std::move(config)));
  auto platform = std::make_unique<CriNode>(std::move(started));
  CriNode* cri = platform.get();
  // The CRI plugin answers once its own initialisation is done, after containerd's API.
  FL_RETURN_IF_ERROR(PollUntil(
      [&]() -> Status {
        auto version = cri->client().Version(std::chrono::seconds(2));
        return version.ok() ? OkStatus() : Status(std::move(version).error());
      },
      kCriReadyTimeout));
  FL_RETURN_IF_ERROR(cri->containerd().ImportImage(pause_archive_));
  auto daemon = std::make_unique<DaemonControl>(
      DaemonControlSpec{"containerd",
                        node.name,
                        &cri->containerd().daemon(),
                        [cri](Nanos timeout) -> Status {
                          auto version = cri->client().Version(timeout);
                          return version.ok() ? OkStatus() : Status(std::move(version).error());
                        },
                        this,
                        {"true"},
                        cri->containerd().containers_cgroup(),
                        {}});
  nodes_.Add(node.name, std::move(platform), std::move(daemon));
  return OkStatus();
}

Status CriDriver::StopPlatform(const PlatformNode& node) {
  return nodes_.Stop(node.name);
}

Result<std::string> CriDriver::ImportImage(const PlatformNode& node, const ImageSource& image) {
  CriNode* platform = Node(node.name);
  if (!platform) return FailedPrecondition("containerd is not running on " + node.name);
  if (archive_.empty()) {
    FL_ASSIGN_OR_RETURN(
        images::ImageArchive archive,
        images::WriteImageArchive(image.rootfs, config_.run_dir + "/images/cri-" + config_.target,
                                  "fl-" + config_.run_id + "-" + config_.target));
    archive_ = archive.path;
    image_ = archive.reference;
  }
  FL_RETURN_IF_ERROR(platform->containerd().ImportImage(archive_));
  // The CRI plugin learns of imported images from containerd's events: wait until it has both.
  for (const std::string& ref : {pause_image_, image_}) {
    FL_RETURN_IF_ERROR(PollUntil(
        [&]() -> Status {
          auto has = platform->client().HasImage(ref, std::chrono::seconds(2));
          if (!has.ok()) return std::move(has).error();
          return *has ? OkStatus() : NotFound("the CRI does not list " + ref + " yet");
        },
        kImageVisibleTimeout));
  }
  return image_;
}

ProbeScope CriDriver::Probes() const {
  std::vector<pid_t> containerds;
  nodes_.ForEach([&](const CriNode& node) { containerds.push_back(node.containerd().pid()); });
  return containerd::ContainerdProbeScope(containerds, CommandNameOf(oci_runtime_.path));
}

void CriDriver::RecordPod(const std::string& id, const std::string& sandbox,
                          const std::string& first) {
  std::lock_guard lock(pods_mu_);
  pods_[id] = {sandbox, first};
}

std::map<std::string, std::map<std::string, std::int64_t>> CriDriver::PlatformStamps() const {
  std::map<std::string, std::map<std::string, std::int64_t>> tasks;
  nodes_.ForEach([&](const CriNode& node) { tasks.merge(node.containerd().TaskStamps()); });
  std::map<std::string, std::map<std::string, std::int64_t>> stamps;
  std::lock_guard lock(pods_mu_);
  for (const auto& [id, pod] : pods_) {
    const auto& [sandbox, first] = pod;
    if (auto found = tasks.find(sandbox); found != tasks.end()) {
      for (const auto& [name, at] : found->second) stamps[id]["sandbox_" + name] = at;
    }
    if (auto found = tasks.find(first); found != tasks.end()) {
      for (const auto& [name, at] : found->second) stamps[id][name] = at;
    }
  }
  return stamps;
}

Created CriDriver::Make(const ContainerSpec& spec, bool start, Nanos timeout) {
  CriNode* node = Node(spec.node);
  if (!node) return NoPlatform("containerd (CRI)", spec.node);
  PodConfig pod;
  pod.name = spec.id;
  pod.uid = spec.id;
  pod.ns = kPodNamespace;
  // The pod's cgroup, as the kubelet gives each pod one: its containers below it.
  pod.cgroup_parent = "/" + node->containerd().containers_cgroup() + "/" + spec.id;
  pod.host_network = config_.host_network;
  pod.labels = {{kRunLabel, config_.run_id}};
  auto container = std::make_unique<CriPod>(node, spec.id, pod);
  CriPod* made = container.get();
  Created created;
  created.prepare = TimedCall([&]() -> Status {
    FL_ASSIGN_OR_RETURN(made->sandbox(), node->client().RunPodSandbox(pod, timeout));
    return OkStatus();
  });
  if (!created.prepare.status.ok()) {
    created.create.start_ns = created.create.end_ns = created.prepare.end_ns;
    created.create.status = Cancelled("not attempted: the pod sandbox did not start");
    created.container = std::move(container);
    return created;
  }
  PodContainerConfig config;
  config.image = image_;
  config.command = spec.command;
  config.labels = pod.labels;
  config.seccomp_unconfined = config_.security == scenario::Security::kUnconfined;
  if (spec.resources.memory_bytes) {
    config.memory_limit_bytes = static_cast<std::int64_t>(*spec.resources.memory_bytes);
  }
  if (spec.resources.cpus) {
    config.cpu_period_us = 100'000;
    config.cpu_quota_us = static_cast<std::int64_t>(*spec.resources.cpus * 100'000);
  }
  created.create = TimedCall([&]() -> Status {
    for (int i = 0; i < config_.containers_per_pod; ++i) {
      config.name = "c" + std::to_string(i);
      FL_ASSIGN_OR_RETURN(std::string id,
                          node->client().CreateContainer(made->sandbox(), pod, config, timeout));
      made->containers().push_back(std::move(id));
    }
    if (!start) return OkStatus();
    for (const auto& id : made->containers()) {
      FL_RETURN_IF_ERROR(node->client().StartContainer(id, timeout));
    }
    return OkStatus();
  });
  if (!made->containers().empty()) {
    RecordPod(spec.id, made->sandbox(), made->containers().back());
  }
  if (start && created.create.status.ok()) made->LearnInitPid(timeout);
  created.container = std::move(container);
  return created;
}

Created CriDriver::Create(const ContainerSpec& spec, Nanos timeout) {
  return Make(spec, false, timeout);
}

Created CriDriver::Run(const ContainerSpec& spec, Nanos timeout) {
  return Make(spec, true, timeout);
}

}  // namespace faultline::drivers::cri
