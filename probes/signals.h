// Node and fault signals counted over time windows (a step, a fault's lifetime), attributed to
// containers through their pid namespaces and to network namespaces by inode.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "probes/events.h"

namespace faultline::probes {

struct SignalCounts {
  std::uint64_t oom_kills = 0;
  std::uint64_t tcp_retransmits = 0;
  std::uint64_t packet_drops = 0;
  std::uint64_t signal_exits = 0;
  std::map<std::string, std::uint64_t> drop_reasons;            // reason name -> drops
  std::map<std::uint32_t, std::uint64_t> retransmits_by_netns;  // netns inode -> count
  std::map<std::uint32_t, std::uint64_t> drops_by_netns;
  std::map<std::string, std::uint64_t> oom_kills_by_container;
  std::map<std::string, std::uint64_t> signal_exits_by_container;

  bool empty() const { return !oom_kills && !tcp_retransmits && !packet_drops && !signal_exits; }
  bool operator==(const SignalCounts&) const = default;
};

// The time-stamped node signal stream of a run.
class SignalLog {
 public:
  // Keeps node signal events (others are ignored).
  void Add(const ProbeEvent& event);
  // Names the container whose processes live in pid namespace PIDNS.
  void NameContainer(std::uint32_t pidns, const std::string& container);
  // Signals with from_ns <= ts < to_ns (CLOCK_BOOTTIME).
  SignalCounts CountSignals(std::int64_t from_ns, std::int64_t to_ns) const;
  const std::vector<ProbeEvent>& events() const { return events_; }

 private:
  std::vector<ProbeEvent> events_;
  std::map<std::uint32_t, std::string> containers_;  // pidns inode -> container id
};

}  // namespace faultline::probes
