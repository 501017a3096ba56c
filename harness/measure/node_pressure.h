// Each node's pressure stall information (PSI) over a window: the totals of its cgroup's
// cpu, memory and io.pressure read at the window's two ends, their growth as a share of the
// window. Three small file reads per node at each end, off the measured path.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/core/cgroup.h"

namespace faultline::measure {

struct NodeCgroup {
  std::string node;
  std::string cgroup;  // relative
};

// Node -> resource ("cpu") -> totals; a node whose pressure cannot be read is left out.
using PressureSnapshot = std::map<std::string, std::map<std::string, PressureTotals>>;
PressureSnapshot SnapshotPressure(const std::vector<NodeCgroup>& nodes);

// "cpu.some", "memory.full" ... -> the share of WINDOW_NS stalled between BEFORE and AFTER,
// clamped to [0, 1]; a "full" only where both ends have it.
std::map<std::string, double> StalledShares(const std::map<std::string, PressureTotals>& before,
                                            const std::map<std::string, PressureTotals>& after,
                                            std::int64_t window_ns);

}  // namespace faultline::measure
