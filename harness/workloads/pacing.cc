#include "harness/workloads/pacing.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace faultline::workloads {

PacedRun RunPaced(std::uint32_t count, const Pacing& pacing, const std::atomic<bool>* cancel,
                  const std::function<void(std::uint32_t)>& task) {
  using Clock = std::chrono::steady_clock;
  const auto begin = Clock::now();
  auto cancelled = [cancel] { return cancel && cancel->load(); };
  std::atomic<std::uint32_t> next{0};
  std::atomic<std::uint32_t> ran{0};
  std::atomic<std::int64_t> max_lateness_ns{0};
  auto worker = [&] {
    for (;;) {
      const std::uint32_t i = next.fetch_add(1);
      if (i >= count) return;
      if (pacing.rate_per_second) {
        const auto release =
            begin + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(i / *pacing.rate_per_second));
        // Sleep in slices so a cancel is noticed promptly even at low rates.
        while (Clock::now() < release && !cancelled()) {
          std::this_thread::sleep_until(
              std::min(release, Clock::now() + std::chrono::milliseconds(50)));
        }
        const std::int64_t late = std::chrono::nanoseconds(Clock::now() - release).count();
        std::int64_t seen = max_lateness_ns.load();
        while (late > seen && !max_lateness_ns.compare_exchange_weak(seen, late)) {
        }
      }
      if (cancelled()) return;
      task(i);
      ran.fetch_add(1);
    }
  };
  const std::uint32_t threads = std::max<std::uint32_t>(1, std::min(pacing.concurrency, count));
  std::vector<std::thread> pool;
  for (std::uint32_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& thread : pool) thread.join();
  return {ran.load(), std::chrono::nanoseconds(max_lateness_ns.load())};
}

}  // namespace faultline::workloads
