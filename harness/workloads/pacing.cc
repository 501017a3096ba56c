#include "harness/workloads/pacing.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "harness/core/clock.h"

namespace faultline::workloads {

PacedRun RunPaced(std::uint32_t count, const Pacing& pacing, const std::atomic<bool>* cancel,
                  const std::function<void(std::uint32_t, std::int64_t)>& task) {
  using Clock = std::chrono::steady_clock;
  const auto begin = Clock::now();
  const std::int64_t begin_ns = BootNowNs();
  auto cancelled = [cancel] { return cancel && cancel->load(); };
  std::atomic<std::uint32_t> next{0};
  std::atomic<std::uint32_t> ran{0};
  std::atomic<std::int64_t> max_lateness_ns{0};
  std::atomic<std::int64_t> last_start_ns{0};
  auto worker = [&] {
    for (;;) {
      const std::uint32_t i = next.fetch_add(1);
      if (i >= count) return;
      std::int64_t scheduled_ns = 0;
      if (pacing.rate_per_second) {
        const auto offset = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(i / *pacing.rate_per_second));
        const auto release = begin + offset;
        scheduled_ns = begin_ns + std::chrono::nanoseconds(offset).count();
        // Sleep in slices so a cancel is noticed promptly even at low rates.
        while (Clock::now() < release && !cancelled()) {
          std::this_thread::sleep_until(
              std::min(release, Clock::now() + std::chrono::milliseconds(50)));
        }
        const std::int64_t late = std::chrono::nanoseconds(Clock::now() - release).count();
        std::int64_t seen = max_lateness_ns.load();
        while (late > seen && !max_lateness_ns.compare_exchange_weak(seen, late)) {
        }
        const std::int64_t started = std::chrono::nanoseconds(Clock::now() - begin).count();
        std::int64_t last = last_start_ns.load();
        while (started > last && !last_start_ns.compare_exchange_weak(last, started)) {
        }
      }
      if (cancelled()) return;
      task(i, scheduled_ns);
      ran.fetch_add(1);
    }
  };
  const std::uint32_t threads = std::max<std::uint32_t>(1, std::min(pacing.concurrency, count));
  std::vector<std::thread> pool;
  for (std::uint32_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& thread : pool) thread.join();
  PacedRun run{ran.load(), std::chrono::nanoseconds(max_lateness_ns.load()), 0};
  if (pacing.rate_per_second && run.ran > 1 && last_start_ns.load() > 0) {
    run.achieved_per_second = (run.ran - 1) / (static_cast<double>(last_start_ns.load()) / 1e9);
  }
  return run;
}

std::string RateNotSustained(const PacedRun& run, const Pacing& pacing, const std::string& what) {
  if (!pacing.rate_per_second ||
      std::chrono::duration<double>(run.max_lateness).count() <= 1.0 / *pacing.rate_per_second) {
    return "";
  }
  char text[240];
  std::snprintf(text, sizeof text,
                "rate %.4g/s not sustained at concurrency %u: achieved %.4g/s, %s issued up to "
                "%.0f ms after their scheduled time (latency counts from the scheduled time)",
                *pacing.rate_per_second, pacing.concurrency, run.achieved_per_second, what.c_str(),
                std::chrono::duration<double, std::milli>(run.max_lateness).count());
  return text;
}

}  // namespace faultline::workloads
