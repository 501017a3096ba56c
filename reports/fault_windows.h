// Fault windows of a run, read from the result document's top-level `faults` array when it has
// one: {kind, inject_ns, revert_ns, nodes?} with CLOCK_BOOTTIME nanoseconds like samples.
// Read from the raw JSON so reports show faults whatever else a fault entry carries.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace faultline::reports {

struct FaultWindow {
  std::string kind;  // "network.partition", "node.pause", ...
  std::int64_t inject_ns = 0;
  std::optional<std::int64_t> revert_ns;  // absent: still active when the run ended
  std::vector<std::string> nodes;
};

struct FaultWindows {
  std::vector<FaultWindow> windows;
  std::vector<std::string> skipped;  // why an entry was not shown ("faults[2]: no inject_ns")
};

// No `faults` member: no windows. Entries without a string `kind` or an integer `inject_ns` are
// skipped with a reason; unknown members are ignored.
FaultWindows ReadFaultWindows(const nlohmann::json& document);

}  // namespace faultline::reports
