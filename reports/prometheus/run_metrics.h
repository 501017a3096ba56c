// The live metrics of one run (docs/METRICS.md, "Live metrics"), fed by the run's observer
// hooks and kept in a prometheus-cpp registry, which the metrics server exposes and the push
// serializes.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

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

  // What a scrape or a push sends: the text exposition format 0.0.4.
  std::string Encode() const;
  const std::shared_ptr<::prometheus::Registry>& registry() const { return registry_; }

 private:
  using Labels = std::map<std::string, std::string>;
  // FAMILY's series for LABELS. prometheus-cpp's Family::Add builds a whole histogram (its
  // buckets) before it finds an existing series: each series is asked for once.
  ::prometheus::Histogram& Series(::prometheus::Family<::prometheus::Histogram>& family,
                                  Labels labels);

  std::map<std::string, std::string> runtimes_;
  std::shared_ptr<::prometheus::Registry> registry_;
  ::prometheus::Family<::prometheus::Histogram>& start_;
  ::prometheus::Family<::prometheus::Histogram>& phase_;
  ::prometheus::Family<::prometheus::Histogram>& ops_;
  ::prometheus::Family<::prometheus::Counter>& errors_;
  ::prometheus::Gauge& running_;
  ::prometheus::Gauge& faults_;
  std::mutex series_mu_;
  std::map<std::pair<const void*, Labels>, ::prometheus::Histogram*> series_;
};

}  // namespace faultline::reports::prometheus
