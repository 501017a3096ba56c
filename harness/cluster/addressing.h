// Names and addresses of a virtual cluster's pieces. Every name carries the owner's id (a run id
// or a standing cluster's id: 8 hex digits), so cleanup never touches what faultline did not
// create. Addresses come from 198.18.0.0/15 (reserved for benchmarking, never routed off the
// host): 512 /24 subnets, one per cluster, leased so concurrent clusters do not collide.
#pragma once

#include <cstdint>
#include <string>

#include "harness/core/journal.h"
#include "harness/core/result.h"

namespace faultline::cluster {

inline constexpr int kSubnetCount = 512;  // /24s in 198.18.0.0/15
inline constexpr int kMaxNodes = 64;      // keeps interface names within 15 characters
inline constexpr const char* kNodeLink = "eth0";

std::string NodeName(int number);  // "node-3" (numbers from 1)
// "fl-<id>-<node>": the node's network namespace (under /run/netns).
std::string NodeNetnsName(const std::string& id, const std::string& node);
std::string BridgeNetnsName(const std::string& id);  // "fl-<id>-br"
std::string BridgeName(const std::string& id);       // "fl-<id>-br", inside the bridge netns
// "fl-<id>-<number>": the bridge end of node NUMBER's veth pair (at most 15 characters).
std::string BridgePortName(const std::string& id, int number);
std::string NetnsPath(const std::string& netns_name);  // "/run/netns/<name>"
// Under the systemd cgroup driver: node NODE's slice "faultline_<id>-<node, escaped>.slice",
// inside the owner's (OwnerSliceName, whose stop stops every node's).
std::string NodeSliceName(const std::string& id, const std::string& node);

// "198.18.0.0/24" for index 0 ... "198.19.255.0/24" for 511.
std::string SubnetCidr(int index);
// Node NUMBER's address in subnet INDEX: 198.18.0.<number>; InvalidArgument out of range.
Result<std::string> NodeAddress(int index, int number);
// The subnet tried first for ID: spreads concurrent clusters over the range.
int PreferredSubnet(const std::string& id);

// A leased subnet: the lease file <StateRoot>/subnets/<index> holds the owner's id.
struct SubnetLease {
  int index = -1;
  std::string path;
  std::uint64_t seq = 0;  // journal entry
};
std::string SubnetLeasePath(int index);
// Journals, then takes the first free lease starting at PreferredSubnet(ID).
Result<SubnetLease> LeaseSubnet(const std::string& id, Journal& journal);
// Removes the lease at PATH if ID holds it. Idempotent.
Status ReleaseSubnetLease(const std::string& path, const std::string& id);

}  // namespace faultline::cluster
