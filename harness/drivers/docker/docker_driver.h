// Driver for Docker Engine: every node runs a private dockerd (with its own containerd), and
// containers are made through the Engine API on that node's socket. Containers use the node's
// network namespace (NetworkMode host inside the node), so they reach each other over the node
// addresses in 198.18.0.0/15, as runc and crun containers of the oci driver do.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "harness/drivers/daemon/node_platforms.h"
#include "harness/drivers/docker/docker_endpoint.h"
#include "harness/drivers/docker/docker_node.h"
#include "harness/drivers/registry.h"

namespace faultline::drivers::docker {

struct DockerDriverConfig {
  std::string target;   // its name
  std::string runtime;  // "runc" (default) | "crun"
  bool live_restore = false;
  std::string endpoint;  // an existing daemon's socket path: no private one is started
  std::string run_id;
  std::string run_dir;
  Journal* journal = nullptr;
  std::string self_exe;
  std::string runtime_path;               // the runtime's binary; empty: found in PATH
  std::vector<std::string> runtime_args;  // its global options
  scenario::DaemonSettings daemon;        // dockerd's binary, extra flags, daemon.json keys
  std::vector<std::string> env;           // NAME=VALUE for dockerd and its containerd
  scenario::Security security = scenario::Security::kDefault;
};

// dockerd's version and digest (the binary at PATH, else found in PATH), as doctor and the
// result report them.
Result<RuntimeInfo> ProbeDockerd(const std::string& path = "");

class DockerDriver : public Driver {
 public:
  static Result<std::unique_ptr<DockerDriver>> Open(DockerDriverConfig config);

  const RuntimeInfo& runtime() const override { return info_; }
  std::vector<RuntimeInfo> components() const override;
  Status StartPlatform(const PlatformNode& node) override;
  Status StopPlatform(const PlatformNode& node) override;
  Result<std::string> ImportImage(const PlatformNode& node, const ImageSource& image) override;
  ProbeScope Probes() const override;
  Created Create(const ContainerSpec& spec, Nanos timeout) override;
  Created Run(const ContainerSpec& spec, Nanos timeout) override;
  Result<std::uint64_t> ResidentOverheadBytes() override { return nodes_.ResidentBytes(); }
  chaos::PlatformDaemon* Daemon(const std::string& node) override { return nodes_.Daemon(node); }

  // The platform serving NODE (null when not started).
  DockerPlatform* Node(const std::string& node) { return nodes_.Find(node); }

 private:
  DockerDriver(DockerDriverConfig config, RuntimeInfo info, RuntimeInfo oci_runtime);
  EngineRuntime engine_runtime() const;
  Created Make(const ContainerSpec& spec, bool start, Nanos timeout);

  DockerDriverConfig config_;
  RuntimeInfo info_;
  RuntimeInfo oci_runtime_;   // behind the shim; empty with an endpoint (the daemon's business)
  std::string runtime_name_;  // what each create names as HostConfig.Runtime, fixed at Open
  NodePlatforms<DockerPlatform> nodes_;
  std::string image_;    // the loaded image's reference
  std::string archive_;  // the image archive, written once, loaded into every node
};

}  // namespace faultline::drivers::docker
