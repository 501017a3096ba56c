// Runs N indexed tasks on a fixed number of worker threads, optionally released on an open-loop
// schedule (task i no earlier than start + i / rate), stopping early when cancelled.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

namespace faultline::workloads {

struct Pacing {
  std::uint32_t concurrency = 1;
  std::optional<double> rate_per_second;
};

// Calls TASK(i) for i in [0, count) unless CANCEL becomes true first; returns how many ran.
std::uint32_t RunPaced(std::uint32_t count, const Pacing& pacing, const std::atomic<bool>* cancel,
                       const std::function<void(std::uint32_t)>& task);

}  // namespace faultline::workloads
