#include "chaos/registry.h"

#include <algorithm>

#include "chaos/container_faults.h"
#include "chaos/network/mechanisms.h"
#include "chaos/node_faults.h"
#include "chaos/platform_faults.h"

namespace faultline::chaos {
namespace {

void Append(std::vector<std::unique_ptr<FaultMechanism>>& to,
            std::vector<std::unique_ptr<FaultMechanism>> from) {
  for (auto& m : from) to.push_back(std::move(m));
}

}  // namespace

std::vector<std::unique_ptr<FaultMechanism>> AllMechanisms() {
  std::vector<std::unique_ptr<FaultMechanism>> all;
  Append(all, MakeNodeMechanisms());
  Append(all, MakeContainerMechanisms());
  Append(all, MakeNetworkMechanisms());
  Append(all, MakePlatformMechanisms());
  return all;
}

std::vector<std::string> RegisteredKinds() {
  std::vector<std::string> kinds;
  for (const auto& m : AllMechanisms()) kinds.push_back(m->kind());
  std::sort(kinds.begin(), kinds.end());
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
  return kinds;
}

std::unique_ptr<FaultMechanism> MechanismFor(const std::string& kind) {
  for (auto& m : AllMechanisms()) {
    if (m->kind() == kind) return std::move(m);
  }
  return nullptr;
}

const FaultKindInfo* FindFaultKind(const std::string& kind) {
  static const std::vector<FaultKindInfo> kinds = {
      {"node.kill", FaultTarget::kNodes, {}},
      {"node.pause", FaultTarget::kNodes, {}},
      {"node.cpu_stress", FaultTarget::kNodes, {}},
      {"node.memory_stress", FaultTarget::kNodes, {"memory"}},
      {"node.disk_fill", FaultTarget::kNodes, {"size"}},
      {"container.kill", FaultTarget::kContainers, {}},
      {"container.oom", FaultTarget::kContainers, {}},
      {"network.partition", FaultTarget::kGroups, {}},
      {"network.loss", FaultTarget::kNodes, {"probability"}},
      {"network.corrupt", FaultTarget::kNodes, {"probability"}},
      {"network.duplicate", FaultTarget::kNodes, {"probability"}},
      {"network.bandwidth", FaultTarget::kNodes, {"rate"}},
      {"network.delay", FaultTarget::kNodes, {"delay"}},
      {"platform.daemon_kill", FaultTarget::kNodes, {}},
      {"platform.daemon_restart", FaultTarget::kNodes, {}},
  };
  for (const auto& info : kinds) {
    if (info.kind == kind) return &info;
  }
  return nullptr;
}

std::vector<MechanismProbe> ProbeMechanisms() {
  std::vector<MechanismProbe> probes;
  for (const auto& m : AllMechanisms()) {
    Status usable = m->Probe();  // first: a mechanism may name itself after what it found
    probes.push_back({m->kind(), m->mechanism(), std::move(usable)});
  }
  return probes;
}

Status UndoFaultRecord(const std::string& run_id, const nlohmann::json& data) {
  if (!data.is_object() || !data.contains("mechanism") || !data["mechanism"].is_string() ||
      !data.contains("undo") || !data["undo"].is_object()) {
    return InvalidArgument("malformed fault record: expected mechanism and undo");
  }
  const std::string mechanism = data["mechanism"].get<std::string>();
  // A node mechanism's name says what the host offered (node.kill: cgroup.kill on cgroup2),
  // so its records are matched by kind as well.
  const std::string kind = data.value("kind", "");
  for (const auto& m : MakeNodeMechanisms()) {
    if (m->mechanism() == mechanism || m->kind() == kind) return m->Undo(run_id, data["undo"]);
  }
  for (const auto& m : MakeContainerMechanisms()) {
    if (m->mechanism() == mechanism) return m->Undo(run_id, data["undo"]);
  }
  for (const auto& m : MakePlatformMechanisms()) {
    if (m->mechanism() == mechanism) return m->Undo(run_id, data["undo"]);
  }
  // Network and node-load records name their undo by its "type" (the mechanism's name may
  // depend on what the host had, e.g. netem or the NFQUEUE delayer).
  if (data["undo"].contains("type")) {
    Status undone = UndoNetworkOrNodeLoadRecord(run_id, data);
    if (undone.ok() || undone.error().code != ErrorCode::kNotFound) return undone;
  }
  return InvalidArgument("fault record names unknown mechanism '" + mechanism + "'");
}

}  // namespace faultline::chaos
