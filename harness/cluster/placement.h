// Which node a new container goes to. spread: the least loaded node with room (round robin
// when all are equal); binpack: the first node with room, filled to capacity before the next;
// pinned: the node the step or target names. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/cluster/cluster.h"
#include "harness/core/result.h"
#include "harness/scenario/model.h"

namespace faultline::cluster {

using Placement = scenario::Cluster::Placement;

// How many containers with CONTAINER limits fit on a node with LIMITS, at most MAX_CONTAINERS:
// the tightest of the three; nullopt when nothing bounds it.
std::optional<std::uint32_t> NodeCapacity(const NodeLimits& limits,
                                          const scenario::Resources& container,
                                          std::optional<std::uint32_t> max_containers);

class Placer {
 public:
  // CAPACITY[i]: how many containers node i holds; nullopt = unbounded.
  Placer(Placement policy, std::vector<std::string> nodes,
         std::vector<std::optional<std::uint32_t>> capacity);

  // The node index for one more container. PINNED (a node name) overrides the policy.
  // Unavailable when no node (or the pinned one) has room; NotFound for an unknown name.
  Result<std::size_t> Place(const std::string& pinned = "");
  // A container placed on NODE is gone.
  void Release(std::size_t node);
  std::uint32_t load(std::size_t node) const;

 private:
  bool HasRoom(std::size_t node) const;

  Placement policy_;
  std::vector<std::string> nodes_;
  std::vector<std::optional<std::uint32_t>> capacity_;
  std::vector<std::uint32_t> load_;
  mutable std::mutex mu_;
};

}  // namespace faultline::cluster
