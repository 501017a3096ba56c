// What a run reports while it goes, for live exporters (Prometheus /metrics). Header-only so
// workloads and the runner can call it without linking any exporter. Called from worker
// threads: implementations must be thread-safe and quick (they run inside measured loops'
// bookkeeping, never inside a timed span).
#pragma once

#include "reports/result.h"

namespace faultline::reports {

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // Every sample as it is recorded (also of unrecorded warmup steps). ERROR_CLASS is null for a
  // successful sample, else the error code's name ("deadline exceeded", "internal", ...).
  virtual void OnSample(const Sample& sample, const char* error_class) = 0;
  // Containers started (+1) or gone (-1).
  virtual void OnContainersRunning(int delta) = 0;
  // Faults injected (+1) or reverted (-1).
  virtual void OnFaultsActive(int delta) = 0;
};

}  // namespace faultline::reports
