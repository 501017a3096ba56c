// Time metrics in Google Benchmark's JSON output format, so its compare tooling can read two
// runs: one benchmark per (step, target, metric) named "<step>/<target>/<metric>", each
// successful sample as one repetition ("iteration" run) and mean/median/stddev as aggregates.
// Times in milliseconds. real_time is the sample's latency; cpu_time, as Google Benchmark
// defines it, the CPU time of the thread that ran the operation: the harness's own cost of the
// call, not the platform's. Benchmarks whose samples have no measured CPU time (composites such
// as "lifecycle", round trips) carry no cpu_time, and the format's compare tool leaves them out.
#pragma once

#include <nlohmann/json.hpp>

#include "reports/result.h"

namespace faultline::reports {

nlohmann::json ToGbenchJson(const Result& result);

}  // namespace faultline::reports
