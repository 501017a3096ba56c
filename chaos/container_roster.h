// The run's running containers, for container faults: workloads add a container once it runs;
// a pick skips those whose cgroup has no process any more (exited or deleted). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <vector>

#include "chaos/fault.h"

namespace faultline::chaos {

class ContainerRoster {
 public:
  void Add(ContainerRef container);
  // Up to COUNT distinct running containers, chosen with RANDOM.
  std::vector<ContainerRef> Pick(std::uint32_t count, std::mt19937_64& random);

 private:
  void PruneLocked();

  std::mutex mu_;
  std::vector<ContainerRef> containers_;
  std::size_t prune_at_ = 256;
};

}  // namespace faultline::chaos
