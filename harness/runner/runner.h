// Runs a scenario end to end: preflight, images, drivers, steps x targets x repetitions
// (interleaved), teardown, and the result document.
#pragma once

#include <atomic>
#include <string>

#include "harness/core/cgroup.h"
#include "harness/core/result.h"
#include "harness/scenario/model.h"
#include "reports/result.h"
#include "reports/run_observer.h"

namespace faultline::runner {

struct RunOptions {
  const std::atomic<bool>* cancel = nullptr;  // Ctrl-C: stop starting work, clean up, keep data
  bool progress = false;                      // draw a progress bar on stderr
  bool private_v1_view = false;  // the controller already entered a private v1 cgroup view
  reports::RunObserver* observer = nullptr;  // live exporters (e.g. /metrics); null: none
  bool probes = true;            // eBPF probes (degraded mode, recorded as such, when false)
  std::string cluster_name;      // run on this standing cluster (`cluster up`) instead of the
                                 // scenario's own
  // The faultline binary: node traffic helpers (steady steps) and the fault watchdog.
  std::string self_exe;
};

// True when a target needs the private v1 cgroup view on this host (crun on hybrid cgroups).
// The caller must enter it while single-threaded, before RunScenario.
bool NeedsPrivateV1View(const scenario::Scenario& scenario, CgroupMode mode);

struct RunOutcome {
  reports::Result result;
  Status teardown;  // not ok: something the run created is still there (see `recover`)
};

// The run's result, also when containers failed (failed samples) or it was cancelled
// (interrupted = true). An error means it could not run at all.
Result<RunOutcome> RunScenario(const scenario::Scenario& scenario, const RunOptions& options);

}  // namespace faultline::runner
