// Every fault mechanism faultline has, by kind, and what each kind needs from a scenario.
// Adding mechanisms: append the module's factory list in AllMechanisms() (registry.cc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chaos/fault.h"

namespace faultline::chaos {

// One instance of every registered mechanism.
std::vector<std::unique_ptr<FaultMechanism>> AllMechanisms();
// The registered kinds, sorted.
std::vector<std::string> RegisteredKinds();
// The mechanism for KIND, or null.
std::unique_ptr<FaultMechanism> MechanismFor(const std::string& kind);

// What a kind acts on and which scenario parameters it requires.
enum class FaultTarget {
  kNodes,       // nodes: [...] (or a generated partition's first group)
  kGroups,      // between: [[...], [...]] or partition: isolate | majority-minority | ring
  kContainers,  // containers: N running containers of the run
};
struct FaultKindInfo {
  std::string kind;
  FaultTarget target = FaultTarget::kNodes;
  std::vector<std::string> required;  // scenario parameter names
};
// Requirements of every kind faultline defines, registered on this build or not. Null if unknown.
const FaultKindInfo* FindFaultKind(const std::string& kind);

struct MechanismProbe {
  std::string kind;
  std::string mechanism;
  Status usable;  // FailedPrecondition with the reason when this host cannot apply it
};
// Probe() of every registered mechanism, for `doctor`.
std::vector<MechanismProbe> ProbeMechanisms();

// Undoes one journal record of kind "fault" ({kind, mechanism, expires_ns, undo}) through the
// mechanism named in it, which checks that it names only what run RUN_ID owns.
Status UndoFaultRecord(const std::string& run_id, const nlohmann::json& data);

}  // namespace faultline::chaos
