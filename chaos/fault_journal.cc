#include "chaos/fault_journal.h"

namespace faultline::chaos {

Result<std::uint64_t> JournalFault(Journal& journal, const FaultParams& params,
                                   const std::string& mechanism, nlohmann::json undo) {
  return journal.Acquire(kFaultJournalKind, {{"kind", params.kind},
                                             {"mechanism", mechanism},
                                             {"expires_ns", params.expires_ns},
                                             {"undo", std::move(undo)}});
}

Status JournaledFault::Revert() {
  std::lock_guard lock(mu_);
  if (reverted_) return OkStatus();
  Status undone = undo_();
  if (!undone.ok()) return undone;
  reverted_ = true;
  journal_.Release(seq_);
  return OkStatus();
}

}  // namespace faultline::chaos
