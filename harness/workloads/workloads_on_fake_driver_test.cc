// The workloads against the fake driver (a unit-test double of drivers::Driver): what they ask
// of a platform, how many at once, what they record, and that they leave nothing behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>

#include "harness/drivers/fake/fake_driver.h"
#include "harness/workloads/workload.h"

namespace faultline::workloads {
namespace {

using namespace std::chrono_literals;
using drivers::fake::FakeBehaviour;
using drivers::fake::FakeDriver;

StepContext Context(const std::string& step) {
  StepContext context;
  context.step = step;
  context.target = "fake";
  context.id_prefix = "fl-test-" + step;
  return context;
}

std::map<std::string, int> CountOps(const std::vector<reports::Sample>& samples, bool ok) {
  std::map<std::string, int> counts;
  for (const auto& s : samples) {
    if (s.ok == ok) ++counts[s.op];
  }
  return counts;
}

// The trailing number of a container id: fl-test-storm-7 -> 7.
int IndexOf(const std::string& id) {
  return std::stoi(id.substr(id.rfind('-') + 1));
}

TEST(StartStormOnFakeDriver, EveryContainerRunsToItsEndAndIsDeleted) {
  FakeDriver driver(
      {[](const std::string& op, std::size_t) { return op == "create" ? 3ms : 0ms; }, nullptr});
  scenario::StartWorkload storm;
  storm.count = 20;
  storm.concurrency = 4;
  StepOutput out = RunStartStorm(driver, storm, Context("storm"));
  const auto ok = CountOps(out.samples, true);
  for (const char* op : {"prepare", "create", "start", "run", "exit", "delete", "lifecycle"}) {
    EXPECT_EQ(ok.count(op) ? ok.at(op) : 0, 20) << op;
  }
  EXPECT_TRUE(CountOps(out.samples, false).empty());
  EXPECT_EQ(driver.Live(), 0u);
  EXPECT_LE(driver.MaxConcurrentOps(), 4);
  EXPECT_GT(driver.MaxConcurrentOps(), 1);  // the storm really ran containers in parallel
  // Each container: create, start, delete, in that order.
  const auto calls = driver.Calls();
  for (int i = 0; i < 20; ++i) {
    const std::string id = "fl-test-storm-" + std::to_string(i);
    auto at = [&](const std::string& op) {
      return std::find(calls.begin(), calls.end(), op + " " + id) - calls.begin();
    };
    EXPECT_LT(at("create"), at("start")) << id;
    EXPECT_LT(at("start"), at("delete")) << id;
    EXPECT_LT(at("delete"), static_cast<long>(calls.size())) << id;
  }
}

// Each sample of the controller's own calls carries the CPU time its thread spent in them:
// a start sums its calls, a wait on the container carries none.
TEST(StartStormOnFakeDriver, SamplesCarryTheHarnessCpuOfTheirCalls) {
  FakeDriver driver;
  scenario::StartWorkload storm;
  storm.count = 5;
  StepOutput out = RunStartStorm(driver, storm, Context("storm"));
  std::map<std::string, std::map<std::string, std::int64_t>> cpu;  // container -> op -> ns
  for (const auto& s : out.samples) cpu[s.container][s.op] = s.cpu_ns;
  ASSERT_EQ(cpu.size(), 5u);
  for (auto& [container, ops] : cpu) {
    for (const char* op : {"prepare", "create", "start", "delete"}) {
      EXPECT_GE(ops.at(op), 0) << container << " " << op;
    }
    EXPECT_EQ(ops.at("run"), ops.at("prepare") + ops.at("create") + ops.at("start")) << container;
    EXPECT_GE(ops.at("lifecycle"), ops.at("run") + ops.at("delete")) << container;
    EXPECT_EQ(ops.at("exit"), -1) << container;
  }
}

TEST(StartStormOnFakeDriver, ViaRunIsOneCallPerContainer) {
  FakeDriver driver;
  scenario::StartWorkload storm;
  storm.count = 6;
  storm.via = scenario::StartWorkload::Via::kRun;
  StepOutput out = RunStartStorm(driver, storm, Context("storm"));
  const auto ok = CountOps(out.samples, true);
  EXPECT_EQ(ok.at("run_detached"), 6);
  EXPECT_EQ(ok.count("create") + ok.count("start"), 0u);
  EXPECT_EQ(driver.Live(), 0u);
}

// An open-loop rate the platform cannot keep: 50/s asked of one worker whose create takes
// 40 ms. Each start's latency counts from its scheduled release (no coordinated omission), so it
// grows with the queue; the samples keep the service time apart; the run says it fell behind
// and what rate it achieved.
TEST(StartStormOnFakeDriver, ALateStartCountsFromItsScheduledTimeAndTheRunSaysItFellBehind) {
  FakeDriver driver(
      {[](const std::string& op, std::size_t) { return op == "create" ? 40ms : 0ms; }, nullptr});
  scenario::StartWorkload storm;
  storm.count = 6;
  storm.concurrency = 1;
  storm.rate_per_second = 50;
  StepOutput out = RunStartStorm(driver, storm, Context("storm"));
  std::vector<const reports::Sample*> runs;
  for (const auto& s : out.samples) {
    if (s.op == "run") runs.push_back(&s);
  }
  ASSERT_EQ(runs.size(), 6u);
  std::sort(runs.begin(), runs.end(),
            [](const auto* a, const auto* b) { return a->scheduled_ns < b->scheduled_ns; });
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const reports::Sample& run = *runs[i];
    ASSERT_GT(run.scheduled_ns, 0) << i;
    EXPECT_NEAR(run.scheduled_ns - runs[0]->scheduled_ns, i * 20'000'000, 1'000) << i;
    EXPECT_GE(run.start_ns, run.scheduled_ns) << i;
    EXPECT_GE(run.duration_ns, 40'000'000) << i;  // the service time itself
    EXPECT_EQ(reports::LatencyNs(run), run.start_ns + run.duration_ns - run.scheduled_ns) << i;
  }
  // The last start waited behind five creates of 40 ms for a schedule 20 ms apart: at least
  // 5 x 20 ms more than its own service time.
  EXPECT_GE(reports::LatencyNs(*runs[5]) - runs[5]->duration_ns, 100'000'000);
  // The calls themselves are service times, never scheduled.
  for (const auto& s : out.samples) {
    if (s.op != "run") {
      EXPECT_EQ(s.scheduled_ns, 0) << s.op;
    }
  }
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_NE(out.warnings[0].find("rate 50/s not sustained at concurrency 1: achieved "),
            std::string::npos)
      << out.warnings[0];
}

TEST(StartStormOnFakeDriver, FailedStartsAreRecordedWithTheirReasonAndRemoved) {
  FakeDriver driver({nullptr, [](const std::string& op, const std::string& id) -> Status {
                       if (op == "start" && IndexOf(id) % 3 == 0)
                         return Unavailable("no pids left");
                       return OkStatus();
                     }});
  scenario::StartWorkload storm;
  storm.count = 20;
  storm.concurrency = 2;
  StepOutput out = RunStartStorm(driver, storm, Context("storm"));
  int failed_runs = 0;
  for (const auto& s : out.samples) {
    if (s.op != "run" || s.ok) continue;
    ++failed_runs;
    EXPECT_EQ(IndexOf(s.container) % 3, 0) << s.container;
    EXPECT_NE(s.error.find("no pids left"), std::string::npos) << s.error;
  }
  EXPECT_EQ(failed_runs, 7);  // 0, 3, ..., 18
  EXPECT_EQ(CountOps(out.samples, true).at("run"), 13);
  // A container that never ran is removed, but that removal is cleanup, not a measured delete.
  EXPECT_EQ(CountOps(out.samples, true).at("delete"), 13);
  EXPECT_EQ(driver.Live(), 0u);
}

TEST(StartStormOnFakeDriver, CancelStartsNothingNewAndRemovesWhatRan) {
  std::atomic<bool> cancel{false};
  FakeDriver driver({nullptr, [&](const std::string& op, const std::string& id) -> Status {
                       if (op == "create" && IndexOf(id) == 4) cancel = true;
                       return OkStatus();
                     }});
  scenario::StartWorkload storm;
  storm.count = 50;
  StepContext context = Context("storm");
  context.cancel = &cancel;
  StepOutput out = RunStartStorm(driver, storm, context);
  const int runs = CountOps(out.samples, true)["run"];
  EXPECT_GE(runs, 5);
  EXPECT_LT(runs, 50);
  EXPECT_EQ(driver.Live(), 0u);
}

TEST(DensityRampOnFakeDriver, ReachesMaxInStepsThenRemovesEverything) {
  FakeDriver driver({nullptr, nullptr, 3 << 20});
  scenario::DensityWorkload ramp;
  ramp.max = 10;
  ramp.step = 3;
  ramp.concurrency = 2;
  ramp.settle = 0ms;
  StepOutput out = RunDensityRamp(driver, ramp, Context("ramp"));
  std::vector<std::uint32_t> reached;
  for (const auto& point : out.density) reached.push_back(point.containers);
  EXPECT_EQ(reached, (std::vector<std::uint32_t>{3, 6, 9, 10}));
  // The platform's resident overhead is shared by the containers running at each point.
  EXPECT_DOUBLE_EQ(out.density.back().runtime_overhead_per_container_bytes, (3 << 20) / 10.0);
  ASSERT_TRUE(out.outcome);
  EXPECT_EQ(out.outcome->stopped_by, "max");
  EXPECT_EQ(out.outcome->reached, 10u);
  const auto ok = CountOps(out.samples, true);
  EXPECT_EQ(ok.at("run"), 10);
  EXPECT_EQ(ok.at("stop"), 10);
  EXPECT_EQ(ok.at("delete"), 10);
  EXPECT_EQ(driver.Live(), 0u);
}

TEST(DensityRampOnFakeDriver, StopsAtTheKneeWhereStartsGetSlow) {
  // Starts slow down with every running container: 3 ms each.
  FakeDriver driver({[](const std::string& op, std::size_t running) {
                       return op == "start" ? std::chrono::milliseconds(3 * running) : 0ms;
                     },
                     nullptr});
  scenario::DensityWorkload ramp;
  ramp.max = 40;
  ramp.step = 4;
  ramp.settle = 0ms;
  ramp.start_p99_max = 25ms;
  StepOutput out = RunDensityRamp(driver, ramp, Context("ramp"));
  ASSERT_TRUE(out.outcome);
  EXPECT_EQ(out.outcome->stopped_by, "slo");
  // Ramp steps start 0-3, 4-7, 8-11 running containers: 12-21 ms, then 24-33 ms, over 25 ms.
  EXPECT_EQ(out.outcome->knee, 12u);
  EXPECT_EQ(out.outcome->reached, 12u);
  EXPECT_EQ(driver.Live(), 0u);
}

TEST(DensityRampOnFakeDriver, StopsWhenEveryStartOfAStepFails) {
  FakeDriver driver({nullptr, [](const std::string& op, const std::string& id) -> Status {
                       if (op == "create" && IndexOf(id) >= 4) return Unavailable("daemon gone");
                       return OkStatus();
                     }});
  scenario::DensityWorkload ramp;
  ramp.max = 20;
  ramp.step = 2;
  ramp.settle = 0ms;
  StepOutput out = RunDensityRamp(driver, ramp, Context("ramp"));
  ASSERT_TRUE(out.outcome);
  EXPECT_EQ(out.outcome->stopped_by, "failures");
  EXPECT_EQ(out.outcome->reached, 4u);
  EXPECT_EQ(CountOps(out.samples, false).at("create"), 2);
  EXPECT_EQ(driver.Live(), 0u);
}

TEST(SteadyOnFakeDriver, ChurnKeepsTheNewestPerNodeAndStopsTheRest) {
  FakeDriver driver;
  scenario::SteadyWorkload steady;
  steady.duration = 600ms;
  steady.churn_rate_per_second = 40;
  steady.churn_keep = 2;
  StepContext context = Context("drill");
  context.nodes = {cluster::Node{"node-1", "/run/netns/a", "", "198.18.0.2", "faultline/x/node-1"},
                   cluster::Node{"node-2", "/run/netns/b", "", "198.18.0.3", "faultline/x/node-2"}};
  std::atomic<int> running_seen{0};
  context.on_running = [&](const drivers::Container&) { ++running_seen; };
  StepOutput out = RunSteady(driver, steady, context);
  const auto ok = CountOps(out.samples, true);
  EXPECT_GE(ok.at("run"), 10);  // 24 scheduled in 600 ms
  EXPECT_EQ(ok.at("run"), running_seen.load());
  // Every container started was stopped: the older ones during the step, the kept ones at its end.
  EXPECT_EQ(ok.at("churn_stop"), ok.at("run"));
  EXPECT_EQ(driver.Live(), 0u);
  // Starts alternate between the nodes, each placed into its node's namespace and cgroup.
  std::map<std::string, int> per_node;
  for (const auto& [id, spec] : driver.Specs()) {
    ++per_node[spec.node];
    const auto& node = context.nodes[spec.node == "node-1" ? 0 : 1];
    EXPECT_EQ(spec.netns, node.netns);
    EXPECT_EQ(spec.cgroup_parent, node.cgroup);
  }
  EXPECT_LE(std::abs(per_node["node-1"] - per_node["node-2"]), 1);
}

}  // namespace
}  // namespace faultline::workloads
