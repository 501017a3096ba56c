// Two targets of one run as the two sides of a comparison. A run with several targets
// interleaves them by repetition, so they share the host's drift: comparing them within the
// run is the fairest comparison there is (runc against crun, or a target against its twin for
// an A/A calibration).
#pragma once

#include <string>

#include "harness/core/result.h"
#include "reports/result.h"

namespace faultline::reports {

// The part of RESULT that measured TARGET, with the target renamed AS so that both sides pair
// up: its samples, density points and outcomes, faults and signal windows bound to its steps,
// and its context entry. Run-level faults and SLO verdicts belong to no one target and are
// left out. NotFound (naming the targets there are) when RESULT has no such target.
faultline::Result<Result> TargetAsRun(const Result& result, const std::string& target,
                                      const std::string& as);

}  // namespace faultline::reports
