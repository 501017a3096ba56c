// What a run's probes add to its result: phases on samples (start_latency then ends at the user
// process exec), signal counts per step window, the `probes` section, and validity warnings.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "probes/probe_log.h"
#include "probes/probe_set.h"
#include "reports/result.h"

namespace faultline::probes {

struct StepWindow {
  std::string step;
  std::string target;
  int repetition = 0;
  std::int64_t from_ns = 0;
  std::int64_t to_ns = 0;
};

// Joins what LOG kept of the run's probe events into RESULT. STATS says whether probes ran;
// degraded mode only adds the `probes` section and the validity warning that says so.
// PLATFORM_IDS maps container names to the ids their platform gave them (see JoinPhases).
void ApplyProbeEvents(const ProbeLog& log, const ProbeStats& stats,
                      const std::vector<StepWindow>& windows, reports::Result& result,
                      const std::map<std::string, std::string>& platform_ids);

}  // namespace faultline::probes
