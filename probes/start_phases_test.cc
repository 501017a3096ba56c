// The join of container_start events on recorded sequences: run and create+start sessions,
// interleaved concurrent containers, lost events and sessions of other containers.
#include "probes/start_phases.h"

#include <gtest/gtest.h>

namespace faultline::probes {
namespace {

ProbeEvent Ev(std::int64_t ts, EventKind kind, std::uint32_t session, std::uint32_t pid = 0) {
  ProbeEvent e;
  e.ts_ns = ts;
  e.kind = kind;
  e.session = session;
  e.pid = pid ? pid : session;
  return e;
}

ProbeEvent RuntimeExec(std::int64_t ts, std::uint32_t session, std::vector<std::string> args) {
  ProbeEvent e = Ev(ts, EventKind::kRuntimeExec, session);
  e.args = std::move(args);
  return e;
}

ProbeEvent Mkdir(std::int64_t ts, std::uint32_t session, std::string path) {
  ProbeEvent e = Ev(ts, EventKind::kCgroupMkdir, session);
  e.text = std::move(path);
  return e;
}

ProbeEvent Exec(std::int64_t ts, std::uint32_t session, std::uint32_t pid, bool pid1) {
  ProbeEvent e = Ev(ts, EventKind::kExec, session, pid);
  e.pid1 = pid1;
  return e;
}

// A `runc run` of container ID as session S, times offset by T0.
std::vector<ProbeEvent> RunSession(std::uint32_t s, const std::string& id, std::int64_t t0) {
  return {RuntimeExec(t0 + 0, s, {"--root", "/r", "run", "--detach", "--bundle", "/b", id}),
          Exec(t0 + 9, s, s + 1, false),
          Mkdir(t0 + 17, s, "/faultline/run1"),  // a parent: not the container's
          Mkdir(t0 + 18, s, "/faultline/run1/" + id),
          Mkdir(t0 + 18, s, "/faultline/run1/" + id),  // another hierarchy
          Ev(t0 + 19, EventKind::kNamespaces, s, s + 2),
          Ev(t0 + 20, EventKind::kPid1Fork, s, s + 3),
          Exec(t0 + 34, s, s + 3, true),
          Ev(t0 + 40, EventKind::kExit, s, s + 3)};
}

reports::Sample RunSample(const std::string& id, std::int64_t start, std::int64_t duration) {
  reports::Sample s;
  s.container = id;
  s.op = "run";
  s.start_ns = start;
  s.duration_ns = duration;
  return s;
}

TEST(StartPhases, RunSessionGivesEveryPhaseInOrder) {
  StartPhaseJoiner joiner;
  for (auto& e : RunSession(100, "fl-a-1", 1000)) joiner.Add(e);
  auto timelines = joiner.Timelines();
  ASSERT_EQ(timelines.size(), 1u);
  const StartTimeline& t = timelines.at("fl-a-1");
  EXPECT_EQ(t.at.at(kPhaseRuntimeExec), 1000);
  EXPECT_EQ(t.at.at(kPhaseRuntimeInit), 1009);
  EXPECT_EQ(t.at.at(kPhaseCgroup), 1018);  // the container's own cgroup, not its parent
  EXPECT_EQ(t.at.at(kPhaseNamespaces), 1019);
  EXPECT_EQ(t.at.at(kPhasePid1), 1020);
  EXPECT_EQ(t.at.at(kPhaseUserExec), 1034);
  EXPECT_EQ(t.at.at(kPhaseExit), 1040);
  EXPECT_EQ(t.at.count(kPhaseStartExec), 0u);
  EXPECT_EQ(t.pid1, 103u);
}

TEST(StartPhases, CreateStartTakesUserExecFromTheCreateSessionAndStartFromTheOther) {
  StartPhaseJoiner joiner;
  const std::string id = "fl-a-2";
  joiner.Add(RuntimeExec(0, 10, {"create", "--bundle", "/b", "--pid-file", "/p", id}));
  joiner.Add(Mkdir(5, 10, "/x/" + id));
  joiner.Add(Ev(6, EventKind::kPid1Fork, 10, 13));
  joiner.Add(RuntimeExec(50, 20, {"--root", "/r", "start", id}));
  joiner.Add(Exec(55, 10, 13, true));  // the init waiting on its fifo execs the user process
  auto t = joiner.Timelines().at(id);
  EXPECT_EQ(t.at.at(kPhaseStartExec), 50);
  EXPECT_EQ(t.at.at(kPhaseUserExec), 55);
  EXPECT_EQ(t.at.at(kPhaseCgroup), 5);
}

// The kernel hands a runtime's pid out again once pids wrap: a later session with the same id is
// a session of its own, and the earlier container's pid 1 exiting meanwhile is not its exit.
TEST(StartPhases, APidReusedByALaterRuntimeStartsASessionOfItsOwn) {
  StartPhaseJoiner joiner;
  std::vector<ProbeEvent> first = RunSession(100, "fl-a-1", 1000);
  first.pop_back();  // its pid 1 (103) keeps running
  for (auto& e : first) joiner.Add(e);
  for (auto& e : RunSession(100, "fl-b-1", 5000)) {
    e.pid = e.pid == 103 ? 203 : e.pid;  // the second container's pid 1 is another process
    joiner.Add(e);
  }
  joiner.Add(Ev(5025, EventKind::kExit, 100, 103));  // the first container's pid 1 exits now
  auto timelines = joiner.Timelines();
  ASSERT_EQ(timelines.size(), 2u);
  EXPECT_EQ(timelines.at("fl-a-1").at.at(kPhaseUserExec), 1034);
  EXPECT_EQ(timelines.at("fl-a-1").at.count(kPhaseExit), 0u);
  EXPECT_EQ(timelines.at("fl-b-1").at.at(kPhaseRuntimeExec), 5000);
  EXPECT_EQ(timelines.at("fl-b-1").at.at(kPhaseUserExec), 5034);
  EXPECT_EQ(timelines.at("fl-b-1").at.at(kPhaseExit), 5040);
}

TEST(StartPhases, FirstListenOfTheContainerIsReady) {
  StartPhaseJoiner joiner;
  auto events = RunSession(100, "fl-a-1", 1000);
  events.pop_back();  // still running
  ProbeEvent listen = Ev(1050, EventKind::kListen, 100, 103);
  listen.arg = 8080;
  events.push_back(listen);
  listen.ts_ns = 1070;  // a second listener is not the first
  events.push_back(listen);
  for (auto& e : events) joiner.Add(e);
  auto t = joiner.Timelines().at("fl-a-1");
  EXPECT_EQ(t.at.at(kPhaseReady), 1050);
  EXPECT_EQ(t.at.count(kPhaseExit), 0u);
  std::vector<reports::Sample> samples = {RunSample("fl-a-1", 990, 45)};
  JoinPhases(samples, joiner.Timelines());
  EXPECT_EQ(samples[0].phases.at(kPhaseReady), 60);
  EXPECT_EQ(samples[0].duration_ns, 44);  // start latency still ends at the user exec
}

// A daemon's runtime names the container by the platform's id; the sample names it by
// faultline's. The driver's mapping joins them.
TEST(StartPhases, ADaemonsRuntimeSessionJoinsThroughThePlatformId) {
  StartPhaseJoiner joiner;
  const std::string platform_id = std::string(64, 'e');
  for (auto& e : RunSession(100, platform_id, 1000)) joiner.Add(e);
  std::vector<reports::Sample> samples = {RunSample("fl-a-7", 900, 200),
                                          RunSample("fl-a-8", 900, 200)};
  const JoinStats stats = JoinPhases(samples, joiner.Timelines(), {{"fl-a-7", platform_id}});
  EXPECT_EQ(stats.joined, 1u);
  EXPECT_EQ(stats.unjoined, 1u);  // fl-a-8 has no mapping and no session of its own
  EXPECT_EQ(samples[0].phases.at(kPhaseRuntimeExec), 100);
  EXPECT_EQ(samples[0].duration_ns, 134);  // ends at the user process exec
  EXPECT_TRUE(samples[1].phases.empty());
}

ProbeEvent HelperExec(std::int64_t ts, std::uint32_t pid, std::vector<std::string> args) {
  ProbeEvent e = Ev(ts, EventKind::kHelperExec, pid);
  e.args = std::move(args);
  return e;
}

TEST(StartPhases, TheDaemonsShimOrConmonExecIsThePhaseBeforeTheRuntime) {
  StartPhaseJoiner joiner;
  const std::string docker_id = std::string(64, 'd'), podman_id = std::string(64, 'p');
  for (auto& e : RunSession(100, docker_id, 1000)) joiner.Add(e);
  for (auto& e : RunSession(200, podman_id, 2000)) joiner.Add(e);
  // containerd's shim: "start" execs, then it re-executes itself; the first exec counts.
  joiner.Add(HelperExec(960, 90,
                        {"containerd-shim-runc-v2", "-namespace", "moby", "-id", docker_id,
                         "-address", "/d/containerd.sock", "start"}));
  joiner.Add(HelperExec(975, 91,
                        {"containerd-shim-runc-v2", "-namespace", "moby", "-id", docker_id,
                         "-address"}));  // the head: cut at the end
  joiner.Add(HelperExec(1950, 92, {"conmon", "--api-version", "1", "-c", podman_id, "-u"}));
  // A helper after the runtime's exec (another start of the same id) is not this start's.
  joiner.Add(HelperExec(2500, 93, {"conmon", "--api-version", "1", "-c", podman_id}));
  // Nor one naming no container the runtime started.
  joiner.Add(HelperExec(990, 94, {"conmon", "-c", std::string(64, 'x')}));
  const auto timelines = joiner.Timelines();
  ASSERT_EQ(timelines.size(), 2u);
  EXPECT_EQ(timelines.at(docker_id).at.at(kPhaseShimExec), 960);
  EXPECT_EQ(timelines.at(podman_id).at.at(kPhaseShimExec), 1950);
  std::vector<reports::Sample> samples = {RunSample("fl-a-1", 900, 200)};
  JoinPhases(samples, timelines, {{"fl-a-1", docker_id}});
  EXPECT_EQ(samples[0].phases.at(kPhaseShimExec), 60);
  EXPECT_EQ(samples[0].phases.at(kPhaseRuntimeExec), 100);
}

TEST(StartPhases, InterleavedConcurrentContainersStayApart) {
  StartPhaseJoiner joiner;
  auto a = RunSession(100, "fl-a-1", 1000);
  auto b = RunSession(200, "fl-a-2", 1005);
  // Arrival order mixes both sessions and is not time order.
  for (std::size_t i = 0; i < a.size(); ++i) {
    joiner.Add(b[b.size() - 1 - i]);
    joiner.Add(a[i]);
  }
  auto timelines = joiner.Timelines();
  ASSERT_EQ(timelines.size(), 2u);
  EXPECT_EQ(timelines.at("fl-a-1").at.at(kPhaseUserExec), 1034);
  EXPECT_EQ(timelines.at("fl-a-2").at.at(kPhaseUserExec), 1039);
  EXPECT_EQ(timelines.at("fl-a-2").pid1, 203u);
}

TEST(StartPhases, MissingEventsLeaveGapsNotWrongValues) {
  StartPhaseJoiner joiner;
  auto events = RunSession(100, "fl-a-1", 0);
  events.erase(events.begin() + 7);  // the user exec got lost
  for (auto& e : events) joiner.Add(e);
  // A session whose runtime exec was lost cannot be attributed.
  for (auto& e : RunSession(300, "fl-a-3", 0)) {
    if (e.kind != EventKind::kRuntimeExec) joiner.Add(e);
  }
  auto timelines = joiner.Timelines();
  ASSERT_EQ(timelines.size(), 1u);
  EXPECT_EQ(timelines.at("fl-a-1").at.count(kPhaseUserExec), 0u);
  EXPECT_EQ(timelines.at("fl-a-1").at.at(kPhasePid1), 20);

  std::vector<reports::Sample> samples = {RunSample("fl-a-1", -5, 60)};
  JoinStats stats = JoinPhases(samples, timelines);
  EXPECT_EQ(stats.joined, 0u);
  EXPECT_EQ(stats.unjoined, 1u);
  EXPECT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].op, "run_wall");   // no start_latency of another definition
  EXPECT_EQ(samples[0].duration_ns, 60);  // the wall-clock span
}

