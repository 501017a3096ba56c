#include "reports/phases.h"

#include <gtest/gtest.h>

namespace faultline::reports {
namespace {

Sample WithPhases(std::map<std::string, std::int64_t> phases) {
  Sample sample;
  sample.op = "run";
  sample.phases = std::move(phases);
  return sample;
}

TEST(Phases, OrderedByMedianOffsetNotByName) {
  std::vector<Sample> samples = {
      WithPhases({{"runtime_exec", 1000}, {"cgroup_created", 18000}, {"user_exec", 34000}}),
      WithPhases({{"runtime_exec", 1200}, {"cgroup_created", 17000}, {"user_exec", 30000}}),
      WithPhases({{"runtime_exec", 900}, {"ready", 50000}}),
  };
  EXPECT_EQ(OrderedPhaseNames(samples),
            (std::vector<std::string>{"runtime_exec", "cgroup_created", "user_exec", "ready"}));
  EXPECT_TRUE(OrderedPhaseNames({Sample{}}).empty());
}

TEST(Phases, DurationsAreGapsBetweenPresentPhases) {
  const std::vector<std::string> order = {"a", "b", "c"};
  auto durations = PhaseDurations(WithPhases({{"a", 10}, {"c", 35}}), order);
  EXPECT_EQ(durations, (std::map<std::string, std::int64_t>{{"a", 10}, {"c", 25}}));
}

TEST(Phases, ExitIsNotAPartOfTheStart) {
  const std::vector<std::string> order = {"user_exec", "exit"};
  auto durations = PhaseDurations(WithPhases({{"user_exec", 10}, {"exit", 900}}), order);
  EXPECT_EQ(durations, (std::map<std::string, std::int64_t>{{"user_exec", 10}}));
}

}  // namespace
}  // namespace faultline::reports
