#include "probes/live_join.h"

#include <algorithm>

#include "probes/start_phases.h"

namespace faultline::probes {
namespace {

constexpr std::int64_t kJoinEveryNs = 200'000'000;

}  // namespace

LivePhaseJoin::LivePhaseJoin(reports::RunObserver* next, PlatformIds platform_ids,
                             Nanos longest_start, Nanos patience)
    : next_(next),
      platform_ids_(std::move(platform_ids)),
      keep_events_ns_((longest_start + patience).count()),
      patience_ns_(patience.count()) {}

void LivePhaseJoin::OnSample(const reports::Sample& sample, const char* error_class) {
  if (sample.op != "run" || !sample.ok) {
    next_->OnSample(sample, error_class);
    return;
  }
  std::lock_guard lock(mu_);
  held_.push_back({sample, BootNowNs()});
}

void LivePhaseJoin::OnEvent(const ProbeEvent& event) {
  if (event.session == 0) return;  // node signals
  std::lock_guard lock(mu_);
  events_.push_back(event);
}

void LivePhaseJoin::Pump(std::int64_t now_ns) {
  Join(now_ns, false);
}

void LivePhaseJoin::Finish() {
  Join(BootNowNs(), true);
}

void LivePhaseJoin::Join(std::int64_t now_ns, bool final) {
  std::vector<reports::Sample> ready;
  {
    std::lock_guard lock(mu_);
    if (!final && now_ns - last_join_ns_ < kJoinEveryNs) return;
    last_join_ns_ = now_ns;
    // Older events belong to no start still to come: it would have timed out.
    while (!events_.empty() && events_.front().ts_ns < now_ns - keep_events_ns_) {
      events_.pop_front();
    }
    if (held_.empty()) return;
    // A start's events all come after its sample began (the runtime is exec'd after the bundle
    // is prepared): only those of the held starts' span are read.
    std::int64_t from = held_.front().sample.start_ns;
    for (const Held& h : held_) from = std::min(from, h.sample.start_ns);
    StartPhaseJoiner joiner;
    for (const ProbeEvent& e : events_) {
      if (e.ts_ns >= from) joiner.Add(e);
    }
    std::vector<reports::Sample> samples;
    for (const Held& h : held_) samples.push_back(h.sample);
    JoinPhases(samples, joiner.Timelines(), platform_ids_());
    // JoinPhases appends the run_wall copy of each joined sample after the held ones, in order.
    std::size_t wall = held_.size();
    std::vector<Held> still;
    for (std::size_t i = 0; i < held_.size(); ++i) {
      if (samples[i].op == "run") {
        ready.push_back(std::move(samples[i]));
        ready.push_back(std::move(samples[wall++]));
      } else if (final || now_ns - held_[i].received_ns > patience_ns_) {
        ready.push_back(std::move(samples[i]));  // run_wall alone, as the result counts it
      } else {
        still.push_back(std::move(held_[i]));
      }
    }
    held_ = std::move(still);
  }
  for (const reports::Sample& sample : ready) next_->OnSample(sample, nullptr);
}

}  // namespace faultline::probes
