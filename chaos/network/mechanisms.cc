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

std::vector<MechanismReport> ProbeMechanisms(std::vector<std::unique_ptr<FaultMechanism>>& all) {
  std::vector<MechanismReport> reports;
  for (auto& mechanism : all) {
    Status probed = mechanism->Probe();
    reports.push_back({mechanism->kind(), mechanism->mechanism(), probed.ok(),
                       probed.ok() ? "" : probed.error().ToString()});
  }
  return reports;
}

std::string DescribeReport(const MechanismReport& report) {
  if (report.usable) return report.kind + ": " + report.mechanism;
  return report.kind + ": unavailable: " + report.reason;
}

}  // namespace faultline::chaos
