#include "reports/target_view.h"

#include <algorithm>

namespace faultline::reports {
namespace {

// Keeps the entries of ALL bound to TARGET, renamed AS.
template <class T>
void KeepTarget(std::vector<T>& all, const std::string& target, const std::string& as) {
  std::erase_if(all, [&](const T& entry) { return entry.target != target; });
  for (T& entry : all) entry.target = as;
}

}  // namespace

faultline::Result<Result> TargetAsRun(const Result& result, const std::string& target,
                                      const std::string& as) {
  const auto& targets = result.context.targets;
  const auto info = std::find_if(targets.begin(), targets.end(),
                                 [&](const TargetInfo& t) { return t.name == target; });
  if (info == targets.end()) {
    std::string names;
    for (const TargetInfo& t : targets) names += (names.empty() ? "" : ", ") + t.name;
    return NotFound("no target '" + target + "' in run " + result.context.run_id +
                    " (its targets: " + names + ")");
  }
  Result out = result;
  out.context.targets = {*info};
  out.context.targets[0].name = as;
  KeepTarget(out.samples, target, as);
  KeepTarget(out.density, target, as);
  KeepTarget(out.density_outcomes, target, as);
  KeepTarget(out.aggregates, target, as);
  KeepTarget(out.repetition_aggregates, target, as);
  KeepTarget(out.faults, target, as);
  KeepTarget(out.signals, target, as);
  out.slo.clear();
  return out;
}

}  // namespace faultline::reports
