// What a run keeps of its probes' events: each container's start timeline and the node signal
// stream, not the events themselves. Sessions quiet for longer than a start may take are folded
// into their timelines as events arrive, so memory grows with the containers started rather than
// with the events (about 22 a start).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "harness/core/clock.h"
#include "probes/events.h"
#include "probes/signals.h"
#include "probes/start_phases.h"

namespace faultline::probes {

class ProbeLog {
 public:
  // SETTLE_AFTER: the longest a runtime session may last (the scenario's create + start
  // timeouts) plus the ring buffers' reordering.
  explicit ProbeLog(Nanos settle_after) : settle_after_ns_(settle_after.count()) {}

  // Every probe event (ProbeSetOptions::on_event); thread-safe.
  void Add(const ProbeEvent& event);
  std::map<std::string, StartTimeline> Timelines() const;
  SignalLog Signals() const;
  // Events held unfolded (for tests and benchmarks).
  std::size_t held_events() const;

 private:
  const std::int64_t settle_after_ns_;
  mutable std::mutex mu_;
  StartPhaseJoiner joiner_;
  SignalLog signals_;
  std::int64_t latest_ns_ = 0;
  std::size_t added_since_settle_ = 0;
};

}  // namespace faultline::probes
