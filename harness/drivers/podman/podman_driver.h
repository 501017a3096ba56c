// Driver for Podman: per node its own store and configuration, driven either through the
// libpod REST API of `podman system service` (via: service) or one `podman` command per
// operation (via: cli, the daemonless model as its users run it). Containers use the node's
// network namespace (--network host inside the node). Exits are read from Podman's own events
// file ("died", stamped by Podman), not by polling.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "harness/drivers/daemon/node_platforms.h"
#include "harness/drivers/podman/podman_node.h"
#include "harness/drivers/registry.h"

namespace faultline::drivers::podman {

struct PodmanDriverConfig {
  std::string target;
  std::string runtime;  // "crun" (default) | "runc"
  bool service = true;  // via: service | cli
  std::string run_id;
  std::string run_dir;
  Journal* journal = nullptr;
  std::string self_exe;
  std::string runtime_path;               // the runtime's binary; empty: Podman's own search
  std::vector<std::string> runtime_args;  // its global options
  scenario::DaemonSettings daemon;        // podman's binary and extra global flags
  std::vector<std::string> env;           // NAME=VALUE for every podman process
  scenario::Security security = scenario::Security::kDefault;
};

// podman's version and digest (the binary at PATH, else found in PATH).
Result<RuntimeInfo> ProbePodman(const std::string& path = "");

class PodmanDriver : public Driver {
 public:
  static Result<std::unique_ptr<PodmanDriver>> Open(PodmanDriverConfig config);

  const RuntimeInfo& runtime() const override { return info_; }
  std::vector<RuntimeInfo> components() const override { return {info_, oci_runtime_}; }
  Status StartPlatform(const PlatformNode& node) override;
  Status StopPlatform(const PlatformNode& node) override;
  Result<std::string> ImportImage(const PlatformNode& node, const ImageSource& image) override;
  ProbeScope Probes() const override;
  Created Create(const ContainerSpec& spec, Nanos timeout) override;
  Created Run(const ContainerSpec& spec, Nanos timeout) override;
  Result<std::uint64_t> ResidentOverheadBytes() override { return nodes_.ResidentBytes(); }
  chaos::PlatformDaemon* Daemon(const std::string& node) override { return nodes_.Daemon(node); }

  PodmanNode* Node(const std::string& node) { return nodes_.Find(node); }

 private:
  PodmanDriver(PodmanDriverConfig config, RuntimeInfo info, RuntimeInfo oci_runtime);
  Created Make(const ContainerSpec& spec, bool start, Nanos timeout);

  PodmanDriverConfig config_;
  RuntimeInfo info_;
  RuntimeInfo oci_runtime_;
  NodePlatforms<PodmanNode> nodes_;
  std::string image_;
  std::string archive_;
};

}  // namespace faultline::drivers::podman
