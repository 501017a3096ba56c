#include "reports/aggregate.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "harness/measure/summary.h"
#include "reports/phases.h"

namespace faultline::reports {
namespace {

using Key = std::tuple<std::string, std::string, std::string>;  // step, target, metric

class Collector {
 public:
  void NoteStep(const std::string& step) { step_order_.emplace(step, step_order_.size()); }

  MetricSeries& At(const std::string& step, const std::string& target, const std::string& metric) {
    NoteStep(step);
    MetricSeries& series = series_[{step, target, metric}];
    if (series.metric.empty()) {
      series.step = step;
      series.target = target;
      series.metric = metric;
      series.unit = MetricUnit(metric);
    }
    return series;
  }

  std::vector<MetricSeries> Finish() {
    std::vector<MetricSeries> out;
    out.reserve(series_.size());
    for (auto& [key, series] : series_) out.push_back(std::move(series));
    // series_ is already sorted by (step, target, metric); a stable sort by first appearance of
    // the step keeps target and metric order within each step.
    std::stable_sort(out.begin(), out.end(), [this](const auto& a, const auto& b) {
      return step_order_.at(a.step) < step_order_.at(b.step);
    });
    return out;
  }

 private:
  std::map<std::string, std::size_t> step_order_;
  std::map<Key, MetricSeries> series_;
};

double Seconds(std::int64_t ns) {
  return static_cast<double>(ns) / 1e9;
}

Aggregate Summarize(const MetricSeries& series, std::vector<double> values, std::uint64_t failed) {
  measure::Summary s = measure::Summarize(std::move(values));
  Aggregate a;
  a.step = series.step;
  a.target = series.target;
  a.metric = series.metric;
  a.unit = series.unit;
  a.count = s.count;
  a.failed = failed;
  a.mean = s.mean;
  a.stddev = s.stddev;
  a.min = s.min;
  a.p50 = s.p50;
  a.p90 = s.p90;
  a.p99 = s.p99;
  a.max = s.max;
  return a;
}

// start_phase.<phase>: the time from the phase that happened just before it in this sample
// (PhaseDurations), so a sample's phases add up to its start latency.
void AddPhases(Collector& collector, const Sample& sample) {
  if (!sample.ok) return;
  for (const auto& [phase, ns] : PhaseDurations(sample)) {
    collector.At(sample.step, sample.target, "start_phase." + phase)
        .values[sample.repetition]
        .push_back(Seconds(ns));
  }
}

}  // namespace

std::vector<double> MetricSeries::AllValues() const {
  std::vector<double> all;
  for (const auto& [repetition, v] : values) all.insert(all.end(), v.begin(), v.end());
  return all;
}

std::uint64_t MetricSeries::AllFailed() const {
  std::uint64_t total = 0;
  for (const auto& [repetition, n] : failed) total += n;
  return total;
}

std::string MetricUnit(const std::string& metric) {
  if (metric == "start_latency" || metric.rfind("op_latency.", 0) == 0 ||
      metric.rfind("start_phase.", 0) == 0 || metric.rfind("platform_event.", 0) == 0) {
    return "s";
  }
  if (metric == "recovery_time" || metric.rfind("recovery_time.", 0) == 0) return "s";
  if (metric == "density.memory_per_container" ||
      metric == "density.runtime_overhead_per_container") {
    return "bytes";
  }
  if (metric == "density.reached") return "count";
  return "";
}

std::optional<double> JoinRate(const std::vector<Sample>& samples, const std::string& step,
                               const std::string& target) {
  std::uint64_t joined = 0, all = 0;
  for (const Sample& sample : samples) {
    if (!sample.ok || (!step.empty() && sample.step != step) ||
        (!target.empty() && sample.target != target)) {
      continue;
    }
    joined += sample.op == "run";
    all += sample.op == "run_wall";
  }
  if (all == 0) return std::nullopt;
  return static_cast<double>(joined) / static_cast<double>(all);
}

std::string SampleMetric(const Sample& sample) {
  return sample.op == "run" ? "start_latency" : "op_latency." + sample.op;
}

std::vector<MetricSeries> CollectMetrics(const Result& result) {
  Collector collector;
  for (const Sample& sample : result.samples) {
    // A "run" sample spans bundle preparation -> user process exec (probes) or start returned.
    MetricSeries& series = collector.At(sample.step, sample.target, SampleMetric(sample));
    if (!sample.ok) {
      ++series.failed[sample.repetition];
      continue;
    }
    series.values[sample.repetition].push_back(Seconds(LatencyNs(sample)));
    if (sample.op == "run") AddPhases(collector, sample);
    // platform_event.<name>: from the operation's issue until the platform stamped that step.
    for (const auto& [name, ns] : sample.events) {
      collector.At(sample.step, sample.target, "platform_event." + name)
          .values[sample.repetition]
          .push_back(Seconds(ns));
    }
  }
  for (const DensityPoint& point : result.density) {
    collector.NoteStep(point.step);
    if (!point.node.empty()) continue;  // a node's share: already in the whole-cluster point
    // With nothing running there is no per-container figure, only a division by zero.
    if (point.containers == 0) continue;
    collector.At(point.step, point.target, "density.memory_per_container")
        .values[point.repetition]
        .push_back(point.memory_per_container_bytes);
    collector.At(point.step, point.target, "density.runtime_overhead_per_container")
        .values[point.repetition]
        .push_back(point.runtime_overhead_per_container_bytes);
  }
  for (const DensityOutcome& outcome : result.density_outcomes) {
    if (!outcome.node.empty()) continue;
    collector.At(outcome.step, outcome.target, "density.reached")
        .values[outcome.repetition]
        .push_back(static_cast<double>(outcome.reached));
  }
  // Per fault kind and over all kinds; an occurrence that never recovered counts as failed.
  // Platform faults measure their own recovery (no workload bound).
  for (const FaultRecord& fault : result.faults) {
    if (!fault.recovery_bound_s && fault.daemons.empty()) continue;
    for (const std::string& metric :
         {std::string("recovery_time"), "recovery_time." + fault.kind}) {
      MetricSeries& series = collector.At(fault.step, fault.target, metric);
      if (fault.recovery_time_s) {
        series.values[fault.repetition].push_back(*fault.recovery_time_s);
      } else {
        ++series.failed[fault.repetition];
      }
    }
  }
  return collector.Finish();
}

std::vector<Aggregate> ComputeAggregates(const Result& result) {
  std::vector<Aggregate> out;
  for (const MetricSeries& series : CollectMetrics(result)) {
    out.push_back(Summarize(series, series.AllValues(), series.AllFailed()));
  }
  return out;
}

std::vector<Aggregate> ComputeRepetitionAggregates(const Result& result) {
  std::vector<Aggregate> out;
  for (const MetricSeries& series : CollectMetrics(result)) {
    std::set<int> repetitions;  // with values or failures
    for (const auto& [repetition, v] : series.values) repetitions.insert(repetition);
    for (const auto& [repetition, n] : series.failed) repetitions.insert(repetition);
    for (int repetition : repetitions) {
      auto values = series.values.find(repetition);
      auto failed = series.failed.find(repetition);
      Aggregate a =
          Summarize(series, values == series.values.end() ? std::vector<double>{} : values->second,
                    failed == series.failed.end() ? 0 : failed->second);
      a.repetition = repetition;
      out.push_back(std::move(a));
    }
  }
  return out;
}

}  // namespace faultline::reports
