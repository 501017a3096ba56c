// SLO verdicts as JUnit XML for CI systems: one testcase per verdict (rule x step x target),
// a failure element with observed vs limit when it does not hold. Validity warnings go in the
// suite's system-err so a CI page shows them next to the verdicts.
#pragma once

#include <string>

#include "reports/result.h"

namespace faultline::reports {

std::string RenderJunit(const Result& result);

}  // namespace faultline::reports
