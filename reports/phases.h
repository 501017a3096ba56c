// Phase names of samples in time order, and per-phase durations: shared by the renderers so
// every format orders and names phases alike, whatever phases the probes report.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "reports/result.h"

namespace faultline::reports {

// Every phase name found in SAMPLES, ordered by the median of its offset from the sample's
// start (ties by name).
std::vector<std::string> OrderedPhaseNames(const std::vector<Sample>& samples);

// Container start phases in the order a start goes through them (docs/METRICS.md). "exit" ends
// the container's life, not its start: it is kept on samples but is no start phase.
const std::vector<std::string>& StartPhaseOrder();

// One sample's start phases as consecutive durations: in the order they happened in this
// sample (equal times in StartPhaseOrder, then by name), each phase's offset minus the one
// before it (the first from the sample's start), so they add up to the last phase's offset.
// Runtimes differ in order (crun creates namespaces before the cgroup, runc after). Without
// "exit" (the end of the container's life, not a part of its start).
std::map<std::string, std::int64_t> PhaseDurations(const Sample& sample);

// Container id -> the platform's event name -> when it was stamped (CLOCK_BOOTTIME ns).
using PlatformStamps = std::map<std::string, std::map<std::string, std::int64_t>>;

// Puts each container's platform stamps on its successful samples as events (ns from the
// sample's start): "run" gets every stamp, "create" the task_create stamp, "start" the
// task_start stamp; a stamp before the sample's start belongs to no operation of it.
void AddPlatformEvents(std::vector<Sample>& samples, const PlatformStamps& stamps);

}  // namespace faultline::reports
