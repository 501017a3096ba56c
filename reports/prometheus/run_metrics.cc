#include "reports/prometheus/run_metrics.h"

#include "reports/phases.h"

namespace faultline::reports::prometheus {
namespace {

constexpr const char* kStart = "faultline_start_latency_seconds";
constexpr const char* kPhase = "faultline_start_phase_seconds";
constexpr const char* kOps = "faultline_op_duration_seconds";
constexpr const char* kErrors = "faultline_op_errors_total";
constexpr const char* kRunning = "faultline_workload_running_containers";
constexpr const char* kFaults = "faultline_fault_active_faults";

}  // namespace

const std::vector<double>& StartLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02,
                                               0.03,  0.05,   0.075, 0.1,    0.15, 0.25,  0.5,
                                               1,     2.5,    5,     10,     30};
  return kBuckets;
}

RunMetrics::RunMetrics(std::map<std::string, std::string> runtimes)
    : runtimes_(std::move(runtimes)) {
  // Definitions are constants of this file; unit tests check they are accepted.
  (void)registry_.Define(kStart, MetricType::kHistogram,
                         "Container start latency (op run: driver call issued to started), "
                         "successful starts.",
                         {"target", "runtime", "node", "step"}, StartLatencyBuckets());
  (void)registry_.Define(kPhase, MetricType::kHistogram,
                         "Duration of each container start phase (from the previous phase in "
                         "time order, the first from the driver call), when probes report phases.",
                         {"target", "runtime", "node", "phase"}, StartLatencyBuckets());
  (void)registry_.Define(kOps, MetricType::kHistogram,
                         "Duration of each successful driver operation other than run.",
                         {"target", "runtime", "op"}, StartLatencyBuckets());
  (void)registry_.Define(kErrors, MetricType::kCounter, "Failed operations, by op and error class.",
                         {"target", "runtime", "op", "reason"});
  (void)registry_.Define(kRunning, MetricType::kGauge,
                         "Containers the run has started and not yet seen gone.", {});
  (void)registry_.Define(kFaults, MetricType::kGauge, "Faults injected and not yet reverted.", {});
}

void RunMetrics::OnSample(const Sample& sample, const char* error_class) {
  auto runtime_of = runtimes_.find(sample.target);
  const std::string runtime = runtime_of == runtimes_.end() ? "" : runtime_of->second;
  if (!sample.ok) {
    registry_.Add(kErrors, {sample.target, runtime, sample.op, error_class ? error_class : ""}, 1);
    return;
  }
  const double seconds = static_cast<double>(LatencyNs(sample)) / 1e9;
  if (sample.op != "run") {
    registry_.Observe(kOps, {sample.target, runtime, sample.op}, seconds);
    return;
  }
  registry_.Observe(kStart, {sample.target, runtime, sample.node, sample.step}, seconds);
  for (const auto& [phase, ns] : PhaseDurations(sample)) {
    registry_.Observe(kPhase, {sample.target, runtime, sample.node, phase},
                      static_cast<double>(ns) / 1e9);
  }
}

void RunMetrics::OnContainersRunning(int delta) {
  registry_.Add(kRunning, {}, delta);
}

void RunMetrics::OnFaultsActive(int delta) {
  registry_.Add(kFaults, {}, delta);
}

}  // namespace faultline::reports::prometheus
