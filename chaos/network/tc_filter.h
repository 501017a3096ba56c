// tc BPF filters a fault attaches on a node link's egress (clsact), under priorities faultline
// owns, and their undo from the journal record alone (through the tc and ip tools, so recover
// works in builds without eBPF).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline::chaos {

// Priorities faultline gives its filters: 0xfa01 to 0xfaff, one per fault and link.
bool IsOwnedPriority(std::uint32_t priority);
std::uint32_t PickOwnedPriority();

struct OwnedFilter {
  std::string netns;
  std::string link;
  std::uint32_t priority = 0;
  bool created_clsact = false;     // no clsact qdisc was there before: undo removes it
  std::uint32_t gso_max_segs = 0;  // the link's value before the fault set it to 1
};

// Reads what undo needs of NODE's link (clsact present, gso_max_segs) into a new filter.
Result<OwnedFilter> NewOwnedFilter(const std::string& netns, const std::string& link);

nlohmann::json FiltersToJson(const std::vector<OwnedFilter>& filters);
// Validates: namespaces of RUN_ID, kernel interface names, owned priorities.
Result<std::vector<OwnedFilter>> FiltersFromJson(const std::string& run_id,
                                                 const nlohmann::json& json);

// `ip link set dev LINK gso_max_segs 1`: one wire packet per skb, so probabilities are per wire
// packet.
Status SetSingleSegment(const OwnedFilter& filter);
// Deletes the filter, the clsact qdisc when the fault created it and no filter is left on it,
// and restores gso_max_segs. Done when the namespace or link is gone. Idempotent.
Status DeleteFilter(const OwnedFilter& filter);

}  // namespace faultline::chaos
