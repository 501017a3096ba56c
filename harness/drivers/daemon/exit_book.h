// When each container died, as its platform's own events said, for the drivers' WaitExit: one
// thread records what it reads from the platform's events, others wait for a container's entry.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "harness/core/clock.h"
#include "harness/core/result.h"

namespace faultline::drivers {

class ExitBook {
 public:
  // Container NAME died AT (CLOCK_BOOTTIME ns).
  void Record(const std::string& name, std::int64_t at) {
    std::lock_guard lock(mu_);
    died_[name] = at;
    changed_.notify_all();
  }

  // When NAME died, waiting up to TIMEOUT; DeadlineExceeded, or Cancelled once CANCEL is set.
  // Each entry is handed out once.
  Result<std::int64_t> Wait(const std::string& name, Nanos timeout,
                            const std::atomic<bool>* cancel) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mu_);
    for (;;) {
      auto it = died_.find(name);
      if (it != died_.end()) {
        const std::int64_t at = it->second;
        died_.erase(it);
        return at;
      }
      if (cancel && cancel->load()) return Cancelled("stopped waiting: the run was interrupted");
      if (std::chrono::steady_clock::now() >= deadline) {
        return DeadlineExceeded("container " + name + " still running after its deadline");
      }
      changed_.wait_for(lock, std::chrono::milliseconds(50));
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, std::int64_t> died_;
};

}  // namespace faultline::drivers
