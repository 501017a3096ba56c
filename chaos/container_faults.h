// Container faults: container.kill (SIGKILL every process of the container) and container.oom
// (the container's memory cgroup pushed past its limit, so the kernel's OOM killer acts on it).
#pragma once

#include <memory>
#include <vector>

#include "chaos/fault.h"

namespace faultline::chaos {

std::vector<std::unique_ptr<FaultMechanism>> MakeContainerMechanisms();

// The OOM kills counted in the container's memory cgroup (v1 memory.oom_control, v2
// memory.events), or an error when the kernel does not count them.
Result<std::uint64_t> OomKillCount(const std::string& cgroup);

}  // namespace faultline::chaos
