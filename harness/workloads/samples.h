// Turning driver operations into result samples.
#pragma once

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

  void Add(const std::string& container, const std::string& op, std::int64_t start_ns,
           std::int64_t end_ns, const Status& status);
  void Add(const std::string& container, const std::string& op, const drivers::OpResult& result) {
    Add(container, op, result.start_ns, result.end_ns, result.status);
  }
  std::vector<reports::Sample> Take();
  // Tells the run's observer, if any, that containers started (+1) or are gone (-1).
  void ContainersRunning(int delta) {
    if (context_.observer) context_.observer->OnContainersRunning(delta);
  }

 private:
  const StepContext& context_;
  std::mutex mu_;
  std::vector<reports::Sample> samples_;
};

// Creates and starts one container, recording prepare, create, start and run (bundle
// preparation began -> the container was started). Returns the container (null only if nothing was
// created) and whether it runs.
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
                const StepContext& context, SampleSink& sink, bool via_run = false);

}  // namespace faultline::workloads
