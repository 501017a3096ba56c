// The common life of a fault whose undo is a journal record: journal (fsync), apply, and revert
// by undoing from that same record, the way `recover` would after a crash.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chaos/fault.h"
#include "chaos/support/helper_process.h"

namespace faultline::chaos {

// Undoes the fault described by a journal record's data ({kind, mechanism, expires_ns, undo}),
// trusting only what RUN_ID owns. Idempotent.
using UndoFn = std::function<Status(const std::string& run_id, const nlohmann::json& data)>;
// Applies the fault; helper processes it starts are handed over to be reaped after revert.
using ApplyFn = std::function<Status(std::vector<HelperProcess>& helpers)>;

// Journals the record, then applies. When applying fails, undoes from the record (so nothing
// stays applied) and releases it when that worked.
Result<std::unique_ptr<ActiveFault>> InjectRecorded(const FaultParams& params, Journal& journal,
                                                    const std::string& mechanism,
                                                    nlohmann::json undo, const UndoFn& undo_fn,
                                                    const ApplyFn& apply);

// Reads data["undo"] and its "type" (InvalidArgument when malformed).
Result<nlohmann::json> UndoSection(const nlohmann::json& data, std::string* type);

// Holds a mechanism's kind and description.
class NamedMechanism : public FaultMechanism {
 public:
  NamedMechanism(std::string kind, std::string mechanism)
      : kind_(std::move(kind)), mechanism_(std::move(mechanism)) {}
  const std::string& kind() const override { return kind_; }
  const std::string& mechanism() const override { return mechanism_; }

 protected:
  std::string kind_;
  std::string mechanism_;
};

// NODES belong to the run (namespaces named after it, plain interface names) and have IPv4
// addresses inside 198.18.0.0/15, the only range faults may act on.
Status CheckNodes(const std::string& run_id, const std::vector<NodeRef>& nodes);

}  // namespace faultline::chaos
