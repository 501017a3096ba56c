// Workloads drive one driver through one step and return what they measured.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/drivers/driver.h"
#include "harness/scenario/model.h"
#include "reports/result.h"

namespace faultline::workloads {

struct StepContext {
  std::string step;
  std::string target;
  int repetition = 0;
  std::string id_prefix;  // container ids are <id_prefix>-<n>; carries the run id
  scenario::Timeouts timeouts;
  scenario::Resources resources;              // per-container limits of the target
  const std::atomic<bool>* cancel = nullptr;  // set on Ctrl-C: finish in-flight work, start none
  std::function<void()> on_progress;          // called once per container finished
  // Called once a container runs (container faults pick from these).
  std::function<void(const drivers::Container&)> on_running;
  // Non-empty when the node takes no containers now (node.kill): why. Launches fail with it.
  std::function<std::string()> node_unavailable;
  bool cancelled() const { return cancel && cancel->load(); }
};

struct StepOutput {
  std::vector<reports::Sample> samples;
  std::vector<reports::DensityPoint> density;
  std::optional<reports::DensityOutcome> outcome;
  std::vector<std::string> warnings;  // what makes this step's numbers untrustworthy
};

// Starts COUNT short-lived containers (create, start, delete) at the given concurrency and rate.
StepOutput RunStartStorm(drivers::Driver& driver, const scenario::StartWorkload& workload,
                         const StepContext& context);

// Adds long-running containers in ramp steps until max, memory budget, start-latency bound,
// failure or cancellation; measures each ramp step, then removes them all.
StepOutput RunDensityRamp(drivers::Driver& driver, const scenario::DensityWorkload& workload,
                          const StepContext& context);

}  // namespace faultline::workloads
