#include "chaos/schedule.h"

#include <gtest/gtest.h>

#include <set>

namespace faultline::chaos {
namespace {

using namespace std::chrono_literals;

TEST(Schedule, OnceWithoutEvery) {
  const FaultTiming timing{2s, 3s, std::nullopt, 0s};
  auto all = ExpandSchedule(timing, 0, 1h, 42);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].inject_at, 2s);
  EXPECT_EQ(all[0].revert_at, 5s);
  EXPECT_EQ(all[0].jitter, 0s);
}

TEST(Schedule, EveryRepeatsUntilTheHorizon) {
  const FaultTiming timing{1s, 2s, 5s, 0s};
  auto all = ExpandSchedule(timing, 0, 20s, 1);
  ASSERT_EQ(all.size(), 4u);  // 1, 6, 11, 16
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].index, i);
    EXPECT_EQ(all[i].inject_at, 1s + 5s * static_cast<int>(i));
    EXPECT_EQ(all[i].revert_at - all[i].inject_at, 2s);
  }
}

TEST(Schedule, JitterIsBoundedSeededAndReplayable) {
  const FaultTiming timing{1s, 1s, 10s, 3s};
  auto a = ExpandSchedule(timing, 0, 1000s, 7);
  auto b = ExpandSchedule(timing, 0, 1000s, 7);
  auto c = ExpandSchedule(timing, 0, 1000s, 8);
  auto other_fault = ExpandSchedule(timing, 1, 1000s, 7);
  ASSERT_EQ(a.size(), 100u);
  bool differs = false, differs_by_fault = false;
  std::set<std::int64_t> distinct;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_GE(a[i].jitter, 0s);
    EXPECT_LE(a[i].jitter, 3s);
    EXPECT_EQ(a[i].inject_at, 1s + 10s * static_cast<int>(i) + a[i].jitter);
    EXPECT_EQ(a[i].inject_at, b[i].inject_at);
    differs |= a[i].jitter != c[i].jitter;
    differs_by_fault |= a[i].jitter != other_fault[i].jitter;
    distinct.insert(a[i].jitter.count());
  }
  EXPECT_TRUE(differs) << "another seed draws other offsets";
  EXPECT_TRUE(differs_by_fault) << "faults draw apart";
  EXPECT_GT(distinct.size(), 90u) << "offsets spread over the range";
}

TEST(Schedule, NthOccurrencePastTheOnlyOneIsNone) {
  EXPECT_FALSE(NthOccurrence({0s, 1s, std::nullopt, 0s}, 0, 1, 0).has_value());
  EXPECT_TRUE(NthOccurrence({0s, 1s, 2s, 0s}, 0, 1000, 0).has_value());
}

}  // namespace
}  // namespace faultline::chaos
