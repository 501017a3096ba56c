// Runs N indexed tasks on a fixed number of worker threads, optionally released on an open-loop
// schedule (task i no earlier than start + i / rate), stopping early when cancelled.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

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
  // With a rate: tasks started per second, from the first release to the last start.
  double achieved_per_second = 0;
};

// Calls TASK(i, scheduled_ns) for i in [0, count) unless CANCEL becomes true first.
// SCHEDULED_NS is the CLOCK_BOOTTIME of task i's release with a rate, 0 without one: a task
// that measures latency counts it from there, so waiting behind a slow platform is not omitted.
PacedRun RunPaced(std::uint32_t count, const Pacing& pacing, const std::atomic<bool>* cancel,
                  const std::function<void(std::uint32_t, std::int64_t)>& task);

// The validity warning of a paced run that fell behind its rate (a task started a whole
// interval late), naming the achieved rate; empty when it kept up or had no rate. WHAT names
// the tasks ("starts").
std::string RateNotSustained(const PacedRun& run, const Pacing& pacing, const std::string& what);

}  // namespace faultline::workloads
