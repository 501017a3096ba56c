// The live metrics of one run (docs/METRICS.md, "Live metrics"), fed by the run's observer
// hooks and kept in a Registry.
#pragma once

#include <map>
#include <string>

#include "reports/prometheus/registry.h"
#include "reports/run_observer.h"

namespace faultline::reports::prometheus {

// Bucket bounds for container start latencies and phases, in seconds: 1 ms to 30 s.
const std::vector<double>& StartLatencyBuckets();

class RunMetrics : public RunObserver {
 public:
  // RUNTIMES: target name -> runtime name, for the `runtime` label.
  explicit RunMetrics(std::map<std::string, std::string> runtimes);

  void OnSample(const Sample& sample, const char* error_class) override;
  void OnContainersRunning(int delta) override;
  void OnFaultsActive(int delta) override;

  const Registry& registry() const { return registry_; }

 private:
  std::map<std::string, std::string> runtimes_;
  Registry registry_;
};

}  // namespace faultline::reports::prometheus
