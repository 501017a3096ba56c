#include "harness/measure/node_pressure.h"

#include <algorithm>

namespace faultline::measure {

PressureSnapshot SnapshotPressure(const std::vector<NodeCgroup>& nodes) {
  PressureSnapshot snapshot;
  for (const NodeCgroup& node : nodes) {
    auto pressure = ReadCgroupPressure(node.cgroup);
    if (pressure.ok()) snapshot[node.node] = std::move(*pressure);
  }
  return snapshot;
}

std::map<std::string, double> StalledShares(const std::map<std::string, PressureTotals>& before,
                                            const std::map<std::string, PressureTotals>& after,
                                            std::int64_t window_ns) {
  std::map<std::string, double> shares;
  if (window_ns <= 0) return shares;
  auto share = [window_ns](std::uint64_t from_us, std::uint64_t to_us) {
    const double stalled_ns = to_us > from_us ? 1e3 * static_cast<double>(to_us - from_us) : 0;
    return std::clamp(stalled_ns / static_cast<double>(window_ns), 0.0, 1.0);
  };
  for (const auto& [resource, end] : after) {
    auto start = before.find(resource);
    if (start == before.end()) continue;
    shares[resource + ".some"] = share(start->second.some_us, end.some_us);
    if (start->second.full_us && end.full_us) {
      shares[resource + ".full"] = share(*start->second.full_us, *end.full_us);
    }
  }
  return shares;
}

}  // namespace faultline::measure
