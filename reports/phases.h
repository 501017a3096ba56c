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

// One sample's phases as consecutive durations in ORDER: each phase's offset minus the previous
// present phase's offset (the first from the sample's start). Phases the sample lacks are absent,
// and so is "exit" (the end of the container's life, not a part of its start).
std::map<std::string, std::int64_t> PhaseDurations(const Sample& sample,
                                                   const std::vector<std::string>& order);

}  // namespace faultline::reports
