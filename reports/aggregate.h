// Per-metric statistics of a run, computed from its samples and density points.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "reports/result.h"

namespace faultline::reports {

// The values of one metric of one (step, target), by repetition.
struct MetricSeries {
  std::string step;
  std::string target;
  std::string metric;
  std::string unit;
  std::map<int, std::vector<double>> values;  // successful values, by repetition
  std::map<int, std::uint64_t> failed;        // failed samples, by repetition

  std::vector<double> AllValues() const;
  std::uint64_t AllFailed() const;
};

// Groups a result's values by (step, target, metric):
//   op_latency.<op>                    every sample op, seconds
//   start_latency                      op "run" samples (create issued -> start returned), seconds
//   start_phase.<phase>                op "run" samples with phases: time from the previous phase
//                                      (by timestamp; the first from the sample's start), seconds
//   op_phase.<op>.<phase>              the same for the phases of every other op, seconds
//   density.memory_per_container       density points with containers running, bytes
//   density.runtime_overhead_per_container  same points, bytes
//   density.reached                    one value per density outcome, count
// Failed samples are counted in `failed` and left out of the values. Order: steps as they
// first appear in the result, then target, then metric (both lexicographic).
std::vector<MetricSeries> CollectMetrics(const Result& result);

// One aggregate per series, over all repetitions.
std::vector<Aggregate> ComputeAggregates(const Result& result);

// One aggregate per series and repetition (Aggregate::repetition set), same order, then by
// repetition.
std::vector<Aggregate> ComputeRepetitionAggregates(const Result& result);

// The unit ComputeAggregates gives a metric ("s", "bytes", "count"); empty when unknown.
std::string MetricUnit(const std::string& metric);

}  // namespace faultline::reports
