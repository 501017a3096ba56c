#include "harness/core/cgroup.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/core/files.h"
#include "harness/core/process.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

namespace faultline {

const char* CgroupModeName(CgroupMode mode) {
  switch (mode) {
    case CgroupMode::kV1: return "v1";
    case CgroupMode::kV2: return "v2";
    case CgroupMode::kHybrid: return "hybrid";
    case CgroupMode::kNone: return "none";
  }
  return "none";
}

CgroupMode DetectCgroupMode() {
  struct statfs fs {};
  if (statfs("/sys/fs/cgroup", &fs) != 0) return CgroupMode::kNone;
  if (fs.f_type == CGROUP2_SUPER_MAGIC) return CgroupMode::kV2;
  if (fs.f_type != TMPFS_MAGIC) return CgroupMode::kNone;
  struct statfs unified {};
  if (statfs("/sys/fs/cgroup/unified", &unified) == 0 && unified.f_type == CGROUP2_SUPER_MAGIC) {
    return CgroupMode::kHybrid;
  }
  return CgroupMode::kV1;
}

std::vector<std::string> CgroupHierarchies() {
  std::vector<std::string> roots;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    // Fields: id parent major:minor root mountpoint options ... - fstype source superopts
    std::istringstream fields(line);
    std::string id, parent, devno, root, mountpoint;
    fields >> id >> parent >> devno >> root >> mountpoint;
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype;
    tail >> fstype;
    if (fstype == "cgroup" || fstype == "cgroup2") roots.push_back(mountpoint);
  }
  return roots;
}

std::string MemoryCgroupDir(const std::string& rel) {
  // Looked up once: the mount table grows with every container's rootfs, and density ramps read
  // memory for every container at every ramp step.
  static const std::string root = [] {
    std::string v2;
    for (const auto& hierarchy : CgroupHierarchies()) {
      if (PathExists(hierarchy + "/memory.usage_in_bytes")) return hierarchy;  // v1 memory
      auto controllers = ReadFile(hierarchy + "/cgroup.controllers");
      if (controllers.ok() && controllers->find("memory") != std::string::npos) v2 = hierarchy;
    }
    return v2;
  }();
  return root.empty() ? "" : root + "/" + rel;
}

std::string Cgroup2Root() {
  static const std::string root = [] {
    for (const auto& hierarchy : CgroupHierarchies()) {
      // Only a cgroup2 root lists its controllers.
      if (PathExists(hierarchy + "/cgroup.controllers")) return hierarchy;
    }
    return std::string();
  }();
  return root;
}

Result<PressureTotals> ParsePressure(const std::string& text) {
  PressureTotals totals;
  bool some = false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto at = line.find(" total=");
    if (at == std::string::npos) continue;
    const std::uint64_t total = std::strtoull(line.c_str() + at + 7, nullptr, 10);
    if (line.rfind("some ", 0) == 0) {
      totals.some_us = total;
      some = true;
    } else if (line.rfind("full ", 0) == 0) {
      totals.full_us = total;
    }
  }
  if (!some) return InvalidArgument("no \"some ... total=\" line in '" + text + "'");
  return totals;
}

Result<std::map<std::string, PressureTotals>> ReadCgroupPressure(const std::string& rel) {
  const std::string root = Cgroup2Root();
  if (root.empty()) return NotFound("no cgroup2 hierarchy: no pressure stall information");
  std::map<std::string, PressureTotals> pressure;
  for (const char* resource : {"cpu", "memory", "io"}) {
    const std::string path = root + "/" + rel + "/" + resource + ".pressure";
    auto text = ReadFile(path);
    if (!text.ok()) return NotFound("no " + path + " (a kernel without PSI, or booted psi=0)");
    FL_ASSIGN_OR_RETURN(pressure[resource], ParsePressure(*text));
  }
  return pressure;
}

namespace {

std::uint64_t StatField(const std::string& stat, const std::string& key) {
  std::istringstream lines(stat);
  std::string name;
  std::uint64_t value = 0;
  while (lines >> name >> value) {
    if (name == key) return value;
  }
  return 0;
}

std::uint64_t ReadNumber(const std::string& path) {
  auto text = ReadFile(path);
  return text.ok() ? std::strtoull(text->c_str(), nullptr, 10) : 0;
}

// Depth-first list of REL's directory tree under ROOT, deepest first.
void CollectTree(const std::string& dir, std::vector<std::string>& out) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  while (dirent* entry = readdir(d)) {
    if (entry->d_type != DT_DIR || entry->d_name[0] == '.') continue;
    CollectTree(dir + "/" + entry->d_name, out);
  }
  closedir(d);
  out.push_back(dir);
}

bool KillProcsIn(const std::string& dir) {
  auto procs = ReadFile(dir + "/cgroup.procs");
  if (!procs.ok()) return false;
  std::istringstream pids(*procs);
  pid_t pid;
  bool any = false;
  while (pids >> pid) {
    kill(pid, SIGKILL);
    any = true;
  }
  return any;
}

}  // namespace

