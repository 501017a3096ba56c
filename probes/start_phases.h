// Joins container_start events into per-container start timelines, and timelines into samples.
// Sessions (one per runtime invocation) are matched to containers by the container id that ends
// the runtime's argv, checked against the cgroup the session creates (its last path element).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "probes/events.h"
#include "reports/result.h"

namespace faultline::probes {

// Phase names; reports::StartPhaseOrder() (reports/phases.h) gives their order (docs/METRICS.md).
inline constexpr const char* kPhaseShimExec = "shim_exec";
inline constexpr const char* kPhaseRuntimeExec = "runtime_exec";
inline constexpr const char* kPhaseRuntimeInit = "runtime_init";
inline constexpr const char* kPhaseCgroup = "cgroup_created";
inline constexpr const char* kPhaseNamespaces = "namespaces_created";
inline constexpr const char* kPhasePid1 = "pid1_forked";
inline constexpr const char* kPhaseStartExec = "start_exec";
inline constexpr const char* kPhaseUserExec = "user_exec";
inline constexpr const char* kPhaseReady = "ready";
inline constexpr const char* kPhaseExit = "exit";

struct StartTimeline {
  std::string container;
  std::map<std::string, std::int64_t> at;  // phase -> CLOCK_BOOTTIME ns
  std::uint32_t pid1 = 0;                  // host pid of the container's pid 1
  std::uint32_t pidns = 0;                 // its pid namespace inode
};

class StartPhaseJoiner {
 public:
  void Add(const ProbeEvent& event);
  // Folds every session whose container's user process exec'd, and every other session whose
  // events all came before BEFORE_NS, into its container's timeline and drops those events, so
  // that a long run keeps a timeline per container rather than every event. BEFORE_NS must
  // leave room for the ring buffers' reordering and for the longest a session may last; a
  // folded session's later events (its container's exit, first listen) still reach the
  // timeline.
  void Settle(std::int64_t before_ns);
  // One timeline per container id seen in a session that created or started it.
  std::map<std::string, StartTimeline> Timelines() const;
  // Events held unfolded.
  std::size_t held_events() const;

 private:
  std::map<std::uint32_t, std::vector<ProbeEvent>> sessions_;  // unfolded, by runtime tgid
  std::map<std::string, StartTimeline> folded_;
  // A folded session's container, when its last runtime invocation created one.
  std::map<std::uint32_t, std::string> folded_creators_;
  std::map<std::string, std::int64_t> helper_exec_;  // container -> its helper's earliest exec
};

struct JoinStats {
  std::uint64_t joined = 0;    // run samples that got phases
  std::uint64_t unjoined = 0;  // ok run samples without a user_exec timestamp
};

// For every "run" sample with a timeline: phases (ns from the sample's start_ns), the run
// sample then ends at the user process exec, and a "run_wall" sample keeps the span to the
// runtime call's return; a successful "run" sample without one becomes "run_wall" alone (never
// a start_latency of another definition). A sample's timeline is found by its container name, else
// by the id its platform gave it (PLATFORM_IDS: faultline's name -> the platform's id, which a
// daemon's runtime invocation carries).
JoinStats JoinPhases(std::vector<reports::Sample>& samples,
                     const std::map<std::string, StartTimeline>& timelines,
                     const std::map<std::string, std::string>& platform_ids = {});

}  // namespace faultline::probes
