// Live exporters see a start as result.json will have it: a successful `run` sample is held
// until the probes' events give it its kernel phases (the same JoinPhases as the result's), then
// passed on as the kernel-timed `run` with phases plus its `run_wall`; one not joined within the
// patience is passed on as `run_wall` alone, as the result will count it. Other samples and the
// gauges pass straight through.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "probes/events.h"
#include "reports/run_observer.h"

namespace faultline::probes {

class LivePhaseJoin : public reports::RunObserver {
 public:
  using PlatformIds = std::function<std::map<std::string, std::string>()>;
  // NEXT receives what is joined; PLATFORM_IDS gives faultline's container names -> the ids
  // their platform gave them, as JoinPhases takes them. LONGEST_START: the longest a start may
  // take (the scenario's create + start timeouts), for how long events are kept.
  LivePhaseJoin(reports::RunObserver* next, PlatformIds platform_ids, Nanos longest_start,
                Nanos patience = std::chrono::seconds(2));

  void OnSample(const reports::Sample& sample, const char* error_class) override;
  void OnContainersRunning(int delta) override { next_->OnContainersRunning(delta); }
  void OnFaultsActive(int delta) override { next_->OnFaultsActive(delta); }

  // Every probe event (ProbeSetOptions::on_event).
  void OnEvent(const ProbeEvent& event);
  // Joins what the events so far allow and passes it on (ProbeSetOptions::on_polled); does the
  // work at most every 200 ms.
  void Pump(std::int64_t now_ns);
  // Once the probes have stopped: passes on everything still held, joined or not.
  void Finish();

 private:
  struct Held {
    reports::Sample sample;
    std::int64_t received_ns = 0;
  };
  void Join(std::int64_t now_ns, bool final);

  reports::RunObserver* next_;
  PlatformIds platform_ids_;
  const std::int64_t keep_events_ns_;
  const std::int64_t patience_ns_;
  std::mutex mu_;
  std::deque<ProbeEvent> events_;  // session events, kept while a held start may need them
  std::vector<Held> held_;
  std::int64_t last_join_ns_ = 0;
};

}  // namespace faultline::probes
