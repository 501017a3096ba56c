// Undo of network faults from their journal records alone.
#include "chaos/network/iptables_rules.h"
#include "chaos/network/network_faults.h"
#include "chaos/network/tc_filter.h"
#include "chaos/network/tc_qdisc.h"
#include "chaos/support/helper_process.h"
#include "chaos/support/ownership.h"
#include "chaos/support/recorded_fault.h"

namespace faultline::chaos {
namespace {

constexpr auto kDelayerGrace = std::chrono::seconds(2);

Result<std::vector<std::string>> DelayerCgroups(const std::string& run_id,
                                                const nlohmann::json& undo) {
  std::vector<std::string> cgroups;
  try {
    cgroups = undo.at("cgroups").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed delayer record: ") + e.what());
  }
  for (const auto& rel : cgroups) {
    const std::string leaf = rel.substr(rel.rfind('/') + 1);
    if (!IsRunCgroup(run_id, rel) || leaf.rfind("fl-" + run_id + "-", 0) != 0) {
      return InvalidArgument("delayer cgroup " + rel + " not owned by run " + run_id);
    }
  }
  return cgroups;
}

}  // namespace

Status UndoNetworkRecord(const std::string& run_id, const nlohmann::json& data) {
  std::string type;
  FL_ASSIGN_OR_RETURN(nlohmann::json undo, UndoSection(data, &type));
  if (type == "iptables") {
    FL_ASSIGN_OR_RETURN(auto rules, RulesFromJson(run_id, undo.value("rules", nlohmann::json())));
    return DeleteRules(rules);
  }
  if (type == "tc_qdisc") {
    FL_ASSIGN_OR_RETURN(auto qdiscs,
                        QdiscsFromJson(run_id, undo.value("qdiscs", nlohmann::json())));
    Status first = OkStatus();
    for (const auto& q : qdiscs) {
      Status deleted = DeleteRootQdisc(q);
      if (!deleted.ok() && first.ok()) first = std::move(deleted);
    }
    return first;
  }
  if (type == "tc_bpf") {
    FL_ASSIGN_OR_RETURN(auto filters,
                        FiltersFromJson(run_id, undo.value("filters", nlohmann::json())));
    Status first = OkStatus();
    for (const auto& f : filters) {
      Status deleted = DeleteFilter(f);
      if (!deleted.ok() && first.ok()) first = std::move(deleted);
    }
    return first;
  }
  if (type == "nfqueue_delay") {
    // Everything validated before anything is touched; rules first, so no packet is queued to
    // a delayer that is going away, then the delayers, which release what they hold on SIGTERM.
    FL_ASSIGN_OR_RETURN(auto rules, RulesFromJson(run_id, undo.value("rules", nlohmann::json())));
    FL_ASSIGN_OR_RETURN(auto cgroups, DelayerCgroups(run_id, undo));
    Status first = DeleteRules(rules);
    for (const auto& rel : cgroups) {
      Status stopped = StopHelperCgroup(rel, kDelayerGrace);
      if (!stopped.ok() && first.ok()) first = std::move(stopped);
    }
    return first;
  }
  return NotFound("not a network fault record (undo type '" + type + "')");
}

}  // namespace faultline::chaos
