// A directory of the host that platforms' private mount namespaces cover: /run/containerd
// (where containerd puts its shims' sockets whatever its configuration says),
// /var/lib/containers (Podman's) and /var/lib/cni (the CNI plugins' results and address leases,
// for the cri driver's pods). A bind mount needs its mount point to exist; when it does
// not, the first platform of the run makes it (journaled first) and the last one to let go
// removes it, so nodes that start and stop at different times share one.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/core/journal.h"
#include "harness/core/result.h"

namespace faultline::drivers {

inline constexpr const char* kRunContainerd = "/run/containerd";
inline constexpr const char* kVarLibContainers = "/var/lib/containers";
inline constexpr const char* kVarLibCni = "/var/lib/cni";

// The journal record of a mount point this run made: {path}.
inline constexpr const char* kHostMountPointRecord = "host_mount_point";

class HostMountPoint {
 public:
  // Uses PATH as a mount point, making it (mode 0700, journaled in JOURNAL) when it is missing.
  // The journal of the first user holds the record until the last user lets go.
  static Result<HostMountPoint> Acquire(const std::string& path, Journal* journal);

  HostMountPoint() = default;
  ~HostMountPoint() { Release(); }
  HostMountPoint(HostMountPoint&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  HostMountPoint& operator=(HostMountPoint&& other) noexcept;
  HostMountPoint(const HostMountPoint&) = delete;
  HostMountPoint& operator=(const HostMountPoint&) = delete;

  // Lets go; the last user removes the directory when this run made it and it is empty (what
  // another program put there since stays). Idempotent.
  void Release();

 private:
  explicit HostMountPoint(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// `recover`: removes the recorded mount point when it is one of the three above and empty.
Status UndoHostMountPoint(const nlohmann::json& data);

}  // namespace faultline::drivers
