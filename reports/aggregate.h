// Per-metric statistics of a run, computed from its samples and density points.
#pragma once

#include <string>
#include <vector>

#include "reports/result.h"

namespace faultline::reports {

// Groups by (step, target, metric) and summarizes each group:
//   op_latency.<op>                    every sample op, seconds
//   start_latency                      op "run" samples (create issued -> start returned), seconds
//   density.memory_per_container       density points with containers running, bytes
//   density.runtime_overhead_per_container  same points, bytes
//   density.reached                    one value per density outcome, count
//   recovery_time, recovery_time.<kind>  one value per fault occurrence with a recovery bound,
//                                      seconds; one that never recovered counts as failed
// Failed samples are counted in `failed` and left out of the statistics. Order: steps as they
// first appear in the result, then target, then metric (both lexicographic).
std::vector<Aggregate> ComputeAggregates(const Result& result);

// The unit ComputeAggregates gives a metric ("s", "bytes", "count"); empty when unknown.
std::string MetricUnit(const std::string& metric);

}  // namespace faultline::reports