TEST(StartPhases, ForeignSessionsAndOtherVerbsAreNotJoined) {
  StartPhaseJoiner joiner;
  for (auto& e : RunSession(100, "someone-elses", 0)) joiner.Add(e);
  joiner.Add(RuntimeExec(70, 400, {"--root", "/r", "delete", "--force", "fl-a-1"}));
  joiner.Add(RuntimeExec(71, 401, {"--root", "/r", "start", "fl-a-9"}));  // create never seen
  auto timelines = joiner.Timelines();
  EXPECT_EQ(timelines.count("fl-a-1"), 0u);
  EXPECT_EQ(timelines.count("fl-a-9"), 0u);
  std::vector<reports::Sample> samples = {RunSample("fl-a-1", 0, 10)};
  EXPECT_EQ(JoinPhases(samples, timelines).unjoined, 1u);
  EXPECT_TRUE(samples[0].phases.empty());
  EXPECT_EQ(samples[0].op, "run_wall");
}

TEST(StartPhases, JoinedRunEndsAtUserExecAndKeepsTheWallSpan) {
  StartPhaseJoiner joiner;
  for (auto& e : RunSession(100, "fl-a-1", 1000)) joiner.Add(e);
  reports::Sample failed = RunSample("fl-a-1", 990, 5);
  failed.ok = false;
  std::vector<reports::Sample> samples = {RunSample("fl-a-1", 990, 45), failed};
  JoinStats stats = JoinPhases(samples, joiner.Timelines());
  EXPECT_EQ(stats.joined, 1u);
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[0].duration_ns, 44);  // 1034 - 990
  EXPECT_EQ(samples[0].phases.at(kPhaseRuntimeExec), 10);
  EXPECT_EQ(samples[0].phases.at(kPhaseUserExec), 44);
  EXPECT_TRUE(samples[1].phases.empty());  // failed samples stay as they were
  EXPECT_EQ(samples[2].op, "run_wall");
  EXPECT_EQ(samples[2].duration_ns, 45);
}

