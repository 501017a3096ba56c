#include "harness/drivers/docker/docker_driver.h"

#include <signal.h>

#include <sstream>
#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/drivers/daemon/daemon_control.h"
#include "harness/drivers/oci/oci_driver.h"
#include "harness/images/image_archive.h"

namespace faultline::drivers::docker {
namespace {

using nlohmann::json;

class DockerContainer : public Container {
 public:
  DockerContainer(EngineApi api, std::string id, DockerPlatform* platform)
      : api_(std::move(api)), id_(std::move(id)), platform_(platform) {}

  const std::string& id() const override { return id_; }
  // The init pid comes from the host's cgroup when asked: no daemon call after each start.
  ContainerIdentity Identity() const override {
    std::lock_guard lock(mu_);
    if (full_id_.empty()) return {};
    const std::string cgroup = platform_->ContainerCgroup(full_id_);
    return {full_id_, cgroup, FirstProcessIn(cgroup)};
  }
  void set_full_id(const std::string& full_id) {
    std::lock_guard lock(mu_);
    full_id_ = full_id;
  }

  OpResult Start(Nanos timeout) override {
    return TimedCall([&] { return api_.Start(id_, timeout); });
  }
  OpResult Kill(int signal, Nanos timeout) override {
    return TimedCall([&] { return api_.Kill(id_, signal, timeout); });
  }
  OpResult Delete(Nanos timeout) override {
    return TimedCall([&] { return api_.Remove(id_, timeout); });
  }
  Result<ContainerStatus> State(Nanos timeout) override {
    FL_ASSIGN_OR_RETURN(ContainerState state, api_.Inspect(id_, timeout));
    if (state.status == "created") return ContainerStatus::kCreated;
    if (state.status == "running" || state.status == "restarting") return ContainerStatus::kRunning;
    if (state.status == "paused") return ContainerStatus::kPaused;
    if (state.status == "exited" || state.status == "dead") return ContainerStatus::kStopped;
    return ContainerStatus::kUnknown;
  }
  // When it died, as dockerd stamped its "die" event.
  Result<std::int64_t> WaitExit(Nanos timeout, const std::atomic<bool>* cancel) override {
    return platform_->WaitDied(id_, timeout, cancel);
  }

