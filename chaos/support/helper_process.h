// Long-running helper processes of a fault (stress-ng, the NFQUEUE delayer). Each runs in a
// cgroup of its own, joined between fork and exec, so removing that cgroup ends it and all it
// forked: the journal names the cgroup before the process exists, and a recover that never
// learnt the pid still finds every process by it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/result.h"

namespace faultline::chaos {

// Creates the relative cgroup REL in every hierarchy where its parent exists (cpuset's cpus and
// mems copied from the parent, which v1 requires before a task may join). At least one needed;
// an existing directory is left as it is.
Status CreateChildCgroup(const std::string& rel);

struct HelperSpec {
  std::vector<std::string> argv;  // argv[0] looked up in PATH unless absolute
  std::string cgroup;             // created by CreateChildCgroup; joined before exec
  // When set, waits up to this long for the helper to print "ready" on stdout; it must then stop
  // writing to stdout/stderr (the pipe is closed). Otherwise its stdio is /dev/null.
  Nanos ready_timeout{0};
};

class HelperProcess {
 public:
  HelperProcess() = default;
  HelperProcess(pid_t pid, int pidfd) : pid_(pid), pidfd_(pidfd) {}
  HelperProcess(HelperProcess&& other) noexcept;
  HelperProcess& operator=(HelperProcess&& other) noexcept;
  ~HelperProcess();  // reaps it if it has exited (a zombie child of ours), never kills

  pid_t pid() const { return pid_; }
  bool Exited() const;  // true when it has ended (or is not ours to watch)

 private:
  pid_t pid_ = -1;
  int pidfd_ = -1;
};

// Starts a helper inside its cgroup, in a session of its own (a terminal's Ctrl-C reaches only
// the controller, which then reverts in order).
Result<HelperProcess> StartHelper(const HelperSpec& spec);

// Sends SIGTERM to every process in cgroup REL, waits up to GRACE for them to leave, then kills
// what remains and removes the cgroup in every hierarchy. A missing cgroup is fine (idempotent).
Status StopHelperCgroup(const std::string& rel, Nanos grace);

}  // namespace faultline::chaos
