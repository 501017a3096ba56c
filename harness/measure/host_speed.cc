#include "harness/measure/host_speed.h"

#include <chrono>

#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/host.h"
#include "harness/core/process.h"

namespace faultline::measure {
namespace {

std::string TrueBinary() {
  const std::string found = FindExecutable("true");
  return found.empty() ? "/bin/true" : found;
}

}  // namespace

std::string HostSpeedOperation() {
  return "fork+exec " + TrueBinary();
}

HostSpeedSample ProbeHostSpeed(int count) {
  HostSpeedSample sample;
  sample.at_ns = BootNowNs();
  ProcessSpec spec;
  spec.argv = {TrueBinary()};
  spec.timeout = std::chrono::seconds(5);
  for (int i = 0; i < count; ++i) {
    auto outcome = RunProcess(spec);
    // A failed operation measures nothing; it is left out rather than timed.
    if (outcome.ok() && outcome->ok())
      sample.durations_ns.push_back(outcome->end_ns - outcome->start_ns);
  }
  const HostLoad load = ReadHostLoad();
  sample.load_average_1m = load.load_average_1m;
  sample.cpu_pressure_10s_percent = load.cpu_pressure_10s_percent;
  return sample;
}

}  // namespace faultline::measure
