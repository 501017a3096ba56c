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

TEST(Phases, DurationsAreGapsBetweenPresentPhasesInTheSamplesOwnOrder) {
  auto runc = PhaseDurations(
      WithPhases({{"runtime_exec", 10}, {"cgroup_created", 20}, {"namespaces_created", 35}}));
  EXPECT_EQ(runc, (std::map<std::string, std::int64_t>{
                      {"runtime_exec", 10}, {"cgroup_created", 10}, {"namespaces_created", 15}}));
  // crun: namespaces before the cgroup; no duration comes out negative.
  auto crun = PhaseDurations(
      WithPhases({{"runtime_exec", 10}, {"namespaces_created", 20}, {"cgroup_created", 35}}));
  EXPECT_EQ(crun, (std::map<std::string, std::int64_t>{
                      {"runtime_exec", 10}, {"namespaces_created", 10}, {"cgroup_created", 15}}));
}

TEST(Phases, EqualTimesFollowTheStartOrder) {
  // pid1_forked comes after namespaces_created in a start: it takes the gap, the other zero.
  auto durations = PhaseDurations(WithPhases({{"pid1_forked", 30}, {"namespaces_created", 30}}));
  EXPECT_EQ(durations,
            (std::map<std::string, std::int64_t>{{"namespaces_created", 30}, {"pid1_forked", 0}}));
}

TEST(Phases, ExitIsNotAPartOfTheStart) {
  auto durations = PhaseDurations(WithPhases({{"user_exec", 10}, {"exit", 900}}));
  EXPECT_EQ(durations, (std::map<std::string, std::int64_t>{{"user_exec", 10}}));
}

TEST(PlatformEvents, EachOperationGetsTheStampsOfItsOwnSteps) {
  Sample run = WithPhases({});
  run.container = "a";
  run.start_ns = 1'000;
  Sample create = run;
  create.container = "b";
  create.op = "create";
  Sample start = create;
  start.op = "start";
  start.start_ns = 5'000;
  Sample failed = run;
  failed.container = "c";
  failed.ok = false;
  std::vector<Sample> samples = {run, create, start, failed};
  AddPlatformEvents(samples, {{"a", {{"task_create", 1'400}, {"task_start", 2'000}}},
                              {"b", {{"task_create", 3'000}, {"task_start", 5'600}}},
                              {"c", {{"task_create", 3'000}}}});
  EXPECT_EQ(samples[0].events,
            (std::map<std::string, std::int64_t>{{"task_create", 400}, {"task_start", 1'000}}));
  EXPECT_EQ(samples[1].events, (std::map<std::string, std::int64_t>{{"task_create", 2'000}}));
  EXPECT_EQ(samples[2].events, (std::map<std::string, std::int64_t>{{"task_start", 600}}));
  EXPECT_TRUE(samples[3].events.empty());
  // A stamp from before the operation was issued is not one of its steps.
  std::vector<Sample> late = {start};
  AddPlatformEvents(late, {{"b", {{"task_start", 4'000}}}});
  EXPECT_TRUE(late[0].events.empty());
}

TEST(PlatformEvents, TheKubeletsOperationNamesGetTheirStepsAndTheRunTheSandboxs) {
  Sample run = WithPhases({});
  run.container = "pod";
  run.start_ns = 1'000;
  Sample create = run;
  create.op = "create_container";
  create.start_ns = 2'000;
  Sample start = run;
  start.op = "start_container";
  start.start_ns = 3'000;
  std::vector<Sample> samples = {run, create, start};
  AddPlatformEvents(
      samples,
      {{"pod", {{"sandbox_task_start", 1'500}, {"task_create", 2'500}, {"task_start", 3'200}}}});
  EXPECT_EQ(samples[0].events,
            (std::map<std::string, std::int64_t>{
                {"sandbox_task_start", 500}, {"task_create", 1'500}, {"task_start", 2'200}}));
  EXPECT_EQ(samples[1].events, (std::map<std::string, std::int64_t>{{"task_create", 500}}));
  EXPECT_EQ(samples[2].events, (std::map<std::string, std::int64_t>{{"task_start", 200}}));
}

}  // namespace
}  // namespace faultline::reports
