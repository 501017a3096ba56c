#include "harness/drivers/podman/podman_driver.h"

#include <signal.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/drivers/daemon/daemon_control.h"
#include "harness/drivers/http/unix_http.h"
#include "harness/drivers/oci/oci_driver.h"
#include "harness/images/image_archive.h"

namespace faultline::drivers::podman {
namespace {

using nlohmann::json;

constexpr const char* kLibpod = "/v4.0.0/libpod";

// One libpod API call whose answer must have one of the OK statuses; its body.
Result<std::string> Api(const PodmanNode& node, const std::string& method, const std::string& path,
                        const std::string& body, std::initializer_list<int> ok, Nanos timeout,
                        const std::string& content_type = "application/json") {
  FL_ASSIGN_OR_RETURN(
      http::Response response,
      http::Call(node.socket(), {method, std::string(kLibpod) + path, body, content_type},
                 timeout));
  for (int status : ok) {
    if (response.status == status) return response.body;
  }
  auto answer = json::parse(response.body, nullptr, false);
  const std::string message =
      answer.is_object() ? answer.value("message", response.body) : response.body;
  const std::string text =
      method + " " + path + ": " + std::to_string(response.status) + " " + message;
  if (response.status == 404) return NotFound(text);
  if (response.status >= 500) return Unavailable(text);
  return InvalidArgument(text);
}

// One `podman` command inside the node; its standard output.
Result<std::string> Cli(const PodmanNode& node, std::vector<std::string> args, Nanos timeout) {
  const std::string verb = args.front();
  FL_ASSIGN_OR_RETURN(ProcessOutcome outcome,
                      RunProcess({node.Podman(std::move(args)), timeout, ""}));
  if (outcome.timed_out) return DeadlineExceeded("podman " + verb + " " + outcome.Describe());
  if (!outcome.ok()) {
    if (outcome.err.find("no such container") != std::string::npos) {
      return NotFound("podman " + verb + " " + outcome.Describe());
    }
    return Unavailable("podman " + verb + " " + outcome.Describe());
  }
  return outcome.out;
}

class PodmanContainer : public Container {
 public:
  PodmanContainer(PodmanNode* node, std::string id) : node_(node), id_(std::move(id)) {}

  const std::string& id() const override { return id_; }
  // The init pid comes from the host's cgroup when asked: no podman call after each start.
  ContainerIdentity Identity() const override {
    std::lock_guard lock(mu_);
    if (full_id_.empty()) return {};
    const std::string cgroup = node_->containers_cgroup() + "/libpod-" + full_id_;
    return {full_id_, cgroup, FirstProcessIn(cgroup)};
  }
  void set_full_id(std::string full_id) {
    std::lock_guard lock(mu_);
    full_id_ = std::move(full_id);
  }

  OpResult Start(Nanos timeout) override {
    return TimedCall([&]() -> Status {
      if (node_->service()) {
        return Api(*node_, "POST", "/containers/" + id_ + "/start", "", {204, 304}, timeout)
            .status();
      }
      return Cli(*node_, {"start", id_}, timeout).status();
    });
  }
  OpResult Kill(int signal, Nanos timeout) override {
    return TimedCall([&]() -> Status {
      if (node_->service()) {
        return Api(*node_, "POST", "/containers/" + id_ + "/kill?signal=" + std::to_string(signal),
                   "", {204}, timeout)
            .status();
      }
      return Cli(*node_, {"kill", "-s", std::to_string(signal), id_}, timeout).status();
    });
  }
  OpResult Delete(Nanos timeout) override {
    return TimedCall([&]() -> Status {
      Status removed =
          node_->service()
              ? Api(*node_, "DELETE", "/containers/" + id_ + "?force=true", "", {200, 204}, timeout)
                    .status()
              : Cli(*node_, {"rm", "-f", id_}, timeout).status();
      // Gone already is what delete wants.
      if (!removed.ok() && removed.error().code == ErrorCode::kNotFound) return OkStatus();
      return removed;
    });
  }
  Result<ContainerStatus> State(Nanos timeout) override {
    FL_ASSIGN_OR_RETURN(json state, Inspect(timeout));
    const std::string status = state.value("Status", "");
    if (status == "created" || status == "configured") return ContainerStatus::kCreated;
    if (status == "running") return ContainerStatus::kRunning;
    if (status == "paused") return ContainerStatus::kPaused;
    if (status == "exited" || status == "stopped") return ContainerStatus::kStopped;
    return ContainerStatus::kUnknown;
  }
  Result<std::int64_t> WaitExit(Nanos timeout, const std::atomic<bool>* cancel) override {
    return node_->WaitDied(id_, timeout, cancel);
  }

