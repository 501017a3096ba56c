#include "harness/runner/recover.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "chaos/cgroup_control.h"
#include "chaos/fault.h"
#include "chaos/registry.h"
#include "harness/cluster/resources.h"
#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/drivers/daemon/host_mount_point.h"
#include "harness/drivers/registry.h"

namespace faultline::runner {
namespace {

// The journal runs as root-owned data, but recover still trusts nothing in it beyond what the
// run could have created: its own directory, its own cgroup, resources named after it; each
// driver checks its own records likewise.
class RunUndo {
 public:
  RunUndo(std::string run_id, std::string run_dir, std::string self_exe)
      : run_id_(std::move(run_id)), run_dir_(std::move(run_dir)), self_exe_(std::move(self_exe)) {}

  Status Undo(const JournalEntry& entry) const {
    try {
      if (const auto* driver = drivers::FindDriverKindForRecord(entry.kind)) {
        return driver->Undo(entry, {run_id_, run_dir_, self_exe_});
      }
      // Faults come off before the cgroups and containers they act on (newest first).
      if (entry.kind == chaos::kFaultJournalKind)
        return chaos::UndoFaultRecord(run_id_, entry.data);
      if (entry.kind == journal_kind::kCgroup) {
        const std::string path = entry.data.at("path").get<std::string>();
        // The run's own cgroup or slice, a node cgroup below it, or a helper cgroup named
        // after the run below a standing cluster's node.
        const std::string last = path.substr(path.rfind('/') + 1);
        const bool in_faultline_tree =
            path.rfind("faultline/", 0) == 0 || path.rfind("faultline_", 0) == 0;
        const bool named_after_run = in_faultline_tree && last.rfind("fl-" + run_id_ + "-", 0) == 0;
        if (run_id_.empty() || path.find("..") != std::string::npos ||
            (!chaos::OwnedByRun(path, run_id_) && !named_after_run)) {
          return Refuse("cgroup " + path);
        }
        return RemoveCgroupTree(path);
      }
      if (entry.kind == drivers::kHostMountPointRecord)
        return drivers::UndoHostMountPoint(entry.data);
      if (cluster::IsClusterResourceKind(entry.kind)) {
        return cluster::UndoClusterResource(entry.kind, entry.data, run_id_);
      }
      if (entry.kind == journal_kind::kDir) {
        const std::string path = entry.data.at("path").get<std::string>();
        if (!PathInside(path, run_dir_, /*allow_self=*/true)) return Refuse("directory " + path);
        return RemoveTree(path);
      }
    } catch (const nlohmann::json::exception& e) {
      return InvalidArgument(std::string("malformed journal entry: ") + e.what());
    }
    return InvalidArgument("unknown journal entry kind '" + entry.kind + "'");
  }

 private:
  Status Refuse(const std::string& what) const {
    return InvalidArgument("refusing to remove " + what + ": not created by run " + run_id_);
  }

  std::string run_id_;
  std::string run_dir_;
  std::string self_exe_;
};

std::string Describe(const JournalEntry& entry) {
  const auto& data = entry.data;
  if (drivers::FindDriverKindForRecord(entry.kind) && data.contains("id") &&
      data["id"].is_string()) {
    return entry.kind + " " + data["id"].get<std::string>();
  }
  if (entry.kind == chaos::kFaultJournalKind && data.contains("kind") && data["kind"].is_string()) {
    return "fault " + data["kind"].get<std::string>();
  }
  if (data.contains("name") && data["name"].is_string()) {
    return entry.kind + " " + data["name"].get<std::string>();
  }
  if (data.contains("path") && data["path"].is_string()) {
    return entry.kind + " " + data["path"].get<std::string>();
  }
  return entry.kind;
}

// Undoes DIR's outstanding journal entries, newest first (containers before the cgroup that
// holds them, the directory itself last), resources named after ID. True when all are gone.
bool RecoverDir(const std::string& dir, const std::string& id, const std::string& self_exe,
                RecoverReport& report) {
  std::vector<JournalEntry> entries;
  if (PathExists(dir + "/journal")) {
    auto read = ReadOutstanding(dir + "/journal");
    if (!read.ok()) {
      report.failures.push_back(dir + ": " + read.error().ToString());
      return false;
    }
    entries = std::move(*read);
  }  // else: it died before its first entry; only the directory is left
  // Runtime calls the dead run left in flight (runc --root DIR/...) would go on creating
  // cgroups and containers while they are being removed.
  const int stopped = KillProcessesWithPathsUnder(dir, std::chrono::seconds(10));
  if (stopped > 0) report.undone.push_back(std::to_string(stopped) + " in-flight process(es)");
  const RunUndo undo(id, dir, self_exe);
  bool clean = true;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    Status undone = undo.Undo(*it);
    if (undone.ok()) {
      report.undone.push_back(Describe(*it));
    } else {
      clean = false;
      report.failures.push_back(Describe(*it) + ": " + undone.error().ToString());
    }
  }
  if (clean) (void)RemoveTree(dir);
  return clean;
}

std::vector<std::string> ListNames(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* entry = readdir(d)) {
      if (entry->d_name[0] != '.') names.push_back(entry->d_name);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A standing cluster's id, written beside its journal before its first resource.
std::string ClusterId(const std::string& dir) {
  auto id = ReadFile(dir + "/id");
  return id.ok() ? *id : "";
}

}  // namespace

RecoverReport Recover(const std::string& self_exe) {
  RecoverReport report;
  for (const auto& run_id : ListNames(RunsDir())) {
    const std::string run_dir = RunsDir() + "/" + run_id;
    if (RunIsLive(run_dir)) {
      ++report.runs_live;
      continue;
    }
    if (RecoverDir(run_dir, run_id, self_exe, report)) ++report.runs_recovered;
  }
  // Standing clusters are meant to outlive their `cluster up`; only half-built ones (no ready
  // mark: `up` died) are removed here. `faultline cluster down` removes the others.
  for (const auto& name : ListNames(ClustersDir())) {
    const std::string dir = ClustersDir() + "/" + name;
    if (RunIsLive(dir)) {
      ++report.runs_live;
    } else if (PathExists(dir + "/ready")) {
      report.clusters_standing.push_back(name);
    } else if (RecoverDir(dir, ClusterId(dir), self_exe, report)) {
      ++report.runs_recovered;
    }
  }
  RemoveFaultlineCgroupIfEmpty();
  return report;
}

Status RemoveStandingCluster(const std::string& name, const std::string& self_exe,
                             RecoverReport& report) {
  const std::string dir = ClustersDir() + "/" + name;
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.' || !PathExists(dir)) {
    return NotFound("no standing cluster named '" + name + "'");
  }
  // Held until the end: no run can attach while the cluster is being removed.
  const int lock = open((dir + "/lock").c_str(), O_RDWR | O_CLOEXEC);
  if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) != 0) {
    close(lock);
    return Unavailable("cluster " + name + " is in use (a run or `cluster up` holds it)");
  }
  const bool clean = RecoverDir(dir, ClusterId(dir), self_exe, report);
  if (lock >= 0) close(lock);
  RemoveFaultlineCgroupIfEmpty();
  if (!clean) return Internal("cluster " + name + " was not removed completely");
  return OkStatus();
}

}  // namespace faultline::runner