// Folding quiet sessions must not change any timeline: every event stream here is read once
// unfolded and once with everything folded at each point of its arrival.
std::vector<ProbeEvent> FoldingScenario() {
  std::vector<ProbeEvent> events;
  auto append = [&](std::vector<ProbeEvent> more) {
    events.insert(events.end(), more.begin(), more.end());
  };
  std::vector<ProbeEvent> first = RunSession(100, "fl-a-1", 1000);
  first.pop_back();  // its pid 1 (103) exits later
  append(first);
  append({HelperExec(1990, 90, {"containerd-shim-runc-v2", "-id", "fl-a-2", "start"})});
  append(RunSession(200, "fl-a-2", 2000));
  append({RuntimeExec(2500, 300, {"create", "--bundle", "/b", "fl-a-3"}),
          Mkdir(2505, 300, "/x/fl-a-3"), Ev(2506, EventKind::kPid1Fork, 300, 313),
          RuntimeExec(2600, 400, {"start", "fl-a-3"}), Exec(2605, 300, 313, true)});
  ProbeEvent listen = Ev(2700, EventKind::kListen, 100, 103);  // fl-a-1 listens late
  listen.arg = 8080;
  append({listen, Ev(2800, EventKind::kExit, 100, 103)});            // and exits
  append({RuntimeExec(3000, 100, {"delete", "fl-a-1"})});            // its pid reused by a delete
  std::vector<ProbeEvent> reused = RunSession(100, "fl-b-1", 4000);  // and by another run
  for (auto& e : reused) e.pid = e.pid == 103 ? 503 : e.pid;
  append(reused);
  append({Ev(4050, EventKind::kExit, 300, 313)});  // fl-a-3's pid 1 exits
  return events;
}