 private:
  // {"Status": ..., "Pid": ...} of the container.
  Result<json> Inspect(Nanos timeout) {
    if (node_->service()) {
      FL_ASSIGN_OR_RETURN(std::string body,
                          Api(*node_, "GET", "/containers/" + id_ + "/json", "", {200}, timeout));
      auto answer = json::parse(body, nullptr, false);
      if (!answer.is_object() || !answer.contains("State")) return Internal("unreadable inspect");
      return answer["State"];
    }
    FL_ASSIGN_OR_RETURN(
        std::string out,
        Cli(*node_, {"container", "inspect", "--format", "{{json .State}}", id_}, timeout));
    auto state = json::parse(out, nullptr, false);
    if (!state.is_object()) return Internal("unreadable inspect: " + out);
    return state;
  }

  PodmanNode* node_;
  std::string id_;
  mutable std::mutex mu_;
  std::string full_id_;
};

}  // namespace

Result<RuntimeInfo> ProbePodman(const std::string& path) {
  return ProbeProgram("podman", path, "podman", [](const std::string& text) {
    // "podman version 4.3.1": the last word of the first line.
    std::istringstream words(text.substr(0, text.find('\n')));
    std::string word, last;
    while (words >> word) last = word;
    return last;
  });
}

PodmanDriver::PodmanDriver(PodmanDriverConfig config, RuntimeInfo info, RuntimeInfo oci_runtime)
    : config_(std::move(config)), info_(std::move(info)), oci_runtime_(std::move(oci_runtime)) {}

Result<std::unique_ptr<PodmanDriver>> PodmanDriver::Open(PodmanDriverConfig config) {
  if (config.runtime.empty()) config.runtime = "crun";
  FL_ASSIGN_OR_RETURN(RuntimeInfo info, ProbePodman(config.daemon.path));
  FL_ASSIGN_OR_RETURN(RuntimeInfo runtime,
                      oci::ProbeOciRuntime(config.runtime, config.runtime_path));
  return std::unique_ptr<PodmanDriver>(
      new PodmanDriver(std::move(config), std::move(info), std::move(runtime)));
}

Status PodmanDriver::StartPlatform(const PlatformNode& node) {
  PodmanNodeConfig config;
  config.node = node;
  config.run_id = config_.run_id;
  config.target = config_.target;
  // Short: unix socket paths hold at most 107 bytes.
  config.dir = config_.run_dir + "/p" + Sha256Hex(config_.target).substr(0, 8) + "-" + node.name;
  config.runroot = RunRootFor(config_.run_id, config_.target + "/" + node.name);
  config.runtime = config_.runtime;
  config.runtime_path = config_.runtime_path;
  config.runtime_args = config_.runtime_args;
  config.service = config_.service;
  config.daemon = config_.daemon;
  config.env = config_.env;
  config.self_exe = config_.self_exe;
  config.journal = config_.journal;
  FL_ASSIGN_OR_RETURN(auto started, PodmanNode::Start(std::move(config)));
  std::unique_ptr<DaemonControl> service;
  if (started->service()) {
    // Podman puts each container's conmon into <cgroup parent>/conmon.
    service = std::make_unique<DaemonControl>(
        DaemonControlSpec{"podman system service",
                          node.name,
                          &started->service_daemon(),
                          HttpPing("podman system service", started->socket()),
                          this,
                          {"true"},
                          started->containers_cgroup(),
                          {"conmon"}});
  }
  nodes_.Add(node.name, std::move(started), std::move(service));
  return OkStatus();
}

Status PodmanDriver::StopPlatform(const PlatformNode& node) {
  return nodes_.Stop(node.name);
}

Result<std::string> PodmanDriver::ImportImage(const PlatformNode& node, const ImageSource& image) {
  PodmanNode* platform = Node(node.name);
  if (!platform) return FailedPrecondition("podman is not set up on " + node.name);
  if (archive_.empty()) {
    FL_ASSIGN_OR_RETURN(
        images::ImageArchive archive,
        images::WriteImageArchive(image.rootfs,
                                  config_.run_dir + "/images/podman-" + config_.target, "image"));
    archive_ = archive.path;
    image_ = archive.reference;
  }
  if (platform->service()) {
    FL_ASSIGN_OR_RETURN(std::string tar, ReadFile(archive_));
    FL_RETURN_IF_ERROR(Api(*platform, "POST", "/images/load", tar, {200}, std::chrono::minutes(2),
                           "application/x-tar")
                           .status());
  } else {
    FL_RETURN_IF_ERROR(Cli(*platform, {"load", "-i", archive_}, std::chrono::minutes(2)).status());
  }
  return image_;
}

ProbeScope PodmanDriver::Probes() const {
  ProbeScope scope;
  // The service forks conmon, conmon the runtime; with via: cli the controller forks podman
  // (through _node-exec), which forks conmon. The controller's descendants also include a
  // service that a platform fault started again.
  nodes_.ForEach([&](const PodmanNode& node) {
    if (node.service_pid() > 0) scope.daemon_roots.push_back(node.service_pid());
  });
  scope.daemon_roots.push_back(getpid());
  scope.runtimes = {CommandNameOf(oci_runtime_.path)};
  scope.helpers = {"conmon"};
  return scope;
}

Created PodmanDriver::Make(const ContainerSpec& spec, bool start, Nanos timeout) {
  PodmanNode* node = Node(spec.node);
  if (!node) return NoPlatform("podman", spec.node);
  Created created;
  created.prepare.start_ns = created.prepare.end_ns = BootNowNs();
  auto container = std::make_unique<PodmanContainer>(node, spec.id);
  const bool unconfined = config_.security == scenario::Security::kUnconfined;
  created.create = TimedCall([&]() -> Status {
    std::string full_id;
    if (node->service()) {
      json body = {{"name", spec.id},
                   {"image", image_},
                   {"command", spec.command},
                   {"labels", {{"faultline.run", config_.run_id}}},
                   {"netns", {{"nsmode", "host"}}},
                   {"cgroup_parent", "/" + node->containers_cgroup()},
                   {"oci_runtime", config_.runtime}};
      json limits = json::object();
      if (spec.resources.memory_bytes) limits["memory"] = {{"limit", *spec.resources.memory_bytes}};
      if (spec.resources.cpus) {
        limits["cpu"] = {{"quota", std::llround(*spec.resources.cpus * 100000)},
                         {"period", 100000}};
      }
      if (spec.resources.pids) limits["pids"] = {{"limit", *spec.resources.pids}};
      if (!limits.empty()) body["resource_limits"] = limits;
      // As the CLI's --security-opt seccomp=unconfined sets it.
      if (unconfined) body["seccomp_profile_path"] = "unconfined";
      FL_ASSIGN_OR_RETURN(std::string answer,
                          Api(*node, "POST", "/containers/create", body.dump(), {201}, timeout));
      full_id = json::parse(answer, nullptr, false).value("Id", "");
      container->set_full_id(full_id);
      if (start) {
        return Api(*node, "POST", "/containers/" + spec.id + "/start", "", {204}, timeout).status();
      }
      return OkStatus();
    }
    std::vector<std::string> args = {start ? "run" : "create",
                                     "--name",
                                     spec.id,
                                     "--network",
                                     "host",
                                     "--cgroup-parent",
                                     "/" + node->containers_cgroup(),
                                     "--runtime",
                                     config_.runtime,
                                     "--label",
                                     "faultline.run=" + config_.run_id};
    if (start) args.push_back("--detach");
    if (unconfined) args.insert(args.end(), {"--security-opt", "seccomp=unconfined"});
    if (spec.resources.memory_bytes) {
      args.insert(args.end(), {"--memory", std::to_string(*spec.resources.memory_bytes)});
    }
    if (spec.resources.cpus) {
      args.insert(args.end(), {"--cpus", std::to_string(*spec.resources.cpus)});
    }
    if (spec.resources.pids) {
      args.insert(args.end(), {"--pids-limit", std::to_string(*spec.resources.pids)});
    }
    args.push_back(image_);
    args.insert(args.end(), spec.command.begin(), spec.command.end());
    FL_ASSIGN_OR_RETURN(std::string out, Cli(*node, std::move(args), timeout));
    container->set_full_id(out.substr(0, out.find('\n')));
    return OkStatus();
  });
  created.container = std::move(container);
  return created;
}

Created PodmanDriver::Create(const ContainerSpec& spec, Nanos timeout) {
  return Make(spec, false, timeout);
}

Created PodmanDriver::Run(const ContainerSpec& spec, Nanos timeout) {
  return Make(spec, true, timeout);
}

}  // namespace faultline::drivers::podman
