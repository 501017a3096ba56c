#include "harness/workloads/pacing.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "harness/core/clock.h"

namespace faultline::workloads {
namespace {

TEST(RunPaced, RunsEveryIndexOnceWithinTheConcurrencyLimit) {
  std::mutex mu;
  std::multiset<std::uint32_t> seen;
  std::atomic<int> active{0}, peak{0};
  auto run = RunPaced(40, {3, std::nullopt}, nullptr, [&](std::uint32_t i, std::int64_t scheduled) {
    EXPECT_EQ(scheduled, 0);  // closed loop: nothing scheduled
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
  const std::int64_t begin = BootNowNs();
  std::mutex mu;
  std::vector<std::int64_t> started(5), scheduled(5);
  RunPaced(5, {5, 20.0}, nullptr, [&](std::uint32_t i, std::int64_t release) {
    std::lock_guard lock(mu);
    started[i] = BootNowNs();
    scheduled[i] = release;
  });
  // Task i is scheduled i / 20 s after the run began; it may start late, never early.
  for (std::uint32_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(scheduled[i] - scheduled[0], i * 50'000'000, 1'000) << i;
    EXPECT_GE(scheduled[0], begin);
    EXPECT_LT(scheduled[0] - begin, 5'000'000);
    EXPECT_GE(started[i], scheduled[i]) << i;
  }
}

TEST(RunPaced, StopsStartingTasksWhenCancelled) {
  std::atomic<bool> cancel{false};
  auto run = RunPaced(100, {1, std::nullopt}, &cancel, [&](std::uint32_t i, std::int64_t) {
    if (i == 4) cancel = true;
  });
  EXPECT_EQ(run.ran, 5u);
}

TEST(RunPaced, ReportsHowFarBehindTheRateItFell) {
  // One worker, 100/s requested, each task taking 30 ms: task i starts about 20 ms x i late.
  const Pacing one_worker{1, 100.0};
  auto run = RunPaced(5, one_worker, nullptr, [](std::uint32_t, std::int64_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  });
  EXPECT_EQ(run.ran, 5u);
  EXPECT_GE(run.max_lateness, std::chrono::milliseconds(75));
  // Four intervals in at least 4 x 30 ms: 33/s at most, whatever the host.
  EXPECT_GT(run.achieved_per_second, 0);
  EXPECT_LE(run.achieved_per_second, 34);
  const std::string warning = RateNotSustained(run, one_worker, "starts");
  EXPECT_NE(warning.find("rate 100/s not sustained at concurrency 1: achieved "), std::string::npos)
      << warning;
  EXPECT_NE(warning.find("latency counts from the scheduled time"), std::string::npos) << warning;

  const Pacing three{3, 10.0};  // a whole 100 ms interval to start in
  auto relaxed = RunPaced(3, three, nullptr, [](std::uint32_t, std::int64_t) {});
  EXPECT_LT(relaxed.max_lateness, std::chrono::milliseconds(75));
  EXPECT_EQ(RateNotSustained(relaxed, three, "starts"), "");
  EXPECT_EQ(RateNotSustained(run, {1, std::nullopt}, "starts"), "");
}

}  // namespace
}  // namespace faultline::workloads
