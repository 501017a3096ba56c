#include "reports/fault_impact.h"

#include <algorithm>

#include "harness/measure/summary.h"

namespace faultline::reports {
namespace {

bool InScope(const FaultRecord& fault, const Sample& sample) {
  if (fault.step.empty()) return true;
  return sample.step == fault.step && sample.target == fault.target &&
         sample.repetition == fault.repetition;
}

// The tightest p99/max SLO bound on METRIC that applies to STEP and TARGET.
std::optional<double> SloBound(const std::vector<scenario::SloRule>& slo, const std::string& metric,
                               const FaultRecord& fault) {
  std::optional<double> bound;
  for (const auto& rule : slo) {
    if (rule.metric != metric || (rule.statistic != "p99" && rule.statistic != "max")) continue;
    if (rule.step && *rule.step != fault.step) continue;
    if (rule.target && *rule.target != fault.target) continue;
    bound = bound ? std::min(*bound, rule.max) : rule.max;
  }
  return bound;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

bool OnFaultedPath(const FaultRecord& fault, const Sample& sample) {
  if (!fault.cuts.empty()) {
    // A partition cuts paths, not nodes: a round trip crossing one of its cuts. Starts are
    // local to their node, which every side of a partition is on.
    if (sample.peer.empty()) return true;
    for (const auto& cut : fault.cuts) {
      int from = -1, to = -1;
      for (std::size_t side = 0; side < cut.size(); ++side) {
        if (Contains(cut[side], sample.node)) from = static_cast<int>(side);
        if (Contains(cut[side], sample.peer)) to = static_cast<int>(side);
      }
      if (from >= 0 && to >= 0 && from != to) return true;
    }
    return false;
  }
  if (fault.nodes.empty()) return true;  // no node named: the whole run's
  return Contains(fault.nodes, sample.node) || Contains(fault.nodes, sample.peer);
}

WindowStats StatsOf(const std::vector<const Sample*>& samples) {
  WindowStats stats;
  std::vector<double> latencies;
  for (const Sample* s : samples) {
    ++stats.samples;
    if (!s->ok) {
      ++stats.failed;
      continue;
    }
    latencies.push_back(static_cast<double>(LatencyNs(*s)) / 1e9);
  }
  if (stats.samples) stats.error_rate = static_cast<double>(stats.failed) / stats.samples;
  const measure::Summary summary = measure::Summarize(std::move(latencies));
  stats.p50_s = summary.p50;
  stats.p99_s = summary.p99;
  return stats;
}

std::optional<double> RecoveryTime(const std::vector<const Sample*>& samples,
                                   std::int64_t revert_ns, double bound_s, std::size_t window) {
  std::size_t good_run = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = *samples[i];
    const bool good = s.ok && static_cast<double>(LatencyNs(s)) / 1e9 <= bound_s;
    good_run = good ? good_run + 1 : 0;
    if (good_run == window) {
      const Sample& first = *samples[i + 1 - window];
      return static_cast<double>(std::max<std::int64_t>(0, first.start_ns - revert_ns)) / 1e9;
    }
  }
  return std::nullopt;
}

void MeasureFaultImpact(Result& result, const std::vector<scenario::SloRule>& slo) {
  for (FaultRecord& fault : result.faults) {
    if (fault.inject_ns == 0 || fault.revert_ns == 0) continue;
    bool request_response = false;
    for (const Sample& s : result.samples) {
      if (s.op == "tcp_rr" && InScope(fault, s)) {
        request_response = true;
        break;
      }
    }
    const std::string op = request_response ? "tcp_rr" : "run";
    fault.impact_metric = request_response ? "op_latency.tcp_rr" : "start_latency";
    const std::int64_t window = fault.revert_ns - fault.inject_ns;
    std::vector<const Sample*> before, during, after, control;
    for (const Sample& s : result.samples) {
      if (s.op != op || !InScope(fault, s)) continue;
      if (!OnFaultedPath(fault, s)) {
        if (s.start_ns >= fault.inject_ns && s.start_ns < fault.revert_ns) control.push_back(&s);
        continue;
      }
      if (s.start_ns >= fault.inject_ns - window && s.start_ns < fault.inject_ns) {
        before.push_back(&s);
      } else if (s.start_ns >= fault.inject_ns && s.start_ns < fault.revert_ns) {
        during.push_back(&s);
      } else if (s.start_ns >= fault.revert_ns) {
        after.push_back(&s);
      }
    }
    if (!before.empty()) fault.baseline = StatsOf(before);
    fault.during = StatsOf(during);
    if (!control.empty()) fault.control = StatsOf(control);
    if (request_response) {
      fault.drops = fault.during->failed;
      fault.drops_from = "tcp_rr_failures";
    }
    // A platform fault's recovery is the platform's own: its daemon taking a start again.
    if (!fault.daemons.empty()) continue;
    std::optional<double> bound = SloBound(slo, fault.impact_metric, fault);
    if (!bound && fault.baseline && fault.baseline->samples > fault.baseline->failed) {
      bound = kBaselineFactor * fault.baseline->p99_s;
    }
    if (!bound) continue;
    fault.recovery_bound_s = bound;
    std::sort(after.begin(), after.end(),
              [](const Sample* a, const Sample* b) { return a->start_ns < b->start_ns; });
    fault.recovery_time_s = RecoveryTime(after, fault.revert_ns, *bound);
  }
}

}  // namespace faultline::reports