 private:
  EngineApi api_;
  std::string id_;
  DockerPlatform* platform_;  // outlives its containers (stopped after they are deleted)
  mutable std::mutex mu_;
  std::string full_id_;
};

// "Docker version 20.10.24+dfsg1, build 5d6db84" -> "20.10.24+dfsg1".
std::string VersionWord(const std::string& text) {
  std::istringstream words(text.substr(0, text.find('\n')));
  std::string word, previous;
  while (words >> word) {
    if (previous == "version") return word.back() == ',' ? word.substr(0, word.size() - 1) : word;
    previous = word;
  }
  return "";
}

}  // namespace

Result<RuntimeInfo> ProbeDockerd(const std::string& path) {
  return ProbeProgram("dockerd", path, "docker.io", VersionWord);
}

DockerDriver::DockerDriver(DockerDriverConfig config, RuntimeInfo info, RuntimeInfo oci_runtime)
    : config_(std::move(config)), info_(std::move(info)), oci_runtime_(std::move(oci_runtime)) {
  runtime_name_ = config_.endpoint.empty() ? EngineRuntimeName(engine_runtime()) : config_.runtime;
}

std::vector<RuntimeInfo> DockerDriver::components() const {
  if (oci_runtime_.path.empty()) return {info_};
  return {info_, oci_runtime_};
}

EngineRuntime DockerDriver::engine_runtime() const {
  return {config_.runtime, oci_runtime_.path, !config_.runtime_path.empty(), config_.runtime_args};
}

Result<std::unique_ptr<DockerDriver>> DockerDriver::Open(DockerDriverConfig config) {
  if (config.runtime.empty()) config.runtime = "runc";
  if (!config.endpoint.empty()) {
    // Someone else's daemon: its version as it tells it; its runtime is its own business.
    EngineApi api(config.endpoint);
    auto version = api.Negotiate(std::chrono::seconds(10));
    if (!version.ok()) {
      return std::move(version).error().With("no Docker Engine answers at unix://" +
                                             config.endpoint);
    }
    RuntimeInfo info{"dockerd", version->value("Version", ""), "unix://" + config.endpoint, ""};
    return std::unique_ptr<DockerDriver>(new DockerDriver(std::move(config), std::move(info), {}));
  }
  FL_ASSIGN_OR_RETURN(RuntimeInfo info, ProbeDockerd(config.daemon.path));
  FL_ASSIGN_OR_RETURN(RuntimeInfo runtime,
                      oci::ProbeOciRuntime(config.runtime, config.runtime_path));
  return std::unique_ptr<DockerDriver>(
      new DockerDriver(std::move(config), std::move(info), std::move(runtime)));
}

Status DockerDriver::StartPlatform(const PlatformNode& node) {
  if (!config_.endpoint.empty()) {
    FL_ASSIGN_OR_RETURN(auto endpoint, DockerEndpoint::Open({config_.endpoint, node, config_.run_id,
                                                             config_.target, config_.journal}));
    nodes_.Add(node.name, std::move(endpoint));  // no daemon of faultline's to fault
    return OkStatus();
  }
  DockerNodeConfig config;
  config.node = node;
  config.run_id = config_.run_id;
  config.target = config_.target;
  // Short: unix socket paths hold at most 107 bytes.
  config.dir = config_.run_dir + "/d" + Sha256Hex(config_.target).substr(0, 8) + "-" + node.name;
  config.runtime = engine_runtime();
  config.live_restore = config_.live_restore;
  config.daemon = config_.daemon;
  config.env = config_.env;
  config.self_exe = config_.self_exe;
  config.journal = config_.journal;
  FL_ASSIGN_OR_RETURN(auto started, DockerNode::Start(std::move(config)));
  auto dockerd = std::make_unique<DaemonControl>(
      DaemonControlSpec{"dockerd",
                        node.name,
                        &started->dockerd(),
                        HttpPing("dockerd", started->api().socket()),
                        this,
                        {"true"},
                        started->containers_cgroup(),
                        {}});
  nodes_.Add(node.name, std::move(started), std::move(dockerd));
  return OkStatus();
}

Status DockerDriver::StopPlatform(const PlatformNode& node) {
  return nodes_.Stop(node.name);
}

Result<std::string> DockerDriver::ImportImage(const PlatformNode& node, const ImageSource& image) {
  DockerPlatform* platform = Node(node.name);
  if (!platform) return FailedPrecondition("docker is not running on " + node.name);
  if (archive_.empty()) {
    const std::string work = config_.run_dir + "/images/docker-" + config_.target;
    // Named after the run and target: unique in a daemon that others use too (endpoint).
    FL_ASSIGN_OR_RETURN(images::ImageArchive archive,
                        images::WriteImageArchive(image.rootfs, work,
                                                  "fl-" + config_.run_id + "-" + config_.target));
    archive_ = archive.path;
    image_ = archive.reference;
  }
  FL_RETURN_IF_ERROR(platform->LoadImage(archive_, image_));
  return image_;
}

ProbeScope DockerDriver::Probes() const {
  ProbeScope scope;
  // dockerd -> containerd -> shim -> runtime: sessions begin below each node's containerd.
  nodes_.ForEach([&](const DockerPlatform& node) {
    if (node.containerd_pid() > 0) scope.daemon_roots.push_back(node.containerd_pid());
  });
  scope.runtimes = {oci_runtime_.path.empty() ? config_.runtime : CommandNameOf(oci_runtime_.path)};
  scope.helpers = {"containerd-shim"};  // containerd-shim-runc-v2, cut to 15 characters
  return scope;
}

Created DockerDriver::Make(const ContainerSpec& spec, bool start, Nanos timeout) {
  DockerPlatform* node = Node(spec.node);
  if (!node) return NoPlatform("docker", spec.node);
  Created created;
  created.prepare.start_ns = created.prepare.end_ns = BootNowNs();
  const json body = CreateBody(spec, image_, runtime_name_, config_.run_id, config_.security,
                               node->cgroup_parent());
  auto container = std::make_unique<DockerContainer>(node->api(), spec.id, node);
  created.create = TimedCall([&]() -> Status {
    auto id = node->api().Create(spec.id, body, timeout);
    if (!id.ok()) return std::move(id).error();
    container->set_full_id(*id);
    if (start) return node->api().Start(spec.id, timeout);
    return OkStatus();
  });
  created.container = std::move(container);
  return created;
}

Created DockerDriver::Create(const ContainerSpec& spec, Nanos timeout) {
  return Make(spec, false, timeout);
}

Created DockerDriver::Run(const ContainerSpec& spec, Nanos timeout) {
  return Make(spec, true, timeout);
}

}  // namespace faultline::drivers::docker
