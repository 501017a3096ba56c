// Node faults that load a node rather than cut it off: CPU and memory pressure from stress-ng
// inside the node's cgroup, and a filled file in the run's state directory.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chaos/fault.h"

namespace faultline::chaos {

// node.cpu_stress: stress-ng --cpu WORKERS in a cgroup below each node's (charged to the node).
std::unique_ptr<FaultMechanism> MakeCpuStressMechanism();
// node.memory_stress: stress-ng --vm WORKERS holding BYTES in total, likewise.
std::unique_ptr<FaultMechanism> MakeMemoryStressMechanism();
// node.disk_fill: a file of BYTES per node (fallocate) in the run's state directory.
std::unique_ptr<FaultMechanism> MakeDiskFillMechanism();

// stress-ng's argv for KIND ("node.cpu_stress" or "node.memory_stress"); TIMEOUT_SECONDS 0 runs
// until stopped.
std::vector<std::string> StressArgv(const std::string& kind, std::uint32_t workers,
                                    std::uint64_t bytes, std::int64_t timeout_seconds);

// Undoes a node stress or disk fill from its journal record's data alone, refusing anything
// RUN_ID does not own. NotFound for records of other mechanisms.
Status UndoNodeRecord(const std::string& run_id, const nlohmann::json& data);

}  // namespace faultline::chaos
