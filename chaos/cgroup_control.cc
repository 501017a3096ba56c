#include "chaos/cgroup_control.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/systemd.h"

namespace faultline::chaos {
namespace {

using namespace std::chrono_literals;

// Mount points of the v1 freezer hierarchy and of cgroup2, from the mount table (super options
// name the v1 controllers).
struct FreezerMounts {
  std::string v1;
  std::string v2;
};

FreezerMounts FindFreezerMounts() {
  FreezerMounts mounts;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mountpoint;
    fields >> id >> parent >> devno >> root >> mountpoint;
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype, source, options;
    tail >> fstype >> source >> options;
    if (fstype == "cgroup2" && mounts.v2.empty()) mounts.v2 = mountpoint;
    if (fstype == "cgroup" && mounts.v1.empty() &&
        ("," + options + ",").find(",freezer,") != std::string::npos) {
      mounts.v1 = mountpoint;
    }
  }
  return mounts;
}

std::string Root(FreezerInterface interface) {
  const FreezerMounts mounts = FindFreezerMounts();
  return interface == FreezerInterface::kV1 ? mounts.v1 : mounts.v2;
}

bool FrozenAt(FreezerInterface interface, const std::string& dir) {
  if (interface == FreezerInterface::kV1) {
    auto state = ReadFile(dir + "/freezer.state");
    return state.ok() && state->rfind("FROZEN", 0) == 0;
  }
  auto events = ReadFile(dir + "/cgroup.events");
  return events.ok() && events->find("frozen 1") != std::string::npos;
}

void CollectProcs(const std::string& dir, std::vector<pid_t>& out) {
  if (auto procs = ReadFile(dir + "/cgroup.procs"); procs.ok()) {
    std::istringstream pids(*procs);
    pid_t pid;
    while (pids >> pid) out.push_back(pid);
  }
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  while (dirent* entry = readdir(d)) {
    if (entry->d_type == DT_DIR && entry->d_name[0] != '.') {
      CollectProcs(dir + "/" + entry->d_name, out);
    }
  }
  closedir(d);
}

}  // namespace

const char* FreezerInterfaceName(FreezerInterface interface) {
  return interface == FreezerInterface::kV1 ? "v1" : "v2";
}

Result<FreezerInterface> ParseFreezerInterface(const std::string& name) {
  if (name == "v1") return FreezerInterface::kV1;
  if (name == "v2") return FreezerInterface::kV2;
  return InvalidArgument("unknown freezer interface '" + name + "'");
}

Result<FreezerInterface> HostFreezer() {
  const FreezerMounts mounts = FindFreezerMounts();
  if (!mounts.v1.empty()) return FreezerInterface::kV1;
  if (!mounts.v2.empty()) return FreezerInterface::kV2;
  return FailedPrecondition("neither a v1 freezer hierarchy nor cgroup2 is mounted");
}

Result<std::string> FreezerDir(FreezerInterface interface, const std::string& rel) {
  const std::string root = Root(interface);
  if (root.empty()) {
    return FailedPrecondition(std::string("no ") + (interface == FreezerInterface::kV1
                                                        ? "v1 freezer hierarchy"
                                                        : "cgroup2 mount"));
  }
  const std::string dir = root + "/" + rel;
  FL_RETURN_IF_ERROR(MakeDirs(dir));
  return dir;
}

Status Freeze(FreezerInterface interface, const std::string& rel) {
  FL_ASSIGN_OR_RETURN(const std::string dir, FreezerDir(interface, rel));
  if (interface == FreezerInterface::kV1) {
    FL_RETURN_IF_ERROR(WriteControlFile(dir + "/freezer.state", "FROZEN"));
  } else {
    FL_RETURN_IF_ERROR(WriteControlFile(dir + "/cgroup.freeze", "1"));
  }
  // The write only starts freezing; tasks in uninterruptible sleep can take a moment.
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!FrozenAt(interface, dir)) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Unavailable("cgroup " + dir + " did not freeze within 2 s");
    }
    std::this_thread::sleep_for(1ms);
  }
  return OkStatus();
}

Status Thaw(FreezerInterface interface, const std::string& rel) {
  const std::string root = Root(interface);
  if (root.empty() || !PathExists(root + "/" + rel)) return OkStatus();
  const std::string dir = root + "/" + rel;
  if (interface == FreezerInterface::kV1) return WriteControlFile(dir + "/freezer.state", "THAWED");
  return WriteControlFile(dir + "/cgroup.freeze", "0");
}

bool IsFrozen(FreezerInterface interface, const std::string& rel) {
  const std::string root = Root(interface);
  return !root.empty() && FrozenAt(interface, root + "/" + rel);
}

std::vector<pid_t> ProcessesIn(const std::string& rel) {
  std::vector<pid_t> pids;
  for (const auto& hierarchy : CgroupHierarchies()) CollectProcs(hierarchy + "/" + rel, pids);
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

Result<int> KillAll(FreezerInterface interface, const std::string& rel) {
  const int before = static_cast<int>(ProcessesIn(rel).size());
  FL_ASSIGN_OR_RETURN(const std::string dir, FreezerDir(interface, rel));
  if (interface == FreezerInterface::kV2 && PathExists(dir + "/cgroup.kill")) {
    FL_RETURN_IF_ERROR(WriteControlFile(dir + "/cgroup.kill", "1"));
  } else {
    // Frozen, nothing can fork between reading the list and the signal; SIGKILL takes effect
    // at the thaw.
    FL_RETURN_IF_ERROR(Freeze(interface, rel));
    std::vector<pid_t> pids;
    CollectProcs(dir, pids);
    for (pid_t pid : pids) kill(pid, SIGKILL);
    FL_RETURN_IF_ERROR(Thaw(interface, rel));
  }
  // Processes in other hierarchies only (not in the freezer's view) are signalled too.
  for (pid_t pid : ProcessesIn(rel)) kill(pid, SIGKILL);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!ProcessesIn(rel).empty()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Unavailable("processes of cgroup " + rel + " still alive 5 s after SIGKILL");
    }
    std::this_thread::sleep_for(2ms);
  }
  return before;
}

bool OwnedByRun(const std::string& rel, const std::string& run_id) {
  if (run_id.empty() || rel.find("..") != std::string::npos) return false;
  for (const std::string& base : {"faultline/" + run_id, OwnerSliceName(run_id)}) {
    if (rel == base || rel.rfind(base + "/", 0) == 0) return true;
  }
  return false;
}

}  // namespace faultline::chaos
