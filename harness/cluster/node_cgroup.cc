#include "harness/cluster/node_cgroup.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "harness/core/files.h"
#include "harness/core/systemd.h"

namespace faultline::cluster {
namespace {

std::string Quota(double cpus) {
  return std::to_string(std::llround(cpus * kCpuPeriodUs));
}

// The hierarchy root holding FILE at its top (v1 controllers), or empty.
std::string HierarchyWith(const std::string& file) {
  for (const auto& root : CgroupHierarchies()) {
    if (PathExists(root + "/" + file)) return root;
  }
  return "";
}

std::string V2Root() {
  for (const auto& root : CgroupHierarchies()) {
    if (PathExists(root + "/cgroup.controllers")) return root;
  }
  return "";
}

Status Write(const CgroupWrite& write) {
  return WriteControlFile(write.path, write.value);
}

// mkdir -p ROOT/REL; new v1 cpuset levels copy cpus and mems from their parent.
Status MakeCgroupDirs(const std::string& root, const std::string& rel) {
  std::string dir = root;
  std::size_t from = 0;
  while (from <= rel.size()) {
    const std::size_t slash = rel.find('/', from);
    const std::string part = rel.substr(from, slash == std::string::npos ? slash : slash - from);
    from = slash == std::string::npos ? rel.size() + 1 : slash + 1;
    if (part.empty()) continue;
    const std::string parent = dir;
    dir += "/" + part;
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoError("cannot create cgroup " + dir, errno);
    }
    FL_RETURN_IF_ERROR(InheritV1Cpuset(parent, dir));
  }
  return OkStatus();
}

std::optional<std::uint64_t> ReadUnsigned(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok() || text->empty() || !std::isdigit(static_cast<unsigned char>((*text)[0]))) {
    return std::nullopt;
  }
  return std::strtoull(text->c_str(), nullptr, 10);
}

}  // namespace

std::vector<CgroupWrite> V1LimitWrites(const std::string& cpu_root, const std::string& memory_root,
                                       const std::string& rel, const NodeLimits& limits) {
  std::vector<CgroupWrite> writes;
  if (limits.cpus) {
    const std::string dir = cpu_root + "/" + rel;
    writes.push_back({dir + "/cpu.cfs_period_us", std::to_string(kCpuPeriodUs)});
    writes.push_back({dir + "/cpu.cfs_quota_us", Quota(*limits.cpus)});
  }
  if (limits.memory_bytes) {
    writes.push_back(
        {memory_root + "/" + rel + "/memory.limit_in_bytes", std::to_string(*limits.memory_bytes)});
  }
  return writes;
}

std::vector<CgroupWrite> V2LimitWrites(const std::string& root, const std::string& rel,
                                       const NodeLimits& limits) {
  std::vector<CgroupWrite> writes;
  // Always, limits or not: a node's cpu and memory accounting (memory.current, memory.stat,
  // cpu.stat's throttling) exists from its creation, not only once a runtime enables them.
  const std::string controllers = "+cpu +memory";
  // Each ancestor must hand the controllers down to its children.
  std::string dir = root;
  writes.push_back({dir + "/cgroup.subtree_control", controllers});
  for (std::size_t slash = rel.find('/'); slash != std::string::npos;
       slash = rel.find('/', slash + 1)) {
    writes.push_back({root + "/" + rel.substr(0, slash) + "/cgroup.subtree_control", controllers});
  }
  if (limits.cpus) {
    writes.push_back(
        {root + "/" + rel + "/cpu.max", Quota(*limits.cpus) + " " + std::to_string(kCpuPeriodUs)});
  }
  if (limits.memory_bytes) {
    writes.push_back({root + "/" + rel + "/memory.max", std::to_string(*limits.memory_bytes)});
  }
  return writes;
}

Status CreateNodeCgroup(const std::string& rel, const NodeLimits& limits, CgroupMode mode) {
  for (const auto& root : CgroupHierarchies()) FL_RETURN_IF_ERROR(MakeCgroupDirs(root, rel));
  std::vector<CgroupWrite> writes;
  if (mode == CgroupMode::kV2) {
    const std::string root = V2Root();
    if (root.empty()) return FailedPrecondition("no cgroup2 hierarchy mounted");
    writes = V2LimitWrites(root, rel, limits);
  } else {
    const std::string cpu = HierarchyWith("cpu.cfs_quota_us");
    const std::string memory = HierarchyWith("memory.limit_in_bytes");
    if (limits.cpus && cpu.empty()) return FailedPrecondition("no v1 cpu controller mounted");
    if (limits.memory_bytes && memory.empty()) {
      return FailedPrecondition("no v1 memory controller mounted");
    }
    writes = V1LimitWrites(cpu, memory, rel, limits);
  }
  for (const auto& write : writes) {
    if (Status written = Write(write); !written.ok()) {
      return std::move(written).error().With("limiting node cgroup " + rel);
    }
  }
  return OkStatus();
}

Result<std::string> CreateNodeSlice(const std::string& unit, const std::string& description,
                                    const NodeLimits& limits) {
  return StartTransientSlice(unit, {description, limits.cpus, limits.memory_bytes});
}

Status JoinCgroup(const std::string& rel, pid_t pid) {
  for (const auto& root : CgroupHierarchies()) {
    const std::string procs = root + "/" + rel + "/cgroup.procs";
    if (!PathExists(procs)) continue;
    FL_RETURN_IF_ERROR(WriteControlFile(procs, std::to_string(pid)));
  }
  return OkStatus();
}

Status EnterNode(const std::string& netns, const std::string& rel) {
  FL_RETURN_IF_ERROR(CreateNodeCgroup(rel, {}, DetectCgroupMode()));
  FL_RETURN_IF_ERROR(JoinCgroup(rel, getpid()));
  if (netns.empty()) return OkStatus();  // a node of the local cluster: the host's network
  const int fd = open(netns.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open network namespace " + netns, errno);
  const int joined = setns(fd, CLONE_NEWNET);
  const int error = errno;
  close(fd);
  if (joined != 0) return ErrnoError("cannot enter network namespace " + netns, error);
  return OkStatus();
}

NodeLimits ReadNodeLimits(const std::string& rel) {
  NodeLimits limits;
  if (const std::string cpu = HierarchyWith("cpu.cfs_quota_us"); !cpu.empty()) {
    auto quota = ReadFile(cpu + "/" + rel + "/cpu.cfs_quota_us");
    auto period = ReadUnsigned(cpu + "/" + rel + "/cpu.cfs_period_us");
    if (quota.ok() && period && *period > 0 && std::atol(quota->c_str()) > 0) {
      limits.cpus = static_cast<double>(std::atol(quota->c_str())) / static_cast<double>(*period);
    }
    if (const std::string memory = HierarchyWith("memory.limit_in_bytes"); !memory.empty()) {
      auto bytes = ReadUnsigned(memory + "/" + rel + "/memory.limit_in_bytes");
      // v1 reports "no limit" as a huge page-aligned number.
      if (bytes && *bytes < (std::uint64_t{1} << 62)) limits.memory_bytes = bytes;
    }
    return limits;
  }
  if (const std::string root = V2Root(); !root.empty()) {
    auto max = ReadFile(root + "/" + rel + "/cpu.max");
    if (max.ok() && max->rfind("max", 0) != 0) {
      const double quota = std::atof(max->c_str());
      const double period = std::atof(max->c_str() + max->find(' '));
      if (period > 0) limits.cpus = quota / period;
    }
    limits.memory_bytes = ReadUnsigned(root + "/" + rel + "/memory.max");
  }
  return limits;
}

}  // namespace faultline::cluster
