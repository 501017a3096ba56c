// Node faults acting on a node's cgroup: node.kill (every process killed; the node takes no
// containers until reverted) and node.pause (frozen until reverted).
#pragma once

#include <memory>
#include <vector>

#include "chaos/fault.h"

namespace faultline::chaos {

std::vector<std::unique_ptr<FaultMechanism>> MakeNodeMechanisms();

}  // namespace faultline::chaos
