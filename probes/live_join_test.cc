// The live join on recorded event sequences, passed on to a recording double of RunObserver.
#include "probes/live_join.h"

#include <gtest/gtest.h>

#include "probes/start_phases.h"

namespace faultline::probes {
namespace {

class RecordingObserverDouble : public reports::RunObserver {
 public:
  void OnSample(const reports::Sample& sample, const char*) override { samples.push_back(sample); }
  void OnContainersRunning(int delta) override { running += delta; }
  void OnFaultsActive(int) override {}
  std::vector<reports::Sample> samples;
  int running = 0;
};

// `runc run` of ID as session S: the runtime's exec at T0, its user process's exec at T0 + 30.
std::vector<ProbeEvent> RunSession(std::uint32_t s, const std::string& id, std::int64_t t0) {
  ProbeEvent exec;
  exec.ts_ns = t0;
  exec.kind = EventKind::kRuntimeExec;
  exec.session = exec.pid = s;
  exec.args = {"run", "--detach", "--bundle", "/b", id};
  ProbeEvent user;
  user.ts_ns = t0 + 30;
  user.kind = EventKind::kExec;
  user.session = s;
  user.pid = s + 1;
  user.pid1 = true;
  return {exec, user};
}

// Event and sample times are CLOCK_BOOTTIME, as the probes' and the runner's.
const std::int64_t kT = BootNowNs();

reports::Sample RunSample(const std::string& id, std::int64_t start) {
  reports::Sample s;
  s.container = id;
  s.op = "run";
  s.start_ns = start;
  s.duration_ns = 50;  // the runtime call's return
  return s;
}

TEST(LivePhaseJoin, AStartIsPassedOnOnceItsPhasesArriveAsTheResultWillHaveIt) {
  RecordingObserverDouble next;
  LivePhaseJoin live(
      &next, [] { return std::map<std::string, std::string>{}; }, std::chrono::seconds(60));
  reports::Sample create = RunSample("fl-a-1", kT + 1000);
  create.op = "create";
  live.OnSample(create, nullptr);  // not a start: straight through
  live.OnContainersRunning(1);
  live.OnSample(RunSample("fl-a-1", kT + 1000), nullptr);
  ASSERT_EQ(next.samples.size(), 1u);
  EXPECT_EQ(next.running, 1);
  live.Pump(BootNowNs());  // no events yet: held
  EXPECT_EQ(next.samples.size(), 1u);
  for (const ProbeEvent& e : RunSession(100, "fl-a-1", kT + 1005)) live.OnEvent(e);
  live.Pump(BootNowNs() + 1'000'000'000);
  ASSERT_EQ(next.samples.size(), 3u);
  const reports::Sample& run = next.samples[1];
  EXPECT_EQ(run.op, "run");
  EXPECT_EQ(run.duration_ns, 35);  // ends at the user process's exec, as in result.json
  EXPECT_EQ(run.phases.at(kPhaseRuntimeExec), 5);
  EXPECT_EQ(run.phases.at(kPhaseUserExec), 35);
  EXPECT_EQ(next.samples[2].op, "run_wall");
  EXPECT_EQ(next.samples[2].duration_ns, 50);
  live.Finish();
  EXPECT_EQ(next.samples.size(), 3u);  // nothing passed twice
}

TEST(LivePhaseJoin, AStartTheProbesMissedIsPassedOnAsRunWallAfterThePatience) {
  RecordingObserverDouble next;
  LivePhaseJoin live(
      &next, [] { return std::map<std::string, std::string>{}; }, std::chrono::seconds(60),
      std::chrono::seconds(2));
  live.OnSample(RunSample("fl-a-1", kT + 1000), nullptr);
  live.Pump(BootNowNs() + 1'000'000'000);
  EXPECT_TRUE(next.samples.empty()) << "still within its patience";
  live.Pump(BootNowNs() + 3'000'000'000);
  ASSERT_EQ(next.samples.size(), 1u);
  EXPECT_EQ(next.samples[0].op, "run_wall");
  EXPECT_TRUE(next.samples[0].phases.empty());
}

TEST(LivePhaseJoin, FinishPassesOnWhatIsHeldAndJoinsByPlatformIds) {
  RecordingObserverDouble next;
  LivePhaseJoin live(
      &next,
      [] {
        return std::map<std::string, std::string>{{"fl-a-2", "abc123"}};
      },
      std::chrono::seconds(60));
  live.OnSample(RunSample("fl-a-1", kT + 1000), nullptr);
  live.OnSample(RunSample("fl-a-2", kT + 2000), nullptr);
  for (const ProbeEvent& e : RunSession(200, "abc123", kT + 2010)) live.OnEvent(e);
  live.Finish();
  ASSERT_EQ(next.samples.size(), 3u);
  EXPECT_EQ(next.samples[0].op, "run_wall");  // fl-a-1: never seen by the probes
  EXPECT_EQ(next.samples[1].container, "fl-a-2");
  EXPECT_EQ(next.samples[1].op, "run");
  EXPECT_EQ(next.samples[1].duration_ns, 40);
  EXPECT_EQ(next.samples[2].op, "run_wall");
}

}  // namespace
}  // namespace faultline::probes
