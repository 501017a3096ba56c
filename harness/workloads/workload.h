// Workloads drive one driver through one step and return what they measured.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/cluster/cluster.h"
#include "harness/cluster/placement.h"
#include "harness/core/journal.h"
#include "harness/drivers/driver.h"
#include "harness/scenario/model.h"
#include "reports/result.h"
#include "reports/run_observer.h"

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
  reports::RunObserver* observer = nullptr;   // live exporters; null: none
  // Where containers go: the cluster's nodes (never empty), the placer of this step and the
  // node the step or target pins it to (empty: the placement policy decides).
  std::vector<cluster::Node> nodes = {cluster::Node{"local"}};
  cluster::Placer* placer = nullptr;  // null: every container on nodes[0]
  std::string pinned_node;
  std::string helper_exe;      // the faultline binary: runs node traffic helpers (steady)
  std::string scratch_dir;     // private files of this step (stop files of helpers)
  Journal* journal = nullptr;  // the run's: what a step creates beyond containers
  // Steady steps: called once the load starts, with its window (CLOCK_BOOTTIME ns, end as
  // planned), on the step's thread, which waits for it: return at once (e.g. schedule
  // faults inside the window on a thread of your own).
  std::function<void(std::int64_t begin_ns, std::int64_t end_ns)> on_window;
  // Called once a container runs (container faults pick from these).
  std::function<void(const drivers::Container&)> on_running;
  // Non-empty when the node (by its cgroup) takes no containers now (node.kill): why.
  // Launches placed on it fail with that reason.
  std::function<std::string(const std::string& node_cgroup)> node_unavailable;
  bool cancelled() const { return cancel && cancel->load(); }
};

struct StepOutput {
  std::vector<reports::Sample> samples;
  std::vector<reports::DensityPoint> density;
  std::optional<reports::DensityOutcome> outcome;
  std::vector<reports::DensityOutcome> node_outcomes;  // per node of a cluster, with its knee
  std::vector<std::string> warnings;  // what makes this step's numbers untrustworthy
  // Steady steps: when the load ran (CLOCK_BOOTTIME ns; end: when it actually stopped).
  std::int64_t window_begin_ns = 0;
  std::int64_t window_end_ns = 0;
};

// Starts COUNT short-lived containers (create, start, delete) at the given concurrency and rate.
StepOutput RunStartStorm(drivers::Driver& driver, const scenario::StartWorkload& workload,
                         const StepContext& context);

// Container start/stop churn on every node and TCP request/response traffic between every
// pair of nodes, for the workload's duration (or until cancelled).
StepOutput RunSteady(drivers::Driver& driver, const scenario::SteadyWorkload& workload,
                     const StepContext& context);

// Adds long-running containers in ramp steps until max, memory budget, start-latency bound,
// failure or cancellation; measures each ramp step, then removes them all.
StepOutput RunDensityRamp(drivers::Driver& driver, const scenario::DensityWorkload& workload,
                          const StepContext& context);

}  // namespace faultline::workloads
