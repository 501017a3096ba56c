// A host-speed control: a reference operation that does not involve the runtime under test,
// timed a few times in a row. Taken between repetitions, it tells whether the host itself got
// slower or faster during a run or between two runs (docs/METRICS.md, "Host-speed control").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faultline::measure {

// What a probe times: fork+exec of `true` through the harness's process machinery (the same
// path every runtime call takes, minus the runtime), so it slows down with the host's CPU,
// scheduler and exec costs, not with the runtime.
std::string HostSpeedOperation();

struct HostSpeedSample {
  std::int64_t at_ns = 0;
  std::vector<std::int64_t> durations_ns;  // successful operations only
  double load_average_1m = 0;
  std::optional<double> cpu_pressure_10s_percent;
};

// COUNT reference operations back to back (a few ms each), then the host's load.
HostSpeedSample ProbeHostSpeed(int count);

}  // namespace faultline::measure
