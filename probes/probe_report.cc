#include "probes/probe_report.h"

#include "probes/signals.h"
#include "probes/start_phases.h"

namespace faultline::probes {
namespace {

std::map<std::string, std::uint64_t> ByInode(const std::map<std::uint32_t, std::uint64_t>& in) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& [inode, n] : in) out[std::to_string(inode)] = n;
  return out;
}

}  // namespace

void ApplyProbeEvents(const ProbeLog& log, const ProbeStats& stats,
                      const std::vector<StepWindow>& windows, reports::Result& result,
                      const std::map<std::string, std::string>& platform_ids) {
  reports::ProbeReport report{stats.mode, stats.reason, stats.attach, stats.events, stats.drops};
  if (stats.mode != "ebpf") {
    result.probes = report;
    result.validity.push_back("eBPF probes off (" + stats.reason +
                              "): start_latency is the wall-clock span from bundle preparation "
                              "to the runtime's start returning, without a phase breakdown");
    return;
  }
  SignalLog signals = log.Signals();
  const auto timelines = log.Timelines();
  for (const auto& [id, timeline] : timelines) signals.NameContainer(timeline.pidns, id);
  const JoinStats joined = JoinPhases(result.samples, timelines, platform_ids);
  report.samples_joined = joined.joined;
  report.samples_unjoined = joined.unjoined;
  result.probes = report;
  if (joined.unjoined > 0) {
    result.validity.push_back(
        std::to_string(joined.unjoined) + " of " + std::to_string(joined.joined + joined.unjoined) +
        " successful starts without kernel phases: start_latency covers only the others "
        "(op_latency.run_wall has every start's wall-clock span)");
  }

  for (const StepWindow& w : windows) {
    const SignalCounts c = signals.CountSignals(w.from_ns, w.to_ns);
    result.signals.push_back({w.step, w.target, w.repetition, w.from_ns, w.to_ns, c.oom_kills,
                              c.tcp_retransmits, c.packet_drops, c.signal_exits, c.drop_reasons,
                              ByInode(c.retransmits_by_netns), ByInode(c.drops_by_netns),
                              c.oom_kills_by_container, c.signal_exits_by_container});
  }
  // Each fault's window (injected -> reverted): what the kernel saw on the whole host.
  for (reports::FaultRecord& fault : result.faults) {
    if (!fault.inject_ns || fault.revert_ns <= fault.inject_ns) continue;
    const SignalCounts c = signals.CountSignals(fault.inject_ns, fault.revert_ns);
    fault.signals = {{"oom_kills", c.oom_kills},
                     {"tcp_retransmits", c.tcp_retransmits},
                     {"packet_drops", c.packet_drops},
                     {"signal_exits", c.signal_exits}};
  }
  if (stats.drops) {
    result.validity.push_back(std::to_string(stats.drops) +
                              " probe records lost (ring buffer or packet counter map full): "
                              "some phases and signal counts are missing");
  }
  if (joined.unjoined) {
    result.validity.push_back(
        std::to_string(joined.unjoined) +
        " successful starts have no user-process exec from the probes: their start_latency is "
        "the wall-clock span, not the kernel timestamp");
  }
}

}  // namespace faultline::probes
