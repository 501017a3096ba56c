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

}  // namespace faultline::reports
