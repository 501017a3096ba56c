#include "probes/start_phases.h"

#include <algorithm>
#include <array>
#include <optional>
#include <span>

namespace faultline::probes {
namespace {

// Runtime verbs that matter for starts; the first such argv token names the invocation.
constexpr std::array<const char*, 3> kCreatingVerbs = {"create", "run", "start"};

std::string VerbOf(const std::vector<std::string>& args) {
  for (const auto& arg : args) {
    for (const char* verb : kCreatingVerbs) {
      if (arg == verb) return arg;
    }
  }
  return "";
}

bool PathEndsWith(const std::string& path, const std::string& id) {
  return path.size() >= id.size() && path.compare(path.size() - id.size(), id.size(), id) == 0 &&
         (path.size() == id.size() || path[path.size() - id.size() - 1] == '/');
}

void SetFirst(StartTimeline& timeline, const char* phase, std::int64_t ts) {
  timeline.at.emplace(phase, ts);  // keeps the earliest: events arrive sorted by time
}

// What one creating session (create or run) says about its container.
void ReadCreatingSession(std::span<const ProbeEvent> events, const std::string& id,
                         StartTimeline& timeline) {
  for (const ProbeEvent& e : events) {
    switch (e.kind) {
      case EventKind::kRuntimeExec: SetFirst(timeline, kPhaseRuntimeExec, e.ts_ns); break;
      case EventKind::kExec:
        SetFirst(timeline, e.pid1 ? kPhaseUserExec : kPhaseRuntimeInit, e.ts_ns);
        break;
      case EventKind::kCgroupMkdir:
        if (PathEndsWith(e.text, id)) SetFirst(timeline, kPhaseCgroup, e.ts_ns);
        break;
      case EventKind::kNamespaces: SetFirst(timeline, kPhaseNamespaces, e.ts_ns); break;
      case EventKind::kPid1Fork:
        if (!timeline.pid1) {
          timeline.pid1 = e.pid;
          timeline.pidns = e.pidns;
        }
        SetFirst(timeline, kPhasePid1, e.ts_ns);
        break;
      case EventKind::kListen: SetFirst(timeline, kPhaseReady, e.ts_ns); break;
      case EventKind::kExit:
        // An earlier session of the same pid may have left a pid 1 that exits only now.
        if (!timeline.pid1 || e.pid == timeline.pid1) SetFirst(timeline, kPhaseExit, e.ts_ns);
        break;
      default: break;
    }
  }
}

// The container a helper's argv names: containerd's shim "-id ID", conmon "-c ID" / "--cid ID".
std::string HelperContainer(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "-id" || args[i] == "-c" || args[i] == "--cid") return args[i + 1];
  }
  return "";
}

std::vector<ProbeEvent> SortedByTime(std::vector<ProbeEvent> events) {
  // Ring buffers deliver per-CPU order only.
  std::stable_sort(events.begin(), events.end(),
                   [](const ProbeEvent& a, const ProbeEvent& b) { return a.ts_ns < b.ts_ns; });
  return events;
}

// Folds one runtime tgid's events, in time order, into OUT. A session is named by its runtime
// process's pid, which the kernel hands out again once the pids wrap (pid_max 32768 is a few
// hundred daemon-made containers): each runtime exec begins a session of its own. Events before
// the first belong to a session whose start was lost and cannot be attributed to a container.
// Returns the container of the last session when that session created one.
std::optional<std::string> FoldSessions(const std::vector<ProbeEvent>& events,
                                        std::map<std::string, StartTimeline>& out) {
  std::optional<std::string> last_creating;
  auto is_exec = [](const ProbeEvent& e) { return e.kind == EventKind::kRuntimeExec; };
  for (auto exec = std::find_if(events.begin(), events.end(), is_exec); exec != events.end();) {
    const auto next = std::find_if(exec + 1, events.end(), is_exec);
    const std::string verb = VerbOf(exec->args);
    last_creating.reset();
    if (!exec->args.empty() && !verb.empty()) {  // not state, kill, delete...
      const std::string& id = exec->args.back();
      StartTimeline& timeline = out[id];
      timeline.container = id;
      if (verb == "start") {
        // With create + start the user process is exec'd by the create session's pid 1; a
        // start session has nothing else to say.
        SetFirst(timeline, kPhaseStartExec, exec->ts_ns);
      } else {
        ReadCreatingSession({exec, next}, id, timeline);
        last_creating = id;
      }
    }
    exec = next;
  }
  return last_creating;
}

