// Per-metric statistics of a run, computed from its samples and density points.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
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
//   start_latency                      op "run" samples, seconds: bundle preparation began ->
//                                      the user process exec'd (eBPF) or, without probes, the
//                                      runtime's start returned. Never both in one run: with
//                                      probes a start whose exec was not seen is run_wall only
//                                      (op_latency.run_wall holds every start's wall span then)
//   start_phase.<phase>                per "run" sample with phases: from the phase just before it
//                                      in time (or the sample's start) to this one, seconds
//   density.memory_per_container       density points with containers running, bytes
//   density.runtime_overhead_per_container  same points, bytes
//   density.reached                    one value per density outcome, count
//   recovery_time, recovery_time.<kind>  one value per fault occurrence with a recovery bound,
//                                      seconds; one that never recovered counts as failed
// Failed samples are counted in `failed` and left out of the values. Order: steps as they
// first appear in the result, then target, then metric (both lexicographic).
std::vector<MetricSeries> CollectMetrics(const Result& result);
// The metric a sample's duration is a value of: start_latency for "run", else op_latency.<op>.
std::string SampleMetric(const Sample& sample);

// With probes, the share of successful starts of STEP and TARGET (empty: any) whose kernel phases
// were joined, i.e. that have a start_latency: ok "run" over ok "run_wall" samples. Nothing
// without probes (no run_wall samples). Below kMinJoinRate a start_latency speaks for a subset
// that may not be like the rest (events lost under load are those of the busiest moments), so
// compare and gate refuse to judge it.
std::optional<double> JoinRate(const std::vector<Sample>& samples, const std::string& step = "",
                               const std::string& target = "");
inline constexpr double kMinJoinRate = 0.95;

// One aggregate per series, over all repetitions.
std::vector<Aggregate> ComputeAggregates(const Result& result);

// One aggregate per series and repetition (Aggregate::repetition set), same order, then by
// repetition.
std::vector<Aggregate> ComputeRepetitionAggregates(const Result& result);

// The unit ComputeAggregates gives a metric ("s", "bytes", "count"); empty when unknown.
std::string MetricUnit(const std::string& metric);

}  // namespace faultline::reports
