// The human-readable summary printed at the end of a run.
#pragma once

#include <string>

#include "reports/result.h"

namespace faultline::reports {

// Per step, a table of the aggregates (target, metric, count, failed, p50, p90, p99, max, mean)
// and the step's density outcomes; then the faults (latency before and during, errors,
// recovery time); then SLO verdicts and validity warnings. The caller prints
// where the result file went. ANSI colors only when color is true.
std::string RenderSummary(const Result& result, bool color);

}  // namespace faultline::reports
