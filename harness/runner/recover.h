// Undoes what runs left behind, from their journals: containers, mounts, cgroups, directories.
#pragma once

#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline::runner {

struct RecoverReport {
  int runs_recovered = 0;
  int runs_live = 0;                           // held by a running controller: left alone
  std::vector<std::string> clusters_standing;  // finished `cluster up`s: left for `cluster down`
  std::vector<std::string> undone;             // one line per resource removed
  std::vector<std::string> failures;           // what could not be removed, with why
};

// SELF_EXE runs a program in the private v1 cgroup view (for crun on hybrid hosts).
RecoverReport Recover(const std::string& self_exe);

// `faultline cluster down`: removes the standing cluster NAME from its journal, unless a run
// or `cluster up` holds it. REPORT lists what was removed.
Status RemoveStandingCluster(const std::string& name, const std::string& self_exe,
                             RecoverReport& report);

}  // namespace faultline::runner
