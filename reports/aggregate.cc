#include "reports/aggregate.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "harness/measure/summary.h"

namespace faultline::reports {
namespace {

struct Group {
  std::string unit;
  std::vector<double> values;
  std::uint64_t failed = 0;
};

using Key = std::tuple<std::string, std::string, std::string>;  // step, target, metric

class Collector {
 public:
  void NoteStep(const std::string& step) { step_order_.emplace(step, step_order_.size()); }

  Group& At(const std::string& step, const std::string& target, const std::string& metric) {
    NoteStep(step);
    Group& group = groups_[{step, target, metric}];
    if (group.unit.empty()) group.unit = MetricUnit(metric);
    return group;
  }

  std::vector<Aggregate> Finish() {
    std::vector<std::pair<Key, Group*>> ordered;
    ordered.reserve(groups_.size());
    for (auto& [key, group] : groups_) ordered.emplace_back(key, &group);
    // groups_ is already sorted by (step, target, metric); a stable sort by first appearance of
    // the step keeps target and metric order within each step.
    std::stable_sort(ordered.begin(), ordered.end(), [this](const auto& a, const auto& b) {
      return step_order_.at(std::get<0>(a.first)) < step_order_.at(std::get<0>(b.first));
    });
    std::vector<Aggregate> out;
    out.reserve(ordered.size());
    for (auto& [key, group] : ordered) {
      measure::Summary s = measure::Summarize(std::move(group->values));
      Aggregate a;
      a.step = std::get<0>(key);
      a.target = std::get<1>(key);
      a.metric = std::get<2>(key);
      a.unit = group->unit;
      a.count = s.count;
      a.failed = group->failed;
      a.mean = s.mean;
      a.stddev = s.stddev;
      a.min = s.min;
      a.p50 = s.p50;
      a.p90 = s.p90;
      a.p99 = s.p99;
      a.max = s.max;
      out.push_back(std::move(a));
    }
    return out;
  }

 private:
  std::map<std::string, std::size_t> step_order_;
  std::map<Key, Group> groups_;
};

void AddSample(Group& group, const Sample& sample) {
  if (!sample.ok) {
    ++group.failed;
    return;
  }
  group.values.push_back(static_cast<double>(sample.duration_ns) / 1e9);
}

}  // namespace

std::string MetricUnit(const std::string& metric) {
  if (metric == "start_latency" || metric.rfind("op_latency.", 0) == 0) return "s";
  if (metric == "recovery_time" || metric.rfind("recovery_time.", 0) == 0) return "s";
  if (metric == "density.memory_per_container" ||
      metric == "density.runtime_overhead_per_container") {
    return "bytes";
  }
  if (metric == "density.reached") return "count";
  return "";
}

std::vector<Aggregate> ComputeAggregates(const Result& result) {
  Collector collector;
  for (const Sample& sample : result.samples) {
    // A "run" sample spans bundle preparation -> start returned: that is start_latency (wall-clock
    // for now; once probes report phases it will end at the user process exec).
    const std::string metric = sample.op == "run" ? "start_latency" : "op_latency." + sample.op;
    AddSample(collector.At(sample.step, sample.target, metric), sample);
  }
  for (const DensityPoint& point : result.density) {
    collector.NoteStep(point.step);
    if (!point.node.empty()) continue;  // a node's share: already in the whole-cluster point
    // With nothing running there is no per-container figure, only a division by zero.
    if (point.containers == 0) continue;
    collector.At(point.step, point.target, "density.memory_per_container")
        .values.push_back(point.memory_per_container_bytes);
    collector.At(point.step, point.target, "density.runtime_overhead_per_container")
        .values.push_back(point.runtime_overhead_per_container_bytes);
  }
  for (const DensityOutcome& outcome : result.density_outcomes) {
    if (!outcome.node.empty()) continue;
    collector.At(outcome.step, outcome.target, "density.reached")
        .values.push_back(static_cast<double>(outcome.reached));
  }
  // Per fault kind and over all kinds; an occurrence that never recovered counts as failed.
  for (const FaultRecord& fault : result.faults) {
    if (!fault.recovery_bound_s) continue;
    for (const std::string& metric :
         {std::string("recovery_time"), "recovery_time." + fault.kind}) {
      Group& group = collector.At(fault.step, fault.target, metric);
      if (fault.recovery_time_s) {
        group.values.push_back(*fault.recovery_time_s);
      } else {
        ++group.failed;
      }
    }
  }
  return collector.Finish();
}

}  // namespace faultline::reports