TEST(StartPhases, FoldingQuietSessionsKeepsEveryTimeline) {
  const std::vector<ProbeEvent> events = FoldingScenario();
  StartPhaseJoiner whole;
  for (const auto& e : events) whole.Add(e);
  const auto expected = whole.Timelines();
  ASSERT_EQ(expected.size(), 4u);
  EXPECT_EQ(expected.at("fl-a-1").at.at(kPhaseReady), 2700);
  EXPECT_EQ(expected.at("fl-a-1").at.at(kPhaseExit), 2800);
  EXPECT_EQ(expected.at("fl-a-2").at.at(kPhaseShimExec), 1990);
  EXPECT_EQ(expected.at("fl-a-3").at.at(kPhaseExit), 4050);
  for (std::size_t split = 0; split <= events.size(); ++split) {
    StartPhaseJoiner folding;
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (i == split) folding.Settle(events[i].ts_ns);  // all that came before
      folding.Add(events[i]);
    }
    const auto timelines = folding.Timelines();
    ASSERT_EQ(timelines.size(), expected.size()) << "folded before event " << split;
    for (const auto& [id, t] : expected) {
      EXPECT_EQ(timelines.at(id).at, t.at) << id << ", folded before event " << split;
      EXPECT_EQ(timelines.at(id).pid1, t.pid1) << id;
    }
  }
}

TEST(StartPhases, FoldingKeepsSessionsThatAreNotQuietOrStartedYet) {
  StartPhaseJoiner joiner;
  auto a = RunSession(100, "fl-a-1", 1000);
  for (std::size_t i = 0; i < 4; ++i) joiner.Add(a[i]);
  joiner.Settle(1010);  // the session's mkdir at 1017 is not before the horizon
  EXPECT_EQ(joiner.held_events(), 4u);
  for (std::size_t i = 4; i < 8; ++i) joiner.Add(a[i]);  // up to the user process exec
  joiner.Settle(1010);                                   // started: nothing more to hold
  EXPECT_EQ(joiner.held_events(), 0u);
  joiner.Add(a[8]);  // its exit, late
  EXPECT_EQ(joiner.held_events(), 0u);
  EXPECT_EQ(joiner.Timelines().at("fl-a-1").at.at(kPhaseUserExec), 1034);
  EXPECT_EQ(joiner.Timelines().at("fl-a-1").at.at(kPhaseExit), 1040);
}

}  // namespace
}  // namespace faultline::probes
