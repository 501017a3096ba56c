#include "reports/prometheus/run_metrics.h"

#include <prometheus/text_serializer.h>

#include "reports/phases.h"

namespace faultline::reports::prometheus {
namespace {

namespace pc = ::prometheus;

pc::Family<pc::Histogram>& HistogramFamily(pc::Registry& registry, const char* name,
                                           const char* help) {
  return pc::BuildHistogram().Name(name).Help(help).Register(registry);
}

pc::Gauge& UnlabelledGauge(pc::Registry& registry, const char* name, const char* help) {
  return pc::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

const std::vector<double>& StartLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02,
                                               0.03,  0.05,   0.075, 0.1,    0.15, 0.25,  0.5,
                                               1,     2.5,    5,     10,     30};
  return kBuckets;
}

RunMetrics::RunMetrics(std::map<std::string, std::string> runtimes)
    : runtimes_(std::move(runtimes)),
      registry_(std::make_shared<pc::Registry>()),
      start_(HistogramFamily(*registry_, "faultline_start_latency_seconds",
                             "Container start latency as result.json's start_latency, "
                             "successful starts.")),
      phase_(HistogramFamily(*registry_, "faultline_start_phase_seconds",
                             "Duration of each container start phase (from the previous phase "
                             "in time order, the first from the driver call), when probes "
                             "report phases.")),
      ops_(HistogramFamily(*registry_, "faultline_op_duration_seconds",
                           "Duration of each successful driver operation other than run.")),
      errors_(pc::BuildCounter()
                  .Name("faultline_op_errors_total")
                  .Help("Failed operations, by op and error class.")
                  .Register(*registry_)),
      running_(UnlabelledGauge(*registry_, "faultline_workload_running_containers",
                               "Containers the run has started and not yet seen gone.")),
      faults_(UnlabelledGauge(*registry_, "faultline_fault_active_faults",
                              "Faults injected and not yet reverted.")) {}

void RunMetrics::OnSample(const Sample& sample, const char* error_class) {
  auto runtime_of = runtimes_.find(sample.target);
  const std::string runtime = runtime_of == runtimes_.end() ? "" : runtime_of->second;
  if (!sample.ok) {
    errors_
        .Add({{"target", sample.target},
              {"runtime", runtime},
              {"op", sample.op},
              {"reason", error_class ? error_class : ""}})
        .Increment();
    return;
  }
  const double seconds = static_cast<double>(LatencyNs(sample)) / 1e9;
  if (sample.op != "run") {
    Series(ops_, {{"target", sample.target}, {"runtime", runtime}, {"op", sample.op}})
        .Observe(seconds);
    return;
  }
  Series(start_, {{"target", sample.target},
                  {"runtime", runtime},
                  {"node", sample.node},
                  {"step", sample.step}})
      .Observe(seconds);
  for (const auto& [phase, ns] : PhaseDurations(sample)) {
    Series(
        phase_,
        {{"target", sample.target}, {"runtime", runtime}, {"node", sample.node}, {"phase", phase}})
        .Observe(static_cast<double>(ns) / 1e9);
  }
}

pc::Histogram& RunMetrics::Series(pc::Family<pc::Histogram>& family, Labels labels) {
  std::lock_guard lock(series_mu_);
  auto [it, fresh] = series_.try_emplace({&family, std::move(labels)}, nullptr);
  if (fresh) it->second = &family.Add(it->first.second, StartLatencyBuckets());
  return *it->second;
}

void RunMetrics::OnContainersRunning(int delta) {
  running_.Increment(delta);
}

void RunMetrics::OnFaultsActive(int delta) {
  faults_.Increment(delta);
}

std::string RunMetrics::Encode() const {
  return pc::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace faultline::reports::prometheus
