// Time metrics in Google Benchmark's JSON output format, so its compare tooling can read two
// runs: one benchmark per (step, target, metric) named "<step>/<target>/<metric>", each
// successful sample as one repetition ("iteration" run) and mean/median/stddev as aggregates.
// Times in milliseconds; faultline measures wall-clock only, so cpu_time repeats real_time.
#pragma once

#include <nlohmann/json.hpp>

#include "reports/result.h"

namespace faultline::reports {

nlohmann::json ToGbenchJson(const Result& result);

}  // namespace faultline::reports
