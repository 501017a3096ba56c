// Runs N indexed tasks on a fixed number of worker threads, optionally released on an open-loop
// schedule (task i no earlier than start + i / rate), stopping early when cancelled.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace faultline::workloads {

struct Pacing {
  std::uint32_t concurrency = 1;
  std::optional<double> rate_per_second;
};

struct PacedRun {
  std::uint32_t ran = 0;
  // With a rate: how late the latest task started after its scheduled release. Large values
  // mean the platform could not keep up with the requested rate at this concurrency.
  std::chrono::nanoseconds max_lateness{0};
};

// Calls TASK(i) for i in [0, count) unless CANCEL becomes true first.
PacedRun RunPaced(std::uint32_t count, const Pacing& pacing, const std::atomic<bool>* cancel,
                  const std::function<void(std::uint32_t)>& task);

}  // namespace faultline::workloads
