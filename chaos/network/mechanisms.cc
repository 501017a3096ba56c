#include "chaos/network/mechanisms.h"

#include "chaos/network/network_faults.h"
#include "chaos/node/node_faults.h"

namespace faultline::chaos {

std::vector<std::unique_ptr<FaultMechanism>> MakeNetworkMechanisms() {
  std::vector<std::unique_ptr<FaultMechanism>> all;
  all.push_back(MakePartitionMechanism());
  all.push_back(MakeLossMechanism());
  all.push_back(MakeBandwidthMechanism());
  all.push_back(MakeDelayMechanism());
  all.push_back(MakeDuplicateMechanism());
  all.push_back(MakeCorruptMechanism());
  all.push_back(MakeCpuStressMechanism());
  all.push_back(MakeMemoryStressMechanism());
  all.push_back(MakeDiskFillMechanism());
  return all;
}

Status UndoNetworkOrNodeLoadRecord(const std::string& run_id, const nlohmann::json& data) {
  Status network = UndoNetworkRecord(run_id, data);
  if (network.ok() || network.error().code != ErrorCode::kNotFound) return network;
  return UndoNodeRecord(run_id, data);
}

}  // namespace faultline::chaos
