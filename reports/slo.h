// Checks a scenario's SLO rules against the run's aggregates.
#pragma once

#include <vector>

#include "harness/scenario/model.h"
#include "reports/result.h"

namespace faultline::reports {

// One verdict per (rule, matching aggregate): a rule applies to every aggregate with its metric,
// restricted to its step and target when the rule names them. observed > max fails. A rule with
// nothing to judge (no matching aggregate, or one with no successful samples) fails too: missing
// data must never pass silently. Verdicts follow rule order, then aggregate order.
std::vector<SloVerdict> EvaluateSlo(const std::vector<scenario::SloRule>& rules,
                                    const std::vector<Aggregate>& aggregates);

}  // namespace faultline::reports
