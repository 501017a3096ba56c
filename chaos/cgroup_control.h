// Freezing, thawing and killing everything in one of faultline's cgroups, through the v1
// freezer where the host mounts it, else cgroup2's cgroup.freeze / cgroup.kill.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline::chaos {

enum class FreezerInterface { kV1, kV2 };
const char* FreezerInterfaceName(FreezerInterface interface);
Result<FreezerInterface> ParseFreezerInterface(const std::string& name);

// The interface this host offers: the v1 freezer hierarchy when mounted, else cgroup2.
// FailedPrecondition when neither is there.
Result<FreezerInterface> HostFreezer();

// The directory of REL in that interface's hierarchy; created (mkdir -p) when missing, so a node
// without processes yet can still be frozen.
Result<std::string> FreezerDir(FreezerInterface interface, const std::string& rel);

// Freezes REL's subtree and waits (up to 2 s) until the kernel reports it frozen.
Status Freeze(FreezerInterface interface, const std::string& rel);
// Thaws REL's subtree. A missing cgroup counts as thawed (idempotent, for recover).
Status Thaw(FreezerInterface interface, const std::string& rel);
// Whether REL is frozen now (false when it does not exist).
bool IsFrozen(FreezerInterface interface, const std::string& rel);

// Every process in REL's subtree, in every hierarchy.
std::vector<pid_t> ProcessesIn(const std::string& rel);
// SIGKILLs every process in REL's subtree so none can fork away: cgroup.kill where cgroup2 has
// it, else freeze, SIGKILL each, thaw. Waits (up to 5 s) until no process is left; returns how
// many were killed.
Result<int> KillAll(FreezerInterface interface, const std::string& rel);

// REL names a cgroup of run RUN_ID: "faultline/<run id>" or its slice
// "faultline_<run id>.slice" (the systemd cgroup driver's), or below either, without "..".
bool OwnedByRun(const std::string& rel, const std::string& run_id);

}  // namespace faultline::chaos
