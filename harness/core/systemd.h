// systemd as the cgroup manager, for nodes under the systemd cgroup driver: each node is a
// transient slice started over D-Bus (sd-bus), so the runtimes' scopes (runc and crun with
// --systemd-cgroup) sit in a unit systemd knows, and the node's limits are the slice's
// properties. Only units faultline names are ever started or stopped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "harness/core/result.h"

namespace faultline {

// Whether systemd is PID 1 (what sd_booted() checks).
bool SystemdIsInit();

// NAME as one component of a unit name: every character outside [A-Za-z0-9:_.] as \xNN, as
// systemd-escape does ("node-1" -> "node\x2d1": a '-' in a slice's name means nesting).
std::string EscapeUnitNamePart(const std::string& name);

// The top-level slice of everything owner ID (a run or a standing cluster) puts under systemd:
// "faultline_<id>.slice". Its cgroup directory at the cgroup root has the same name.
std::string OwnerSliceName(const std::string& id);

// The cgroup of slice UNIT, relative to the cgroup root: each '-' of its name opens a parent
// slice ("a-b.slice" -> "a.slice/a-b.slice"). Empty when UNIT is not a well-formed slice name.
std::string SliceCgroupPath(const std::string& unit);

struct SliceProperties {
  std::string description;
  std::optional<double> cpus;                 // CPUQuota, in CPUs
  std::optional<std::uint64_t> memory_bytes;  // MemoryMax
};

// Starts transient slice UNIT (its parent slices follow from its name) and waits until it is
// active with its cgroup made. Returns that cgroup, relative to the cgroup root.
Result<std::string> StartTransientSlice(const std::string& unit, const SliceProperties& properties);

// Kills every process in UNIT's cgroup subtree (a container's init ignores SIGTERM, which
// would hold a stop for systemd's 90 s stop timeout), stops UNIT and waits until systemd has
// let it go. A unit systemd does not know is fine (idempotent, for recover).
Status StopSlice(const std::string& unit);

}  // namespace faultline
