// The journal record every fault occurrence writes before it exists, and the ActiveFault that
// undoes it and releases the record.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "chaos/fault.h"

namespace faultline::chaos {

// Acquires {"kind", "mechanism", "expires_ns", "undo"} (fsync) under kFaultJournalKind.
Result<std::uint64_t> JournalFault(Journal& journal, const FaultParams& params,
                                   const std::string& mechanism, nlohmann::json undo);

// Runs UNDO once on Revert; the record is released only when UNDO succeeded, so a failed revert
// stays in the journal for `recover`.
class JournaledFault : public ActiveFault {
 public:
  JournaledFault(Journal& journal, std::uint64_t seq, std::function<Status()> undo)
      : journal_(journal), seq_(seq), undo_(std::move(undo)) {}
  ~JournaledFault() override { (void)Revert(); }
  Status Revert() override;

 private:
  Journal& journal_;
  std::uint64_t seq_;
  std::function<Status()> undo_;
  std::mutex mu_;
  bool reverted_ = false;
};

}  // namespace faultline::chaos
