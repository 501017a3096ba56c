// Warnings that make a run's numbers untrustworthy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reports/result.h"

namespace faultline::reports {

// Below this many successful samples per step and target, a p99 is just the largest of a
// handful of values.
inline constexpr std::uint64_t kMinSamplesForP99 = 5;

// Checks the samples of each (step, target): a failed-sample ratio above max_failed_ratio, fewer
// than kMinSamplesForP99 successful samples; and an interrupted run. Callers append their own
// (missing probes, host load). Order: steps as they first appear, then target.
std::vector<std::string> ValidityWarnings(const Result& result, double max_failed_ratio);

}  // namespace faultline::reports
