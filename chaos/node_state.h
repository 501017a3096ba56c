// Which nodes take containers right now. node.kill marks a node down until it is reverted;
// placement and workloads ask before putting a container on a node. Process-wide, keyed by the
// node's cgroup (which carries the run id), safe from any thread.
#pragma once

#include <string>

namespace faultline::chaos {

void MarkNodeDown(const std::string& node_cgroup, const std::string& reason);
void MarkNodeUp(const std::string& node_cgroup);
// Empty when the node takes containers; else why not.
std::string NodeDownReason(const std::string& node_cgroup);

}  // namespace faultline::chaos
