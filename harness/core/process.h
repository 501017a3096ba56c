// The one wrapper over Boost.Process: every external program faultline runs goes through here,
// as an argv vector (never a shell), with a deadline, in its own process group (so a terminal's
// Ctrl-C reaches only the controller, which then cleans up in order).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/result.h"

namespace faultline {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0]: absolute path, or a name looked up in PATH
  Nanos timeout = std::chrono::seconds(30);
  // When set, stdout and stderr go to this file (appended) instead of memory pipes; needed when
  // the program hands its stdio to long-lived descendants (a container's init), which would
  // otherwise keep the pipes open.
  std::string output_file;
  std::vector<std::string> env;  // NAME=VALUE set over the controller's environment
};

struct ProcessOutcome {
  int exit_code = -1;   // valid when term_signal == 0 and !timed_out
  int term_signal = 0;  // signal that ended it, if any
  bool timed_out = false;
  std::string out;            // captured stdout (memory mode)
  std::string err;            // captured stderr (memory mode) or the output file's tail (file mode)
  std::int64_t start_ns = 0;  // CLOCK_BOOTTIME just before spawn
  std::int64_t end_ns = 0;    // when its exit was observed

  bool ok() const { return !timed_out && term_signal == 0 && exit_code == 0; }
  Nanos elapsed() const { return Nanos(end_ns - start_ns); }
  // "exited with status 1: <stderr tail>", "killed by signal 9", "timed out after 30s".
  std::string Describe() const;
};

// Runs a program to completion or its deadline (then kills its process group). An error result
// means it could not be started at all; a non-zero exit is a normal outcome.
Result<ProcessOutcome> RunProcess(const ProcessSpec& spec);

// Runs and returns stdout; a failed or timed-out run becomes an error carrying stderr.
Result<std::string> RunForOutput(std::vector<std::string> argv,
                                 Nanos timeout = std::chrono::seconds(30));

// Starts a long-lived program (a platform daemon, the fault watchdog) and does not wait for it:
// its own session (a terminal's Ctrl-C to the controller does not reach it), stdin from
// /dev/null, stdout and stderr appended to LOG_FILE (or /dev/null when empty). Once it exits,
// the orphan reaper reaps it and WaitForOrphanExit tells when.
Result<pid_t> StartDetached(const std::vector<std::string>& argv, const std::string& log_file);

// When PID started, in clock ticks after boot (/proc/PID/stat field 22): with the pid it names
// one process, never a later one that reuses the pid. NotFound when there is no such process.
Result<std::uint64_t> ProcessStartTime(pid_t pid);

// SIGKILLs every process with an argument naming a path below DIR ("DIR/..."; DIR itself does
// not count) and waits up to TIMEOUT until they are gone or zombies. Returns how many were
// killed. For the in-flight runtime calls of a run that died: they would go on creating what
// `recover` removes.
int KillProcessesWithPathsUnder(const std::string& dir, Nanos timeout);

// Makes this process the reaper of orphaned descendants (container processes whose runtime
// exited) and reaps them in a background thread, leaving children spawned by RunProcess to it.
// Without this, hosts whose init does not reap would collect zombies.
Status StartOrphanReaper();

// When the adopted process PID was reaped (CLOCK_BOOTTIME ns), waiting up to TIMEOUT or until
// CANCEL is set. Exits before NOT_BEFORE_NS belong to an earlier process that had the same pid
// and are ignored. Needs StartOrphanReaper(). DeadlineExceeded or Cancelled when it has not.
Result<std::int64_t> WaitForOrphanExit(pid_t pid, std::int64_t not_before_ns, Nanos timeout,
                                       const std::atomic<bool>* cancel);

}  // namespace faultline
