// Applies a scope's faults (the run's, or one step execution's) on schedule: injects each
// occurrence at its time from the scope's start, reverts it at its TTL, and reverts whatever is
// still applied when the scope ends or the run is cancelled. A failed injection or revert is a
// recorded failure, never a crash.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "chaos/fault.h"
#include "chaos/schedule.h"
#include "reports/result.h"

namespace faultline::chaos {

struct TimelineFault {
  std::string kind;
  std::uint32_t number = 0;  // position in the scenario: separates the jitter draws
  FaultTiming timing;
  // The occurrence's targets, resolved when it is injected (containers running then). Several
  // entries when one occurrence needs several injections (a ring partition).
  std::function<Result<std::vector<FaultParams>>(std::uint32_t occurrence)> resolve;
  reports::FaultRecord record;  // template: kind, step, target, repetition, params
};

class Timeline {
 public:
  Timeline(std::vector<TimelineFault> faults, Journal& journal, std::uint64_t seed,
           const std::atomic<bool>* cancel);
  ~Timeline();
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  // Starts the thread; offsets count from ORIGIN_NS (CLOCK_BOOTTIME).
  void Start(std::int64_t origin_ns);
  // Reverts what is applied, stops the thread and returns one record per occurrence.
  std::vector<reports::FaultRecord> Stop();

  // Called with +1 when a fault is applied and -1 when it is reverted (live metrics); set
  // before Start.
  std::function<void(int delta)> on_active_change;

 private:
  struct Applied {
    reports::FaultRecord record;
    std::vector<std::unique_ptr<ActiveFault>> active;
    std::int64_t revert_at_ns = 0;
  };
  void Loop();
  void Inject(TimelineFault& fault, const Occurrence& occurrence);
  void Revert(Applied& applied, const char* ended_by);

  std::vector<TimelineFault> faults_;
  std::vector<std::uint32_t> next_index_;
  Journal& journal_;
  std::uint64_t seed_;
  const std::atomic<bool>* cancel_;
  std::int64_t origin_ns_ = 0;
  std::vector<Applied> applied_;
  std::vector<Applied> finished_;  // reverted; reported at Stop
  std::vector<reports::FaultRecord> done_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace faultline::chaos
