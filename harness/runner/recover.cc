#include "harness/runner/recover.h"

#include <dirent.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"

namespace faultline::runner {
namespace {

constexpr auto kUndoTimeout = std::chrono::seconds(30);

bool UnderStateRoot(const std::string& path) {
  const std::string root = StateRoot() + "/";
  return path.rfind(root, 0) == 0 && path.find("..") == std::string::npos;
}

Status Unmount(const std::string& path) {
  // EINVAL: not a mount point (already gone, or made in a namespace that died with its run).
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return ErrnoError("cannot unmount " + path, errno);
  }
  return OkStatus();
}

Status UndoContainer(const JournalEntry& entry, const std::string& self_exe) {
  std::vector<std::string> argv;
  const auto runtime_argv = entry.data.value("runtime_argv", std::vector<std::string>{});
  const std::string id = entry.data.value("id", "");
  if (runtime_argv.empty() || id.empty()) return Internal("malformed container entry");
  // crun refuses hybrid cgroups outside the private view the run used.
  const std::string& binary = runtime_argv.front();
  if (DetectCgroupMode() == CgroupMode::kHybrid && binary.size() >= 4 &&
      binary.compare(binary.size() - 4, 4, "crun") == 0) {
    argv = {self_exe, "v1-exec", "--"};
  }
  argv.insert(argv.end(), runtime_argv.begin(), runtime_argv.end());
  argv.insert(argv.end(), {"delete", "--force", id});
  auto outcome = RunProcess({argv, kUndoTimeout, ""});
  // A container the runtime no longer knows is already gone; its processes, if any, die with
  // the run's cgroup below.
  FL_RETURN_IF_ERROR(Unmount(entry.data.value("rootfs", "")));
  const std::string dir = entry.data.value("dir", "");
  if (UnderStateRoot(dir)) FL_RETURN_IF_ERROR(RemoveTree(dir));
  (void)outcome;
  return OkStatus();
}

Status Undo(const JournalEntry& entry, const std::string& self_exe) {
  const std::string path = entry.data.value("path", "");
  if (entry.kind == journal_kind::kContainer) return UndoContainer(entry, self_exe);
  if (entry.kind == journal_kind::kMount) return Unmount(path);
  if (entry.kind == journal_kind::kCgroup) return RemoveCgroupTree(path);
  if (entry.kind == journal_kind::kDir) {
    if (!UnderStateRoot(path)) return InvalidArgument("refusing to remove " + path);
    return RemoveTree(path);
  }
  return Internal("unknown journal entry kind '" + entry.kind + "'");
}

std::string Describe(const JournalEntry& entry) {
  if (entry.kind == journal_kind::kContainer) return "container " + entry.data.value("id", "");
  return entry.kind + " " + entry.data.value("path", "");
}

}  // namespace

RecoverReport Recover(const std::string& self_exe) {
  RecoverReport report;
  DIR* runs = opendir(RunsDir().c_str());
  if (!runs) return report;
  std::vector<std::string> run_dirs;
  while (dirent* entry = readdir(runs)) {
    if (entry->d_name[0] != '.') run_dirs.push_back(RunsDir() + "/" + entry->d_name);
  }
  closedir(runs);
  std::sort(run_dirs.begin(), run_dirs.end());

  for (const auto& run_dir : run_dirs) {
    if (RunIsLive(run_dir)) {
      ++report.runs_live;
      continue;
    }
    auto entries = ReadOutstanding(run_dir + "/journal");
    if (!entries.ok()) {
      report.failures.push_back(run_dir + ": " + entries.error().ToString());
      continue;
    }
    bool clean = true;
    // Newest first: containers before the cgroup that holds them, the run directory last.
    for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
      Status undone = Undo(*it, self_exe);
      if (undone.ok()) {
        report.undone.push_back(Describe(*it));
      } else {
        clean = false;
        report.failures.push_back(Describe(*it) + ": " + undone.error().ToString());
      }
    }
    if (clean) {
      (void)RemoveTree(run_dir);  // also when the journal was empty
      ++report.runs_recovered;
    }
  }
  for (const auto& root : CgroupHierarchies()) rmdir((root + "/faultline").c_str());
  return report;
}

}  // namespace faultline::runner