Result<CgroupMemory> ReadCgroupMemory(const std::string& rel) {
  const std::string dir = MemoryCgroupDir(rel);
  if (dir.empty()) return FailedPrecondition("no memory cgroup controller mounted");
  CgroupMemory mem;
  if (PathExists(dir + "/memory.usage_in_bytes")) {
    FL_ASSIGN_OR_RETURN(std::string stat, ReadFile(dir + "/memory.stat"));
    mem.usage_bytes = ReadNumber(dir + "/memory.usage_in_bytes");
    mem.resident_bytes = StatField(stat, "total_rss") + StatField(stat, "total_mapped_file");
  } else {
    FL_ASSIGN_OR_RETURN(std::string stat, ReadFile(dir + "/memory.stat"));
    mem.usage_bytes = ReadNumber(dir + "/memory.current");
    mem.resident_bytes = StatField(stat, "anon") + StatField(stat, "file_mapped");
  }
  return mem;
}

pid_t FirstProcessIn(const std::string& rel) {
  const std::string dir = MemoryCgroupDir(rel);
  auto procs = dir.empty() ? Result<std::string>(NotFound("")) : ReadFile(dir + "/cgroup.procs");
  if (!procs.ok()) return 0;
  std::istringstream pids(*procs);
  pid_t pid, first = 0;
  std::uint64_t first_ticks = 0;
  while (pids >> pid) {
    auto ticks = ProcessStartTime(pid);
    if (ticks.ok() && (first == 0 || *ticks < first_ticks)) {
      first = pid;
      first_ticks = *ticks;
    }
  }
  return first;
}

std::uint64_t PssOfRollup(const std::string& smaps_rollup) {
  const auto at = smaps_rollup.find("\nPss:");
  if (at == std::string::npos) return 0;
  return std::strtoull(smaps_rollup.c_str() + at + 5, nullptr, 10) * 1024;  // in kB
}

Result<std::uint64_t> CgroupPssBytes(const std::string& rel, const std::vector<pid_t>& except) {
  const std::string dir = MemoryCgroupDir(rel);
  if (dir.empty()) return FailedPrecondition("no memory cgroup controller mounted");
  if (!PathExists(dir)) return NotFound("no cgroup " + rel);
  std::vector<std::string> tree;
  CollectTree(dir, tree);
  std::uint64_t total = 0;
  for (const std::string& cgroup : tree) {
    auto procs = ReadFile(cgroup + "/cgroup.procs");
    if (!procs.ok()) continue;
    std::istringstream pids(*procs);
    pid_t pid;
    while (pids >> pid) {
      if (std::find(except.begin(), except.end(), pid) != except.end()) continue;
      auto rollup = ReadFile("/proc/" + std::to_string(pid) + "/smaps_rollup");
      if (rollup.ok()) total += PssOfRollup(*rollup);
    }
  }
  return total;
}

Status InheritV1Cpuset(const std::string& parent_dir, const std::string& dir) {
  if (PathExists(dir + "/cgroup.controllers")) return OkStatus();  // cgroup2
  for (const char* file : {"/cpuset.cpus", "/cpuset.mems"}) {
    auto mine = ReadFile(dir + file);
    if (!mine.ok() || mine->find_first_not_of(" \n") != std::string::npos) continue;
    FL_ASSIGN_OR_RETURN(std::string inherited, ReadFile(parent_dir + file));
    FL_RETURN_IF_ERROR(WriteControlFile(dir + file, inherited));
  }
  return OkStatus();
}

Status RemoveCgroupTree(const std::string& rel) {
  if (rel.empty() || rel.find("..") != std::string::npos) {
    return InvalidArgument("refusing to remove cgroup '" + rel + "'");
  }
  Status last = OkStatus();
  for (const auto& root : CgroupHierarchies()) {
    // Processes may still be exiting after SIGKILL; rmdir fails with EBUSY until they are gone.
    for (int attempt = 0; attempt < 50; ++attempt) {
      // Collected again each time: a child made meanwhile would keep its parent busy.
      std::vector<std::string> tree;
      CollectTree(root + "/" + rel, tree);
      bool busy = false;
      for (const auto& dir : tree) {
        KillProcsIn(dir);
        if (rmdir(dir.c_str()) != 0 && errno != ENOENT) busy = true;
      }
      if (!busy) break;
      if (attempt == 49) last = Unavailable("cannot remove cgroup " + root + "/" + rel + ": busy");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return last;
}

Status KillCgroupTree(const std::string& rel) {
  if (rel.empty() || rel.find("..") != std::string::npos) {
    return InvalidArgument("refusing to kill cgroup '" + rel + "'");
  }
  for (const auto& root : CgroupHierarchies()) {
    // Dying processes stay listed until they are reaped; a fork meanwhile adds one.
    for (int attempt = 0;; ++attempt) {
      std::vector<std::string> tree;
      CollectTree(root + "/" + rel, tree);
      bool any = false;
      for (const auto& dir : tree) any = KillProcsIn(dir) || any;
      if (!any) break;
      if (attempt == 49) return Unavailable("processes in cgroup " + root + "/" + rel + " live on");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return OkStatus();
}

void RemoveFaultlineCgroupIfEmpty() {
  for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
}

bool CgroupExists(const std::string& rel) {
  for (const auto& root : CgroupHierarchies()) {
    if (PathExists(root + "/" + rel)) return true;
  }
  return false;
}

}  // namespace faultline
