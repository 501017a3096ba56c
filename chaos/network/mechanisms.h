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

}  // namespace faultline::chaos
