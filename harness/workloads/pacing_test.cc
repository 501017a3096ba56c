#include "harness/workloads/pacing.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>

namespace faultline::workloads {
namespace {

TEST(RunPaced, RunsEveryIndexOnceWithinTheConcurrencyLimit) {
  std::mutex mu;
  std::multiset<std::uint32_t> seen;
  std::atomic<int> active{0}, peak{0};
  auto run = RunPaced(40, {3, std::nullopt}, nullptr, [&](std::uint32_t i) {
    int now = ++active;
    int prev = peak.load();
    while (now > prev && !peak.compare_exchange_weak(prev, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    --active;
    std::lock_guard lock(mu);
    seen.insert(i);
  });
  EXPECT_EQ(run.ran, 40u);
  EXPECT_EQ(seen.size(), 40u);
  for (std::uint32_t i = 0; i < 40; ++i) EXPECT_EQ(seen.count(i), 1u);
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 2);  // the pool really runs tasks side by side
}

TEST(RunPaced, ReleasesTasksNoEarlierThanTheRateAllows) {
  using Clock = std::chrono::steady_clock;
  const auto begin = Clock::now();
  std::mutex mu;
  std::vector<double> offsets(5);
  RunPaced(5, {5, 20.0}, nullptr, [&](std::uint32_t i) {
    std::lock_guard lock(mu);
    offsets[i] = std::chrono::duration<double>(Clock::now() - begin).count();
  });
  // Task i is due at i / 20 s; it may be late, never early.
  for (std::uint32_t i = 0; i < 5; ++i) EXPECT_GE(offsets[i] + 1e-3, i / 20.0) << i;
}

TEST(RunPaced, StopsStartingTasksWhenCancelled) {
  std::atomic<bool> cancel{false};
  auto run = RunPaced(100, {1, std::nullopt}, &cancel, [&](std::uint32_t i) {
    if (i == 4) cancel = true;
  });
  EXPECT_EQ(run.ran, 5u);
}

TEST(RunPaced, ReportsHowFarBehindTheRateItFell) {
  // One worker, 100/s requested, each task taking 30 ms: task i starts about 20 ms x i late.
  auto run = RunPaced(5, {1, 100.0}, nullptr, [](std::uint32_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  });
  EXPECT_EQ(run.ran, 5u);
  EXPECT_GE(run.max_lateness, std::chrono::milliseconds(75));

  auto relaxed = RunPaced(3, {3, 100.0}, nullptr, [](std::uint32_t) {});
  EXPECT_LT(relaxed.max_lateness, std::chrono::milliseconds(75));
}

}  // namespace
}  // namespace faultline::workloads
