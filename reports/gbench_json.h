// Time metrics in Google Benchmark's JSON output format, so its compare tooling can read two
// runs: one benchmark per (step, target, metric) named "<step>/<target>/<metric>", each
// successful sample as one repetition ("iteration" run) and mean/median/stddev as aggregates.
// Times in milliseconds. real_time is the sample's latency; cpu_time, as Google Benchmark
// defines it, the CPU time of the thread that ran the operation: the harness's own cost of the
// call, not the platform's. Samples without a measured CPU time (exit, tcp_rr, results written
// before samples carried one) are left out: the format's tools need cpu_time in every benchmark.
#pragma once

#include <nlohmann/json.hpp>

#include "reports/result.h"

namespace faultline::reports {

nlohmann::json ToGbenchJson(const Result& result);

}  // namespace faultline::reports
