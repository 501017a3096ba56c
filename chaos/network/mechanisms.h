// Every network and node-load fault mechanism of this module, for the fault registry and
// `doctor`.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chaos/fault.h"

namespace faultline::chaos {

// network.partition, .loss, .bandwidth, .delay, .duplicate, .corrupt; node.cpu_stress,
// .memory_stress, .disk_fill.
std::vector<std::unique_ptr<FaultMechanism>> MakeNetworkMechanisms();

// Undoes a fault record of any of those mechanisms; NotFound for records of other mechanisms.
Status UndoNetworkOrNodeLoadRecord(const std::string& run_id, const nlohmann::json& data);

struct MechanismReport {
  std::string kind;
  std::string mechanism;
  bool usable = false;
  std::string reason;  // why not, when not usable
};
// Probes each mechanism (in throwaway namespaces; nothing of the host is touched).
std::vector<MechanismReport> ProbeMechanisms(std::vector<std::unique_ptr<FaultMechanism>>& all);
// "network.delay: NFQUEUE delayer (no sch_netem)" or "...: unavailable: <reason>".
std::string DescribeReport(const MechanismReport& report);

}  // namespace faultline::chaos
