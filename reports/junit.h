// SLO verdicts as JUnit XML for CI systems: one testcase per verdict (rule x step x target),
// a failure element with observed vs limit when it does not hold. Validity warnings go in the
// suite's system-err so a CI page shows them next to the verdicts. With a base run, a second
// suite has one testcase per compared metric (comparison.h): p50/p99 of both and their ratios;
// it fails when the new run lacks a metric the base has and is skipped when the base lacks it.
#pragma once

#include <string>

#include "reports/result.h"

namespace faultline::reports {

std::string RenderJunit(const Result& result, const Result* base = nullptr);

}  // namespace faultline::reports
