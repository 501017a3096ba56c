// Running host tools (iptables, tc) inside a node's network namespace, as argv vectors.
#pragma once

#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline::chaos {

// ARGV run inside the network namespace at NETNS (via nsenter).
std::vector<std::string> InNetns(const std::string& netns, std::vector<std::string> argv);

// ARGV run inside a fresh network namespace that vanishes with it (via unshare), for probes
// that must not touch the host's own namespaces.
std::vector<std::string> InThrowawayNetns(std::vector<std::string> argv);

// Runs ARGV to completion; a non-zero exit is an error naming the command and its stderr.
Status RunChecked(const std::vector<std::string>& argv);

// Runs ARGV to completion; true when it exited 0 (for checks such as `iptables -C`).
Result<bool> RunSucceeds(const std::vector<std::string>& argv);

}  // namespace faultline::chaos
