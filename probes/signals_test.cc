#include "probes/signals.h"

#include <gtest/gtest.h>

namespace faultline::probes {
namespace {

ProbeEvent Signal(std::int64_t ts, EventKind kind, std::uint32_t pidns = 0, std::uint32_t netns = 0,
                  std::string text = "", std::uint64_t count = 1) {
  ProbeEvent e;
  e.count = count;
  e.ts_ns = ts;
  e.kind = kind;
  e.pidns = pidns;
  e.netns = netns;
  e.text = std::move(text);
  return e;
}

TEST(SignalLog, CountsOnlyTheWindowHalfOpen) {
  SignalLog log;
  log.Add(Signal(10, EventKind::kTcpRetransmit, 0, 7));
  log.Add(Signal(20, EventKind::kTcpRetransmit, 0, 7));
  log.Add(Signal(30, EventKind::kTcpRetransmit, 0, 8));
  log.Add(Signal(15, EventKind::kExec));  // not a node signal: ignored
  SignalCounts counts = log.CountSignals(10, 30);
  EXPECT_EQ(counts.tcp_retransmits, 2u);
  EXPECT_EQ(counts.retransmits_by_netns.at(7), 2u);
  EXPECT_EQ(counts.retransmits_by_netns.count(8), 0u);
  EXPECT_EQ(log.events().size(), 3u);
}

TEST(SignalLog, AttributesOomAndSignalExitsToContainersByPidNamespace) {
  SignalLog log;
  log.NameContainer(4026531999, "fl-a-1");
  log.Add(Signal(1, EventKind::kOomKill, 4026531999));
  log.Add(Signal(2, EventKind::kOomKill, 4026531836));  // the host's own
  log.Add(Signal(3, EventKind::kSignalExit, 4026531999));
  SignalCounts counts = log.CountSignals(0, 100);
  EXPECT_EQ(counts.oom_kills, 2u);
  EXPECT_EQ(counts.oom_kills_by_container.at("fl-a-1"), 1u);
  EXPECT_EQ(counts.signal_exits_by_container.at("fl-a-1"), 1u);
}

// Packets arrive as kernel counts: each reading carries how many since the previous one.
TEST(SignalLog, DropsCountedByReasonAndNetns) {
  SignalLog log;
  log.Add(Signal(1, EventKind::kPacketDrop, 0, 5, "NO_SOCKET", 40));
  log.Add(Signal(2, EventKind::kPacketDrop, 0, 5, "NO_SOCKET", 2));
  log.Add(Signal(3, EventKind::kPacketDrop, 0, 6, "NETFILTER_DROP"));
  log.Add(Signal(3, EventKind::kTcpRetransmit, 0, 6, "", 7));
  SignalCounts counts = log.CountSignals(0, 4);
  EXPECT_EQ(counts.packet_drops, 43u);
  EXPECT_EQ(counts.drop_reasons.at("NO_SOCKET"), 42u);
  EXPECT_EQ(counts.drops_by_netns.at(5), 42u);
  EXPECT_EQ(counts.drops_by_netns.at(6), 1u);
  EXPECT_EQ(counts.tcp_retransmits, 7u);
  EXPECT_EQ(counts.retransmits_by_netns.at(6), 7u);
  EXPECT_TRUE(log.CountSignals(4, 10).empty());
}

}  // namespace
}  // namespace faultline::probes
