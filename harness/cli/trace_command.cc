// `faultline trace`: a live view of container starts on this host, one line per container with
// its start phases, from the container_start probe in host mode (sessions begin at any exec of a
// known runtime binary).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "harness/cli/commands.h"
#include "harness/core/clock.h"
#include "harness/drivers/catalog.h"
#include "probes/probe_set.h"
#include "probes/start_phases.h"
#include "reports/phases.h"

namespace faultline::cli {
namespace {

constexpr const char* kHelp = R"(usage: faultline trace [--duration D] [--runtime NAME]...

Prints one line per container start on this host: the runtime, the container id, and when each
start phase happened, in ms after the runtime's exec (docs/METRICS.md). Sessions begin at the
exec of a runtime binary (default: every runtime a driver can run; --runtime replaces the list, at most 4 names).
Stops after --duration (default 60s) or on Ctrl-C. Needs root and eBPF; exit 3 without them.
)";

// Renders the timelines whose user process exec'd, once each.
class LiveView {
 public:
  void Add(const probes::ProbeEvent& event) {
    std::lock_guard lock(mu_);
    joiner_.Add(event);
    if (event.kind == probes::EventKind::kRuntimeExec) runtime_[event.session] = event.comm;
    if (event.kind != probes::EventKind::kExec || !event.pid1) return;
    for (const auto& [id, timeline] : joiner_.Timelines()) {
      if (!timeline.at.count(probes::kPhaseUserExec) || !printed_.insert(id).second) continue;
      Print(id, timeline, runtime_[event.session]);
    }
  }

 private:
  static void Print(const std::string& id, const probes::StartTimeline& timeline,
                    const std::string& runtime) {
    const std::int64_t base = timeline.at.at(probes::kPhaseRuntimeExec);
    std::string line;
    for (const std::string& phase : reports::StartPhaseOrder()) {
      auto at = timeline.at.find(phase);
      if (at == timeline.at.end() || phase == probes::kPhaseRuntimeExec) continue;
      char cell[64];
      std::snprintf(cell, sizeof cell, "  %s %.1f", phase.c_str(), (at->second - base) / 1e6);
      line += cell;
    }
    std::printf("%-5s %-40s pid1 %-7u%s\n", runtime.c_str(), id.c_str(), timeline.pid1,
                line.c_str());
    std::fflush(stdout);
  }

  std::mutex mu_;
  probes::StartPhaseJoiner joiner_;
  std::map<std::uint32_t, std::string> runtime_;
  std::set<std::string> printed_;
};

}  // namespace

int TraceCommand(const Args& args) {
  auto parsed = ParseTraceArguments(args);
  if (!parsed.ok()) return UsageError("trace", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  const Nanos duration = (*parsed)->duration;
  std::vector<std::string> runtimes = (*parsed)->runtimes;

  // Ctrl-C and SIGTERM end the trace; waited for synchronously below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  LiveView view;
  probes::ProbeSetOptions options;
  options.host_mode = true;
  if (runtimes.empty()) {
    // Every OCI runtime a driver can run.
    for (const auto& spec : drivers::DriverCatalog()) {
      const drivers::DriverField* field = spec.FindField("runtime");
      if (!field) continue;
      for (const auto& name : field->values) {
        if (std::find(runtimes.begin(), runtimes.end(), name) == runtimes.end())
          runtimes.push_back(name);
      }
    }
  }
  options.runtimes = runtimes;
  options.node_signals = false;
  options.keep_events = false;
  options.on_event = [&view](const probes::ProbeEvent& e) { view.Add(e); };
  auto set = probes::ProbeSet::Start(options);
  if (!set->active()) {
    std::fprintf(stderr, "faultline trace: cannot trace: %s\n", set->Stats().reason.c_str());
    return 3;
  }
  std::fprintf(stderr, "faultline trace: tracing container starts (%s) for %.0f s; Ctrl-C stops\n",
               set->Stats().attach.c_str(), std::chrono::duration<double>(duration).count());
  const auto total = std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
  timespec wait{static_cast<time_t>(total / 1'000'000'000),
                static_cast<long>(total % 1'000'000'000)};
  sigtimedwait(&stop_signals, nullptr, &wait);
  set->Stop();
  const probes::ProbeStats stats = set->Stats();
  std::fprintf(stderr, "faultline trace: %llu events, %llu lost\n",
               static_cast<unsigned long long>(stats.events),
               static_cast<unsigned long long>(stats.drops));
  return 0;
}

}  // namespace faultline::cli
