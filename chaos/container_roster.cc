#include "chaos/container_roster.h"

#include <algorithm>

#include "chaos/cgroup_control.h"

namespace faultline::chaos {

void ContainerRoster::Add(ContainerRef container) {
  std::lock_guard lock(mu_);
  containers_.push_back(std::move(container));
  // Storms add many short-lived containers: forget the finished ones now and then.
  if (containers_.size() >= prune_at_) {
    PruneLocked();
    prune_at_ = std::max<std::size_t>(256, containers_.size() * 2);
  }
}

void ContainerRoster::PruneLocked() {
  std::erase_if(containers_, [](const ContainerRef& c) { return ProcessesIn(c.cgroup).empty(); });
}

std::vector<ContainerRef> ContainerRoster::Pick(std::uint32_t count, std::mt19937_64& random) {
  std::lock_guard lock(mu_);
  PruneLocked();
  std::vector<ContainerRef> picked;
  std::sample(containers_.begin(), containers_.end(), std::back_inserter(picked), count, random);
  return picked;
}

}  // namespace faultline::chaos
