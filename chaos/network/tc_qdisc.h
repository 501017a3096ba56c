// Root qdiscs a fault installs on a node's link, under handles faultline owns: undo deletes a
// root qdisc only when it still carries that handle.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline::chaos {

// Handles faultline gives its qdiscs: "fa01:" to "faff:", one per fault and link, different
// from the link's current root, so undoing a fault that failed to add its qdisc never deletes
// another fault's.
bool IsOwnedHandle(const std::string& handle);
// The link's current root qdisc handle ("0:" for the default), inside its namespace.
Result<std::string> RootHandle(const std::string& netns, const std::string& link);
// An owned handle unlike CURRENT_ROOT, chosen at random.
std::string PickOwnedHandle(const std::string& current_root);

struct OwnedQdisc {
  std::string netns;
  std::string link;
  std::string handle;
};

nlohmann::json QdiscsToJson(const std::vector<OwnedQdisc>& qdiscs);
// Validates: namespaces of RUN_ID, kernel interface names, handles faultline owns.
Result<std::vector<OwnedQdisc>> QdiscsFromJson(const std::string& run_id,
                                               const nlohmann::json& json);

// `tc qdisc add dev LINK root handle HANDLE ARGS...` in the node's namespace.
Status AddRootQdisc(const OwnedQdisc& qdisc, const std::vector<std::string>& args);
// Deletes the link's root qdisc when it carries QDISC's handle. Done when the namespace or the
// link is gone. Idempotent.
Status DeleteRootQdisc(const OwnedQdisc& qdisc);

// tbf arguments for RATE bits/s: a burst of 10 ms of traffic (at least two full frames) and a
// queue holding at most 100 ms.
std::vector<std::string> TbfArgs(std::uint64_t rate_bits_per_second);

}  // namespace faultline::chaos
