// What a daemon platform owns on one node besides its processes: a cgroup for its daemons and
// helpers and one for its containers, both below the node's (fl-<run>-<target>-platform and
// -containers), and a directory below the run directory. Each is journaled before it exists
// and removed in one order by every daemon driver, so `recover` finds what a run left.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/journal.h"
#include "harness/core/result.h"
#include "harness/drivers/driver.h"

namespace faultline::drivers {

class PlatformFootprint {
 public:
  PlatformFootprint(Journal* journal, const PlatformNode& node, const std::string& run_id,
                    const std::string& target, std::string dir);
  ~PlatformFootprint() = default;
  PlatformFootprint(const PlatformFootprint&) = delete;
  PlatformFootprint& operator=(const PlatformFootprint&) = delete;

  const std::string& platform_cgroup() const { return platform_cgroup_; }
  const std::string& containers_cgroup() const { return containers_cgroup_; }
  const std::string& dir() const { return dir_; }
  bool claimed() const { return !records_.empty(); }

  // Journals the platform's record of KIND (DATA with "dir", "target" and "node" added), then
  // both cgroups, then makes the directory.
  Status Claim(const char* kind, nlohmann::json data);
  // Removes both cgroups (killing the shims, conmons and containers left in them), then the
  // directory with REMOVE_DIR (default RemoveDirAndMounts), and releases the journal records
  // once everything went. The first failure is returned after trying the rest. OK when nothing
  // was claimed.
  Status Remove(const std::function<Status(const std::string& dir)>& remove_dir = nullptr);

 private:
  Journal* journal_;
  std::string target_, node_, dir_, platform_cgroup_, containers_cgroup_;
  std::vector<std::uint64_t> records_;  // journal seqs, oldest first
};

// Unmounts everything below DIR, then removes it.
Status RemoveDirAndMounts(const std::string& dir);

// The "dir" of a dead run's platform record, for `recover`: InvalidArgument (naming WHAT)
// unless it lies inside RUN_DIR of run RUN_ID.
Result<std::string> RecordedPlatformDir(const nlohmann::json& data, const std::string& run_id,
                                        const std::string& run_dir, const std::string& what);

}  // namespace faultline::drivers
