// Undoes what runs left behind, from their journals: containers, mounts, cgroups, directories.
#pragma once

#include <string>
#include <vector>

namespace faultline::runner {

struct RecoverReport {
  int runs_recovered = 0;
  int runs_live = 0;                  // held by a running controller: left alone
  std::vector<std::string> undone;    // one line per resource removed
  std::vector<std::string> failures;  // what could not be removed, with why
};

// SELF_EXE runs a program in the private v1 cgroup view (for crun on hybrid hosts).
RecoverReport Recover(const std::string& self_exe);

}  // namespace faultline::runner
