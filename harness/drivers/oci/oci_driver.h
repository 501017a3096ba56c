// Driver for bare OCI runtimes (runc, crun): each container is a bundle whose rootfs is an
// overlay of a private upper layer over the shared image, so a start never copies the rootfs.
#pragma once

#include <memory>
#include <string>

#include "harness/core/journal.h"
#include "harness/drivers/driver.h"
#include "harness/drivers/oci/security.h"

namespace faultline::drivers::oci {

// The journal record of one container: {runtime, runtime_argv, env, id, rootfs, dir}.
inline constexpr const char* kContainerRecord = "container";

struct OciDriverConfig {
  std::string runtime;        // "runc" | "crun"
  std::string run_dir;        // the run's state directory; bundles and runtime state go below
  std::string cgroup_parent;  // relative cgroup under which each container gets its own
  Journal* journal = nullptr;
  std::string runtime_path;               // the runtime's binary; empty: looked up in PATH
  std::vector<std::string> runtime_args;  // global options before every command
  std::vector<std::string> env;           // NAME=VALUE for every runtime call
  ContainerSecurity security;             // LoadContainerSecurity of the target's security
  // The runtime's systemd cgroup manager: each container a scope in its node's slice (the
  // cgroup parent then being a slice's cgroup).
  bool systemd_cgroup = false;
};

// The runtime's binary (PATH when given, else RUNTIME looked up in PATH), its version and
// digest.
Result<RuntimeInfo> ProbeOciRuntime(const std::string& runtime, const std::string& path = "");

class OciDriver : public Driver {
 public:
  static Result<std::unique_ptr<OciDriver>> Open(OciDriverConfig config);

  const RuntimeInfo& runtime() const override { return info_; }
  // Daemonless: the controller forks the runtime for every operation.
  Status StartPlatform(const PlatformNode&) override { return OkStatus(); }
  Status StopPlatform(const PlatformNode&) override { return OkStatus(); }
  // The image's rootfs becomes the shared lower layer of every container's overlay.
  Result<std::string> ImportImage(const PlatformNode& node, const ImageSource& image) override;
  ProbeScope Probes() const override;
  Created Create(const ContainerSpec& spec, Nanos timeout) override;
  Created Run(const ContainerSpec& spec, Nanos timeout) override;
  Result<std::uint64_t> ResidentOverheadBytes() override { return std::uint64_t{0}; }

  // The runtime invocation prefix: binary, the target's global options, its private state root.
  std::vector<std::string> RuntimeArgv() const;
  const OciDriverConfig& config() const { return config_; }
  const std::string& lower_rootfs() const { return lower_rootfs_; }

 private:
  OciDriver(OciDriverConfig config, RuntimeInfo info, std::string state_root);
  Created CreateWith(const char* verb, const ContainerSpec& spec, Nanos timeout);

  OciDriverConfig config_;
  RuntimeInfo info_;
  std::string state_root_;
  std::string lower_rootfs_;  // set by ImportImage
};

}  // namespace faultline::drivers::oci
