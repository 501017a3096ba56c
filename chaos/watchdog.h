// The fault watchdog: a small process the controller starts at run start, in its own session.
// While the controller holds its run's lock it only watches; once the controller is gone it
// reverts each fault still journaled when that fault's TTL (expires_ns) passes, then exits. It
// also exits as soon as the run ended normally (nothing journaled left, or no run directory).
#pragma once

#include <sys/types.h>

#include <string>

#include "harness/core/result.h"

namespace faultline::chaos {

// Spawns `SELF_EXE _watchdog RUN_DIR` detached (setsid, stdio on /dev/null). Returns its pid.
Result<pid_t> StartWatchdog(const std::string& self_exe, const std::string& run_dir);

// The watchdog's body; returns its exit code (0: nothing left to revert, 1: an undo failed and
// stays journaled for `recover`).
int RunWatchdog(const std::string& run_dir);

}  // namespace faultline::chaos
