// Cluster / Node: where containers run. A cluster is a set of nodes; each node has an identity
// (name, network namespace, address, cgroup parent) and a capacity. `local` is this host as one
// node; `virtual` builds N nodes on this host from network namespaces, a bridge and cgroups.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chaos/fault.h"
#include "harness/core/result.h"

namespace faultline::cluster {

// Who makes the cgroups of a node's containers: the runtime itself under the node's own cgroup
// directory (cgroupfs), or systemd, as scopes in the node's transient slice (systemd).
enum class CgroupDriver { kCgroupfs, kSystemd };
const char* CgroupDriverName(CgroupDriver driver);  // "cgroupfs" | "systemd"

// Limits of one node's cgroup parent; absent = unlimited.
struct NodeLimits {
  std::optional<double> cpus;                 // CFS quota in CPUs
  std::optional<std::uint64_t> memory_bytes;  // memory limit

  bool operator==(const NodeLimits&) const = default;
};

struct Node {
  std::string name;     // "node-1", or "local"
  std::string netns;    // /run/netns/fl-<id>-node-1; empty: the host's network namespace
  std::string link;     // interface inside netns ("eth0"); empty for the host
  std::string address;  // IPv4 in 198.18.0.0/15; empty for the host
  // Relative cgroup parent of its containers: faultline/<id>/node-1, or under the systemd
  // driver its slice's, faultline_<id>.slice/faultline_<id>-node\x2d1.slice.
  std::string cgroup;
  NodeLimits limits;

  // What fault mechanisms see of this node.
  chaos::NodeRef Ref() const { return {name, netns, link, address, cgroup}; }
};

class Cluster {
 public:
  virtual ~Cluster() = default;
  virtual const std::string& kind() const = 0;  // "local" | "virtual"
  virtual const std::vector<Node>& nodes() const = 0;
  virtual CgroupDriver cgroup_driver() const = 0;
  // Removes what this cluster created, in reverse order, releasing journal entries; a cluster
  // attached to (not created by) this process is left standing. Idempotent.
  virtual Status Teardown() = 0;
};

// The node named NAME, or null.
const Node* FindNode(const Cluster& cluster, const std::string& name);

}  // namespace faultline::cluster