// Whether an event at TS of a folded session's tgid still belongs to that session: it came
// before any later runtime exec of the same tgid (HELD: its unfolded events).
bool BeforeNextExec(const std::vector<ProbeEvent>* held, std::int64_t ts) {
  if (!held) return true;
  for (const ProbeEvent& e : *held) {
    if (e.kind == EventKind::kRuntimeExec && e.ts_ns <= ts) return false;
  }
  return true;
}

}  // namespace

void StartPhaseJoiner::Add(const ProbeEvent& event) {
  if (event.session == 0) return;  // node signals carry no session
  if (event.kind == EventKind::kHelperExec) {
    // The shim re-executes itself: its earliest exec counts.
    const std::string container = HelperContainer(event.args);
    if (container.empty()) return;
    auto [it, fresh] = helper_exec_.emplace(container, event.ts_ns);
    if (!fresh) it->second = std::min(it->second, event.ts_ns);
    return;
  }
  auto held = sessions_.find(event.session);
  auto creator = folded_creators_.find(event.session);
  if (creator != folded_creators_.end() && event.kind != EventKind::kRuntimeExec &&
      BeforeNextExec(held == sessions_.end() ? nullptr : &held->second, event.ts_ns)) {
    ReadCreatingSession({&event, 1}, creator->second, folded_[creator->second]);
    return;
  }
  sessions_[event.session].push_back(event);
}

void StartPhaseJoiner::Settle(std::int64_t before_ns) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const auto& events = it->second;
    const bool quiet = std::all_of(events.begin(), events.end(),
                                   [&](const ProbeEvent& e) { return e.ts_ns < before_ns; });
    // A creating session has nothing more to say but late events once its container's user
    // process exec'd: folded then, not only once quiet.
    const bool started = std::any_of(events.begin(), events.end(), [](const ProbeEvent& e) {
      return e.kind == EventKind::kExec && e.pid1;
    });
    if (!quiet && !started) {
      ++it;
      continue;
    }
    const auto last_creating = FoldSessions(SortedByTime(events), folded_);
    if (last_creating) {
      folded_creators_[it->first] = *last_creating;
    } else if (std::any_of(events.begin(), events.end(),
                           [](const ProbeEvent& e) { return e.kind == EventKind::kRuntimeExec; })) {
      folded_creators_.erase(it->first);  // a later invocation that created nothing
    }
    it = sessions_.erase(it);
  }
}

std::size_t StartPhaseJoiner::held_events() const {
  std::size_t n = 0;
  for (const auto& [session, events] : sessions_) n += events.size();
  return n;
}

std::map<std::string, StartTimeline> StartPhaseJoiner::Timelines() const {
  std::map<std::string, StartTimeline> out = folded_;
  for (const auto& [session, events] : sessions_) FoldSessions(SortedByTime(events), out);
  // A start session alone (its create was not seen) is no timeline.
  for (auto it = out.begin(); it != out.end();) {
    it = it->second.at.count(kPhaseRuntimeExec) ? std::next(it) : out.erase(it);
  }
  // The daemon's helper for the container, before its runtime.
  for (const auto& [container, ts] : helper_exec_) {
    auto timeline = out.find(container);
    if (timeline == out.end() || ts > timeline->second.at.at(kPhaseRuntimeExec)) continue;
    timeline->second.at[kPhaseShimExec] = ts;
  }
  return out;
}

JoinStats JoinPhases(std::vector<reports::Sample>& samples,
                     const std::map<std::string, StartTimeline>& timelines,
                     const std::map<std::string, std::string>& platform_ids) {
  JoinStats stats;
  std::vector<reports::Sample> wall;
  for (reports::Sample& sample : samples) {
    if (sample.op != "run" || !sample.ok) continue;
    auto found = timelines.find(sample.container);
    if (found == timelines.end()) {
      auto platform_id = platform_ids.find(sample.container);
      if (platform_id != platform_ids.end()) found = timelines.find(platform_id->second);
    }
    if (found == timelines.end() || !found->second.at.count(kPhaseUserExec)) {
      // Its wall-clock span only: a start_latency that ends at the exec for some starts and at
      // the start call's return for others would mix two definitions.
      sample.op = "run_wall";
      ++stats.unjoined;
      continue;
    }
    for (const auto& [phase, ts] : found->second.at) sample.phases[phase] = ts - sample.start_ns;
    reports::Sample returned = sample;
    returned.op = "run_wall";
    returned.phases.clear();
    wall.push_back(std::move(returned));
    sample.duration_ns = sample.phases.at(kPhaseUserExec);
    ++stats.joined;
  }
  samples.insert(samples.end(), wall.begin(), wall.end());
  return stats;
}

}  // namespace faultline::probes
