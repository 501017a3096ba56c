// The scenario's faults turned into timeline entries: targets resolved against the cluster's
// nodes and, at injection time, the running containers.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "chaos/container_roster.h"
#include "chaos/timeline.h"
#include "harness/scenario/model.h"

namespace faultline::runner {

// TARGET's platform daemon on NODE, or null when it has none there.
using DaemonLookup =
    std::function<chaos::PlatformDaemon*(const std::string& target, const std::string& node)>;

// The faults of one scope: run-level ones (STEP empty) or those bound to STEP. RECORD is the
// template every occurrence's record starts from (step, target, repetition); a fault naming
// another target than RECORD's is not in this scope. DAEMONS finds platform.* faults' daemons.
std::vector<chaos::TimelineFault> PlanFaults(const scenario::Scenario& scenario,
                                             const std::optional<std::string>& step,
                                             const std::vector<chaos::NodeRef>& nodes,
                                             chaos::ContainerRoster& roster,
                                             const std::string& run_id, std::uint64_t seed,
                                             const reports::FaultRecord& record,
                                             const DaemonLookup& daemons);

// The groups of a generated partition over NODES, in cluster order: isolate = {first} vs the
// rest; majority-minority = the first half rounded down vs the rest; ring = one pair of groups
// per two nodes that are not neighbours on the ring (each cut from the other).
std::vector<std::vector<std::vector<chaos::NodeRef>>> PartitionGroups(
    scenario::Fault::Partition partition, const std::vector<chaos::NodeRef>& nodes);

}  // namespace faultline::runner
