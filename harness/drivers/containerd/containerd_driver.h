// Driver for containerd through its native API: every node runs a private containerd, and
// containers are made the way containerd's own client makes them, in faultline's namespace:
// lease -> snapshot prepare (on the imported image's unpacked layer) -> container create with
// the OCI spec -> lease delete -> task create (the shim runs the runtime's create) -> task start.
// The runtime is runc or crun behind the runc shim (its BinaryName option). Containers join the
// node's network namespace, as the oci driver's do.
#pragma once

#include <memory>
#include <string>

#include "harness/core/journal.h"
#include "harness/drivers/containerd/containerd_node.h"
#include "harness/drivers/daemon/node_platforms.h"
#include "harness/drivers/driver.h"
#include "harness/drivers/oci/security.h"

namespace faultline::drivers::containerd {

struct ContainerdDriverConfig {
  std::string target;   // its name
  std::string runtime;  // "runc" (default) | "crun"
  std::string run_id;
  std::string run_dir;
  Journal* journal = nullptr;
  std::string self_exe;
  std::string runtime_path;         // the runtime's binary, behind the shim; empty: found in PATH
  scenario::DaemonSettings daemon;  // containerd's binary and extra flags
  std::vector<std::string> env;     // NAME=VALUE for containerd (and so its shims and runtime)
  oci::ContainerSecurity security;  // the containers' confinement, in the spec faultline writes
};

// containerd's version and digest (the binary at PATH, else found in PATH), as doctor and the
// result report them.
Result<RuntimeInfo> ProbeContainerd(const std::string& path = "");

class ContainerdDriver : public Driver {
 public:
  static Result<std::unique_ptr<ContainerdDriver>> Open(ContainerdDriverConfig config);

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
  std::map<std::string, std::map<std::string, std::int64_t>> PlatformStamps() const override;

  // The containerd serving NODE (null when not started).
  ContainerdNode* Node(const std::string& node) { return nodes_.Find(node); }

 private:
  ContainerdDriver(ContainerdDriverConfig config, RuntimeInfo info, RuntimeInfo oci_runtime);
  Created Make(const ContainerSpec& spec, bool start, Nanos timeout);

  ContainerdDriverConfig config_;
  RuntimeInfo info_;
  RuntimeInfo oci_runtime_;  // behind the shim
  NodePlatforms<ContainerdNode> nodes_;
  std::string image_;     // the imported image's reference
  std::string archive_;   // the image archive, written once, imported into every node
  std::string chain_id_;  // its unpacked snapshot: every container's parent
};

}  // namespace faultline::drivers::containerd
