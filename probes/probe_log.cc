#include "probes/probe_log.h"

#include <algorithm>

namespace faultline::probes {
namespace {

// Folding walks every unfolded session: done once per this many events, not per event.
constexpr std::size_t kSettleEvery = 1024;

}  // namespace

void ProbeLog::Add(const ProbeEvent& event) {
  std::lock_guard lock(mu_);
  joiner_.Add(event);
  signals_.Add(event);
  latest_ns_ = std::max(latest_ns_, event.ts_ns);
  if (++added_since_settle_ >= kSettleEvery) {
    joiner_.Settle(latest_ns_ - settle_after_ns_);
    added_since_settle_ = 0;
  }
}

std::map<std::string, StartTimeline> ProbeLog::Timelines() const {
  std::lock_guard lock(mu_);
  return joiner_.Timelines();
}

SignalLog ProbeLog::Signals() const {
  std::lock_guard lock(mu_);
  return signals_;
}

std::size_t ProbeLog::held_events() const {
  std::lock_guard lock(mu_);
  return joiner_.held_events();
}

}  // namespace faultline::probes
