// What each fault occurrence did to the workload, from the samples alone (pure functions).
//
// Samples: the workload's headline operation in the fault's scope (the step execution it was
// bound to, or the whole run): "tcp_rr" (metric op_latency.tcp_rr) when the scope has
// request/response samples, else "run" (start_latency), on the paths the fault touched
// (OnFaultedPath). A sample belongs to the interval in which it was issued (start_ns).
//   control   the same samples on the paths it did not touch, issued from injection to revert
//   baseline  samples issued in the interval as long as the fault window just before injection
//   during    samples issued from injection to revert
//   recovery_time  from revert to the issue time of the first sample that begins a run of N
//             consecutive samples (N = 5) that all succeeded within the bound; the bound is the
//             scenario's p99/max SLO for the metric when it has one for the step, else twice the
//             baseline p99. Null when no such run exists before the scope's samples end (or no
//             bound exists: no SLO and no baseline). Its resolution is the sampling interval.
//             platform.* faults keep the recovery their mechanism measured (the daemon started
//             again -> a new container started through it, slowest node).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "harness/scenario/model.h"
#include "reports/result.h"

namespace faultline::reports {

inline constexpr std::size_t kRecoverySamples = 5;
inline constexpr double kBaselineFactor = 2.0;

// Whether SAMPLE's path went through what FAULT touched: for a partition, a round trip between
// two sides of one of its cuts (every start); otherwise a sample whose node, or a round trip whose
// peer, is one of the fault's nodes; everything when the fault names no node.
bool OnFaultedPath(const FaultRecord& fault, const Sample& sample);

// Count, failures, error rate and latency quantiles of SAMPLES.
WindowStats StatsOf(const std::vector<const Sample*>& samples);

// SAMPLES sorted by start_ns, all issued at or after REVERT_NS.
std::optional<double> RecoveryTime(const std::vector<const Sample*>& samples,
                                   std::int64_t revert_ns, double bound_s,
                                   std::size_t window = kRecoverySamples);

// Fills impact_metric, baseline, during, drops, recovery_bound_s and recovery_time_s of every fault
// in RESULT from its samples.
void MeasureFaultImpact(Result& result, const std::vector<scenario::SloRule>& slo);

}  // namespace faultline::reports
