// One node's Docker Engine as the docker driver uses it: a private one faultline started
// (DockerNode) or an existing one named by `endpoint:` (DockerEndpoint).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "harness/core/result.h"
#include "harness/drivers/docker/engine_api.h"

namespace faultline::drivers::docker {

class DockerPlatform {
 public:
  virtual ~DockerPlatform() = default;
  virtual EngineApi& api() = 0;
  // Loads the image archive at PATH, which loads under REFERENCE.
  virtual Status LoadImage(const std::string& path, const std::string& reference) = 0;
  // HostConfig.CgroupParent for its containers; empty: the daemon's --cgroup-parent.
  virtual std::string cgroup_parent() const = 0;
  // The relative host cgroup of the container whose full id is FULL_ID.
  virtual std::string ContainerCgroup(const std::string& full_id) const = 0;
  // When the container NAME died, as dockerd stamped its "die" event (CLOCK_BOOTTIME ns),
  // waiting up to TIMEOUT; DeadlineExceeded, or Cancelled once CANCEL is set.
  virtual Result<std::int64_t> WaitDied(const std::string& name, Nanos timeout,
                                        const std::atomic<bool>* cancel) = 0;
  // Where the eBPF sessions begin (the node's containerd); 0 when faultline does not know it.
  virtual pid_t containerd_pid() const = 0;
  // PSS of the platform's processes in bytes; an error when faultline cannot attribute them.
  virtual Result<std::uint64_t> ResidentBytes() const = 0;
  // Removes what faultline made on it (and stops what faultline started). Idempotent.
  virtual Status Stop() = 0;
};

}  // namespace faultline::drivers::docker
