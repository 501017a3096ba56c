// Clocks. Samples use CLOCK_BOOTTIME so they line up with bpf_ktime_get_boot_ns().
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace faultline {

using Nanos = std::chrono::nanoseconds;

inline std::int64_t BootNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// CPU time the calling thread has used so far: what Google Benchmark reports as a benchmark's
// cpu_time. Taken outside an operation's timestamps, so the wall span does not include it.
inline std::int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Wall-clock time as RFC 3339 UTC with milliseconds, e.g. "2026-11-24T16:01:01.123Z".
std::string Rfc3339Now();

// A wall-clock instant (ns since the epoch, as a platform stamps its events) as CLOCK_BOOTTIME.
std::int64_t BootNsOfRealtime(std::int64_t realtime_ns);

}  // namespace faultline
