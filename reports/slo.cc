#include "reports/slo.h"

#include <optional>

#include "reports/aggregate.h"
#include "reports/format.h"

namespace faultline::reports {
namespace {

std::optional<double> Statistic(const Aggregate& a, const std::string& statistic) {
  if (statistic == "p50") return a.p50;
  if (statistic == "p90") return a.p90;
  if (statistic == "p99") return a.p99;
  if (statistic == "max") return a.max;
  if (statistic == "min") return a.min;
  if (statistic == "mean") return a.mean;
  if (statistic == "stddev") return a.stddev;
  return std::nullopt;
}

std::string RuleText(const scenario::SloRule& rule) {
  if (!rule.text.empty()) return rule.text;
  return rule.metric + "." + rule.statistic +
         " <= " + FormatValue(rule.max, MetricUnit(rule.metric));
}

// "start_latency in step storm for target runc", naming only what the rule restricts.
std::string Scope(const scenario::SloRule& rule) {
  std::string out = rule.metric;
  if (rule.step) out += " in step " + *rule.step;
  if (rule.target) out += " for target " + *rule.target;
  return out;
}

bool Matches(const scenario::SloRule& rule, const Aggregate& a) {
  return a.metric == rule.metric && (!rule.step || *rule.step == a.step) &&
         (!rule.target || *rule.target == a.target);
}

}  // namespace

std::vector<SloVerdict> EvaluateSlo(const std::vector<scenario::SloRule>& rules,
                                    const std::vector<Aggregate>& aggregates) {
  std::vector<SloVerdict> verdicts;
  for (const scenario::SloRule& rule : rules) {
    bool matched = false;
    for (const Aggregate& a : aggregates) {
      if (!Matches(rule, a)) continue;
      matched = true;
      SloVerdict v;
      v.rule = RuleText(rule);
      v.step = a.step;
      v.target = a.target;
      v.limit = rule.max;
      v.unit = a.unit;
      if (a.metric.rfind("recovery_time", 0) == 0 && a.failed > 0) {
        // A fault after which the workload never met its bound again has no finite recovery.
        v.pass = false;
        v.reason = std::to_string(a.failed) + " fault occurrence(s) never recovered before the " +
                   (a.step.empty() ? "run" : "step") + " ended";
      } else if (a.count == 0) {
        v.pass = false;
        v.reason = "no successful samples for " + a.metric + " in step " + a.step + " for target " +
                   a.target + " (" + std::to_string(a.failed) + " failed)";
      } else if (std::optional<double> observed = Statistic(a, rule.statistic)) {
        v.observed = *observed;
        // Written as "not <=" so a NaN observation fails instead of passing.
        v.pass = *observed <= rule.max;
        if (!v.pass) {
          v.reason = rule.statistic + " " + FormatValue(v.observed, v.unit) + " is above " +
                     FormatValue(v.limit, v.unit);
        }
      } else {
        v.pass = false;
        v.reason = "unknown statistic \"" + rule.statistic + "\"";
      }
      verdicts.push_back(std::move(v));
    }
    if (!matched) {
      SloVerdict v;
      v.rule = RuleText(rule);
      v.step = rule.step.value_or("");
      v.target = rule.target.value_or("");
      v.limit = rule.max;
      v.unit = MetricUnit(rule.metric);
      v.pass = false;
      v.reason = "no successful samples for " + Scope(rule);
      verdicts.push_back(std::move(v));
    }
  }
  return verdicts;
}

}  // namespace faultline::reports
