#include "harness/cluster/placement.h"

#include <algorithm>
#include <cmath>

namespace faultline::cluster {

std::optional<std::uint32_t> NodeCapacity(const NodeLimits& limits,
                                          const scenario::Resources& container,
                                          std::optional<std::uint32_t> max_containers) {
  std::optional<std::uint32_t> capacity = max_containers;
  auto tighten = [&](double fits) {
    const auto whole = static_cast<std::uint32_t>(std::floor(fits + 1e-9));
    capacity = capacity ? std::min(*capacity, whole) : whole;
  };
  if (limits.cpus && container.cpus && *container.cpus > 0) tighten(*limits.cpus / *container.cpus);
  if (limits.memory_bytes && container.memory_bytes && *container.memory_bytes > 0) {
    tighten(static_cast<double>(*limits.memory_bytes) /
            static_cast<double>(*container.memory_bytes));
  }
  return capacity;
}

Placer::Placer(Placement policy, std::vector<std::string> nodes,
               std::vector<std::optional<std::uint32_t>> capacity)
    : policy_(policy),
      nodes_(std::move(nodes)),
      capacity_(std::move(capacity)),
      load_(nodes_.size(), 0) {
  capacity_.resize(nodes_.size());
}

bool Placer::HasRoom(std::size_t node) const {
  return !capacity_[node] || load_[node] < *capacity_[node];
}

Result<std::size_t> Placer::Place(const std::string& pinned) {
  std::lock_guard lock(mu_);
  if (!pinned.empty()) {
    auto it = std::find(nodes_.begin(), nodes_.end(), pinned);
    if (it == nodes_.end()) return NotFound("no node named '" + pinned + "' in the cluster");
    const auto node = static_cast<std::size_t>(it - nodes_.begin());
    if (!HasRoom(node)) {
      return Unavailable("node " + pinned + " is full (" + std::to_string(load_[node]) +
                         " containers, its capacity)");
    }
    ++load_[node];
    return node;
  }
  if (policy_ == Placement::kPinned) {
    return InvalidArgument("placement pinned: the step or target names no node");
  }
  std::optional<std::size_t> chosen;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (!HasRoom(i)) continue;
    if (policy_ == Placement::kBinpack) {
      chosen = i;
      break;
    }
    if (!chosen || load_[i] < load_[*chosen]) chosen = i;
  }
  if (!chosen) {
    return Unavailable("every node of the cluster is full (" + std::to_string(nodes_.size()) +
                       " nodes at capacity)");
  }
  ++load_[*chosen];
  return *chosen;
}

void Placer::Release(std::size_t node) {
  std::lock_guard lock(mu_);
  if (node < load_.size() && load_[node] > 0) --load_[node];
}

std::uint32_t Placer::load(std::size_t node) const {
  std::lock_guard lock(mu_);
  return node < load_.size() ? load_[node] : 0;
}

}  // namespace faultline::cluster
