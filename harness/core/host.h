// What this host is and can do, detected at run time (never assumed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "harness/core/cgroup.h"
#include "harness/core/result.h"

namespace faultline {

struct HostInfo {
  std::string hostname;
  std::string kernel;  // uname -r
  std::string cpu_model;
  int cpu_count = 0;
  double cpu_mhz = 0;  // the first CPU's "cpu MHz" in /proc/cpuinfo; 0 when it has none
  // Whether a CPU's frequency may change under load: a cpufreq governor other than
  // "performance" (false where the kernel exposes no cpufreq, as in most virtual machines).
  bool cpu_scaling = false;
  std::uint64_t memory_bytes = 0;
  double load_average_1m = 0;
  // Share of the last 10 s in which some task waited for a CPU (PSI), when the kernel has PSI:
  // unlike the load average it does not lag a minute behind a build that just finished.
  std::optional<double> cpu_pressure_10s_percent;
  CgroupMode cgroup_mode = CgroupMode::kNone;
  bool is_root = false;
  bool has_btf = false;      // /sys/kernel/btf/vmlinux
  bool has_netns = false;    // /proc/self/ns/net
  bool has_overlay = false;  // "overlay" in /proc/filesystems
};

HostInfo ProbeHost();

// The load part of ProbeHost alone (cheap: two small /proc reads), for sampling during a run.
struct HostLoad {
  double load_average_1m = 0;
  std::optional<double> cpu_pressure_10s_percent;
};
HostLoad ReadHostLoad();

// For runtimes that refuse hybrid cgroups (crun): moves this process into a private mount
// namespace (slave propagation, so host mounts still appear) and unmounts the near-empty
// cgroup2 hierarchy there, leaving a pure v1 view for every program started afterwards.
// Must be called while the process is single-threaded. Mounts made afterwards stay private
// and vanish with the process.
Status EnterPrivateV1CgroupView();

// After EnterPrivateV1CgroupView: a path naming the host's mount namespace (held open by this
// process), for programs whose mounts must be visible outside, e.g. `ip netns add` (via
// nsenter --mount=PATH). Empty when this process never left the host's mount namespace.
const std::string& HostMountNamespacePath();

}  // namespace faultline
