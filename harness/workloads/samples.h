// Turning driver operations into result samples.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "harness/drivers/driver.h"
#include "harness/workloads/workload.h"

namespace faultline::workloads {

// Collects samples from worker threads.
class SampleSink {
 public:
  explicit SampleSink(const StepContext& context) : context_(context) {}

  // SCHEDULED_NS: when an open-loop rate released the operation (reports::Sample), 0 if none;
  // CPU_NS: the harness's CPU time in it, -1 if not measured.
  void Add(const std::string& container, const std::string& op, std::int64_t start_ns,
           std::int64_t end_ns, const Status& status, std::int64_t scheduled_ns = 0,
           std::int64_t cpu_ns = -1);
  void Add(const std::string& container, const std::string& op, const drivers::OpResult& result) {
    Add(container, op, result.start_ns, result.end_ns, result.status, 0, result.cpu_ns);
  }
  void Add(reports::Sample sample);
  // Samples of CONTAINER name NODE from now on (default: the cluster's first node).
  void SetNode(const std::string& container, const std::string& node);
  std::vector<reports::Sample> Take();
  // Tells the run's observer, if any, that containers started (+1) or are gone (-1).
  void ContainersRunning(int delta) {
    if (context_.observer) context_.observer->OnContainersRunning(delta);
  }

 private:
  const StepContext& context_;
  std::mutex mu_;
  std::vector<reports::Sample> samples_;
  std::map<std::string, std::string> nodes_;  // container -> node
};

// Chooses the node for SPEC (the context's pinned node, else its placer's policy), points SPEC
// at the node's network namespace and cgroup parent and tells SINK. The node index, or why
// no node could take it.
Result<std::size_t> PlaceOnNode(const StepContext& context, drivers::ContainerSpec& spec,
                                SampleSink& sink);
// The container placed on NODE is gone.
void Unplace(const StepContext& context, std::size_t node);

// Creates and starts one container, recording prepare, create, start and run (bundle
// preparation began -> the container was started; from SCHEDULED_NS when an open-loop rate
// released it then). Returns the container (null only if nothing was created) and whether it
// runs.
struct Launched {
  std::unique_ptr<drivers::Container> container;
  bool running = false;
  std::int64_t begin_ns = 0;         // when preparation began: the start of the run sample
  std::int64_t run_ns = 0;           // duration of the run sample, when running
  std::int64_t start_issued_ns = 0;  // when the call that starts the user process was issued
  Status failure;                    // why it is not running
};
// With VIA_RUN the runtime's single detached run call replaces create + start (op
// "run_detached").
Launched Launch(drivers::Driver& driver, const drivers::ContainerSpec& spec,
                const StepContext& context, SampleSink& sink, bool via_run = false,
                std::int64_t scheduled_ns = 0);

}  // namespace faultline::workloads
