// The ownership journal: every resource a run creates is recorded here (and fsync'd) before it
// exists, and marked released after it is gone. `faultline recover` undoes whatever a dead
// controller left acquired. One journal per run, in the run's state directory.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline {

// Resource kinds and their data fields; recover knows how to undo each. (Drivers, chaos and
// the cluster name their own kinds beside their undo.)
namespace journal_kind {
inline constexpr const char* kDir = "dir";        // {path}: removed recursively
inline constexpr const char* kCgroup = "cgroup";  // {path}: relative; every hierarchy
// Virtual cluster resources (harness/cluster): names carry the run or cluster id.
inline constexpr const char* kNetns = "netns";    // {name}: /run/netns/<name>, `ip netns delete`
inline constexpr const char* kVeth = "veth";      // {netns, name}: one end, inside netns
inline constexpr const char* kBridge = "bridge";  // {netns, name}: inside netns
inline constexpr const char* kSubnet = "subnet";  // {path, index}: an address lease file
inline constexpr const char* kSlice = "slice";    // {unit}: a transient systemd slice, stopped
}  // namespace journal_kind

struct JournalEntry {
  std::uint64_t seq = 0;
  std::string kind;
  nlohmann::json data;
};

// Root of faultline's state: $FAULTLINE_STATE_DIR, else /run/faultline.
std::string StateRoot();
std::string RunsDir();
// Clusters that outlive one run (`faultline cluster up`): <StateRoot>/clusters/<name>.
std::string ClustersDir();

class Journal {
 public:
  // Creates RUN_DIR (journaled as a dir entry itself), its journal and its lock, held for the
  // controller's lifetime so `recover` can tell a live run from a dead one.
  static Result<std::unique_ptr<Journal>> Open(const std::string& run_id);
  // The same in PARENT/NAME for an owner whose resources are named after ID (a standing
  // cluster). Unavailable when PARENT/NAME exists.
  static Result<std::unique_ptr<Journal>> OpenIn(const std::string& parent, const std::string& name,
                                                 const std::string& id);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Records a resource about to be created. Durable (fsync) when it returns.
  Result<std::uint64_t> Acquire(const std::string& kind, nlohmann::json data);
  // Records that a resource is gone. Not synced: a lost release only makes recover retry an
  // idempotent undo.
  void Release(std::uint64_t seq);
  // The last step of a teardown: when everything else was released, removes the run directory
  // with the journal in it; otherwise keeps them for `faultline recover` and says so. Either
  // way the lock is released.
  Status Close();

  const std::string& run_id() const { return run_id_; }
  const std::string& run_dir() const { return run_dir_; }

 private:
  Journal(std::string run_id, std::string run_dir, int journal_fd, int lock_fd);
  Status Append(const nlohmann::json& record, bool sync);

  std::string run_id_;
  std::string run_dir_;
  int journal_fd_;
  int lock_fd_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t dir_seq_ = 0;     // the run directory's own entry
  std::set<std::uint64_t> open_;  // acquired, not yet released
  std::mutex mu_;
};

// Entries acquired and not released, in acquisition order. A torn last line (crash mid-write)
// is ignored.
Result<std::vector<JournalEntry>> ReadOutstanding(const std::string& journal_path);

// Appends a release of SEQ to a dead run's journal: for the fault watchdog, which undoes a
// record after its controller died. Synced, like an acquire.
Status AppendRelease(const std::string& journal_path, std::uint64_t seq);

// True when a live controller holds RUN_DIR's lock.
bool RunIsLive(const std::string& run_dir);

}  // namespace faultline
