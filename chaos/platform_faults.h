// Platform faults on a node's platform daemon (dockerd, Podman's API service):
//   platform.daemon_kill     SIGKILL at injection; started again at revert.
//   platform.daemon_restart  SIGKILL and started again at once.
// Per node, each records the platform's containers that ran before the kill and how many still
// run once the daemon takes starts again (with or without live restore), and the time from the
// restart until its API answers and until a new container starts through it (recovery_time).
#pragma once

#include <memory>
#include <vector>

#include "chaos/fault.h"

namespace faultline::chaos {

std::vector<std::unique_ptr<FaultMechanism>> MakePlatformMechanisms();

// How long a restarted daemon has to answer and take a start before the fault counts it as not
// recovered.
inline constexpr auto kDaemonRecoveryLimit = std::chrono::seconds(60);

}  // namespace faultline::chaos
