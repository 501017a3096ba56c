// cgroup hierarchies (v1, v2 and hybrid): where they are mounted, creating and removing
// faultline's subtrees, reading memory use.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline {

enum class CgroupMode { kV1, kV2, kHybrid, kNone };
const char* CgroupModeName(CgroupMode mode);

// Decided from /sys/fs/cgroup: a cgroup2 mount is v2; a tmpfs of v1 controllers is v1, plus a
// cgroup2 mount at /sys/fs/cgroup/unified makes it hybrid.
CgroupMode DetectCgroupMode();

// Mount points of every cgroup hierarchy visible to this process (v1 controllers and cgroup2).
std::vector<std::string> CgroupHierarchies();

// The directory where memory accounting for REL lives: the v1 memory hierarchy when mounted,
// else the cgroup2 mount. Empty when neither.
std::string MemoryCgroupDir(const std::string& rel);

struct CgroupMemory {
  std::uint64_t usage_bytes = 0;     // v1 memory.usage_in_bytes, v2 memory.current
  std::uint64_t resident_bytes = 0;  // v1 total_rss + total_mapped_file, v2 anon + file_mapped
};
Result<CgroupMemory> ReadCgroupMemory(const std::string& rel);

// The cgroup2 mount: /sys/fs/cgroup on v2, its "unified" mount on hybrid hosts; empty on v1.
std::string Cgroup2Root();

// Stall time of one resource in a cgroup since it was made (PSI, `<resource>.pressure`): how
// long some of its tasks (or all of them at once: full) waited for the resource.
struct PressureTotals {
  std::uint64_t some_us = 0;
  std::optional<std::uint64_t> full_us;  // absent where the kernel keeps no "full" line
  bool operator==(const PressureTotals&) const = default;
};
// The totals of a PSI file's text ("some avg10=... total=N\nfull ..."); InvalidArgument
// without a "some" total.
Result<PressureTotals> ParsePressure(const std::string& text);
// cpu, memory and io pressure of REL in the cgroup2 hierarchy, by resource ("cpu"); NotFound
// where that hierarchy or PSI is missing (a kernel without CONFIG_PSI, or booted psi=0).
Result<std::map<std::string, PressureTotals>> ReadCgroupPressure(const std::string& rel);

// The process of REL's own cgroup (not its children's) that started first: a container's init
// when REL is the container's cgroup; 0 when it holds none.
pid_t FirstProcessIn(const std::string& rel);

// The proportional set size (PSS) of every process in REL's subtree, from
// /proc/PID/smaps_rollup: each shared page counted once across the processes that map it (a
// daemon's and its shims' shared libraries count once, not per process). Processes that exit
// while it reads are skipped, and so are EXCEPT (processes that are not the platform's).
Result<std::uint64_t> CgroupPssBytes(const std::string& rel, const std::vector<pid_t>& except = {});
// The "Pss:" line of an smaps_rollup text, in bytes (0 without one).
std::uint64_t PssOfRollup(const std::string& smaps_rollup);

// Kills every process in REL's subtree in every hierarchy, then removes the directories
// bottom-up. Missing directories are fine (idempotent, for recover).
Status RemoveCgroupTree(const std::string& rel);

// SIGKILLs every process in REL's subtree in every hierarchy and waits until none is left, for
// cgroups another manager removes (systemd's slices). Missing directories are fine.
Status KillCgroupTree(const std::string& rel);

// Removes the "faultline" parent shared by all runs from every hierarchy, where it is empty.
void RemoveFaultlineCgroupIfEmpty();

// True when REL exists in any hierarchy.
bool CgroupExists(const std::string& rel);

// After DIR was made below PARENT_DIR in the same hierarchy: a v1 cpuset starts with no CPUs
// and no memory nodes and refuses tasks, so it gets its parent's. Nothing to do elsewhere: in
// cgroup2 an empty cpuset.cpus means the parent's (and its root has none to copy).
Status InheritV1Cpuset(const std::string& parent_dir, const std::string& dir);

}  // namespace faultline
