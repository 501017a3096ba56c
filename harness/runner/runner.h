// Runs a scenario's plan end to end: preflight, images, platforms, drivers, the executions in
// their interleaved order, teardown, and the result document.
#pragma once

#include <atomic>
#include <string>

#include "harness/core/cgroup.h"
#include "harness/core/result.h"
#include "harness/runner/gate_session.h"
#include "harness/runner/plan.h"
#include "harness/scenario/model.h"
#include "reports/result.h"
#include "reports/run_observer.h"

namespace faultline::runner {

struct RunOptions {
  const std::atomic<bool>* cancel = nullptr;  // Ctrl-C: stop starting work, clean up, keep data
  bool progress = false;                      // draw a progress bar on stderr
  bool private_v1_view = false;  // the controller already entered a private v1 cgroup view
  reports::RunObserver* observer = nullptr;  // live exporters (e.g. /metrics); null: none
  bool probes = true;        // eBPF probes (degraded mode, recorded as such, when false)
  std::string cluster_name;  // run on this standing cluster (`cluster up`) instead of the
                             // scenario's own
  // The faultline binary: node traffic helpers (steady steps) and the fault watchdog.
  std::string self_exe;
  // `faultline gate`: instead of the plan's executions, its warm-ups then quads of the gated
  // step until the verdict (Result::gate). Null: the plan as it is.
  const GateRequest* gate = nullptr;
};

struct RunOutcome {
  reports::Result result;
  Status teardown;  // not ok: something the run created is still there (see `recover`)
};

// Executes PLAN (runner/plan.h). The run's result, also when containers failed (failed samples)
// or it was cancelled (interrupted = true). An error means it could not run at all. When
// plan.needs_private_v1_view, the caller must have entered that view while single-threaded.
Result<RunOutcome> RunScenario(const Plan& plan, const RunOptions& options);

}  // namespace faultline::runner
