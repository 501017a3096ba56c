#include "reports/fault_windows.h"

namespace faultline::reports {

FaultWindows ReadFaultWindows(const nlohmann::json& document) {
  FaultWindows out;
  if (!document.is_object() || !document.contains("faults")) return out;
  const nlohmann::json& faults = document["faults"];
  if (!faults.is_array()) {
    out.skipped.push_back(std::string("faults: expected an array, got ") + faults.type_name());
    return out;
  }
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const nlohmann::json& entry = faults[i];
    const std::string path = "faults[" + std::to_string(i) + "]";
    if (!entry.is_object() || !entry.contains("kind") || !entry["kind"].is_string()) {
      out.skipped.push_back(path + ": no string `kind`");
      continue;
    }
    if (!entry.contains("inject_ns") || !entry["inject_ns"].is_number_integer()) {
      out.skipped.push_back(path + ": no integer `inject_ns`");
      continue;
    }
    FaultWindow window;
    window.kind = entry["kind"].get<std::string>();
    window.inject_ns = entry["inject_ns"].get<std::int64_t>();
    if (entry.contains("revert_ns") && entry["revert_ns"].is_number_integer()) {
      window.revert_ns = entry["revert_ns"].get<std::int64_t>();
    }
    if (entry.contains("nodes") && entry["nodes"].is_array()) {
      for (const auto& node : entry["nodes"]) {
        if (node.is_string()) window.nodes.push_back(node.get<std::string>());
      }
    }
    out.windows.push_back(std::move(window));
  }
  return out;
}

}  // namespace faultline::reports
