// A run's probe log on a long recorded stream: it holds a bounded number of events however many
// containers start, and its timelines and signals are those of the whole stream.
#include "probes/probe_log.h"

#include <gtest/gtest.h>

namespace faultline::probes {
namespace {

ProbeEvent Ev(std::int64_t ts, EventKind kind, std::uint32_t session, std::uint32_t pid) {
  ProbeEvent e;
  e.ts_ns = ts;
  e.kind = kind;
  e.session = session;
  e.pid = pid;
  return e;
}

// A `runc run` of container ID by runtime tgid S at T0 (ns), 9 events over 40 ms.
std::vector<ProbeEvent> RunSession(std::uint32_t s, const std::string& id, std::int64_t t0) {
  ProbeEvent exec = Ev(t0, EventKind::kRuntimeExec, s, s);
  exec.args = {"--root", "/r", "run", "--detach", "--bundle", "/b", id};
  ProbeEvent mkdir = Ev(t0 + 17'000'000, EventKind::kCgroupMkdir, s, s);
  mkdir.text = "/faultline/run1/" + id;
  ProbeEvent user = Ev(t0 + 34'000'000, EventKind::kExec, s, s + 3);
  user.pid1 = true;
  return {exec,
          Ev(t0 + 9'000'000, EventKind::kExec, s, s + 1),
          mkdir,
          Ev(t0 + 19'000'000, EventKind::kNamespaces, s, s + 2),
          Ev(t0 + 20'000'000, EventKind::kPid1Fork, s, s + 3),
          user,
          Ev(t0 + 40'000'000, EventKind::kExit, s, s + 3)};
}

TEST(ProbeLog, HoldsBoundedEventsAndJoinsAsTheWholeStreamWould) {
  constexpr int kContainers = 3000;
  ProbeLog log(std::chrono::milliseconds(500));
  StartPhaseJoiner whole;
  // A start every 10 ms; tgids wrap every 500 containers, as pids do.
  for (int i = 0; i < kContainers; ++i) {
    const auto s = static_cast<std::uint32_t>(1000 + 10 * (i % 500));
    for (const ProbeEvent& e : RunSession(s, "fl-" + std::to_string(i), i * 10'000'000LL)) {
      log.Add(e);
      whole.Add(e);
    }
  }
  ProbeEvent drop = Ev(5, EventKind::kPacketDrop, 0, 0);
  drop.count = 7;
  log.Add(drop);
  // Started containers' sessions are folded at each settling: at most a settling period of
  // events is held.
  EXPECT_LT(log.held_events(), 1024u);
  EXPECT_LT(log.held_events(), whole.held_events() / 10);
  const auto timelines = log.Timelines();
  const auto expected = whole.Timelines();
  ASSERT_EQ(timelines.size(), static_cast<std::size_t>(kContainers));
  ASSERT_EQ(expected.size(), timelines.size());
  for (const auto& [id, t] : expected) EXPECT_EQ(timelines.at(id).at, t.at) << id;
  EXPECT_EQ(timelines.at("fl-2999").at.at(kPhaseUserExec), 29'990'000'000LL + 34'000'000);
  EXPECT_EQ(log.Signals().CountSignals(0, 10).packet_drops, 7u);
}

}  // namespace
}  // namespace faultline::probes
