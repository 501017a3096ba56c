// A node's cgroup parent: created in every hierarchy, with its CPU and memory limits. Limits
// are plain file writes, computed apart from applying them so both cgroup versions are tested
// on the path/value level wherever the tests run.
#pragma once

#include <string>
#include <vector>

#include "harness/cluster/cluster.h"
#include "harness/core/cgroup.h"
#include "harness/core/result.h"

namespace faultline::cluster {

inline constexpr long kCpuPeriodUs = 100'000;

struct CgroupWrite {
  std::string path;
  std::string value;
  bool operator==(const CgroupWrite&) const = default;
};

// cgroup v1: cpu.cfs_period_us, cpu.cfs_quota_us under CPU_ROOT/REL; memory.limit_in_bytes
// under MEMORY_ROOT/REL.
std::vector<CgroupWrite> V1LimitWrites(const std::string& cpu_root, const std::string& memory_root,
                                       const std::string& rel, const NodeLimits& limits);
// cgroup v2: the cpu and memory controllers enabled down to REL's parent (cgroup.subtree_control
// of ROOT and each ancestor), with or without limits, then cpu.max ("QUOTA PERIOD") and
// memory.max under ROOT/REL.
std::vector<CgroupWrite> V2LimitWrites(const std::string& root, const std::string& rel,
                                       const NodeLimits& limits);

// Creates REL in every mounted hierarchy (cpusets inherit their parent's CPUs and memory
// nodes, so processes can join) and applies LIMITS for MODE. Nothing is journaled here: the
// caller journals REL first.
Status CreateNodeCgroup(const std::string& rel, const NodeLimits& limits, CgroupMode mode);

// Starts transient slice UNIT (described by DESCRIPTION) with LIMITS as its properties, for a
// node under the systemd cgroup driver; returns its cgroup. The caller journals UNIT first.
Result<std::string> CreateNodeSlice(const std::string& unit, const std::string& description,
                                    const NodeLimits& limits);

// Moves PID into REL in every hierarchy where REL exists.
Status JoinCgroup(const std::string& rel, pid_t pid);

// Moves this process into node cgroup REL (created if needed) and its network namespace at
// NETNS (empty: stays in the host's), for helpers that must live inside a node. Call before
// starting any thread.
Status EnterNode(const std::string& netns, const std::string& rel);

// The limits in effect on REL, read back from the files (for status and tests).
NodeLimits ReadNodeLimits(const std::string& rel);

}  // namespace faultline::cluster
