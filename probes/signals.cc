#include "probes/signals.h"

namespace faultline::probes {

void SignalLog::Add(const ProbeEvent& event) {
  switch (event.kind) {
    case EventKind::kOomKill:
    case EventKind::kTcpRetransmit:
    case EventKind::kPacketDrop:
    case EventKind::kSignalExit: events_.push_back(event); break;
    default: break;
  }
}

void SignalLog::NameContainer(std::uint32_t pidns, const std::string& container) {
  if (pidns) containers_[pidns] = container;
}

SignalCounts SignalLog::CountSignals(std::int64_t from_ns, std::int64_t to_ns) const {
  SignalCounts counts;
  auto container_of = [this](const ProbeEvent& e) -> const std::string* {
    auto found = containers_.find(e.pidns);
    return found == containers_.end() ? nullptr : &found->second;
  };
  for (const ProbeEvent& e : events_) {
    if (e.ts_ns < from_ns || e.ts_ns >= to_ns) continue;
    switch (e.kind) {
      case EventKind::kOomKill:
        ++counts.oom_kills;
        if (const std::string* c = container_of(e)) ++counts.oom_kills_by_container[*c];
        break;
      case EventKind::kTcpRetransmit:
        counts.tcp_retransmits += e.count;
        counts.retransmits_by_netns[e.netns] += e.count;
        break;
      case EventKind::kPacketDrop:
        counts.packet_drops += e.count;
        counts.drops_by_netns[e.netns] += e.count;
        counts.drop_reasons[e.text.empty() ? std::to_string(e.arg) : e.text] += e.count;
        break;
      case EventKind::kSignalExit:
        ++counts.signal_exits;
        if (const std::string* c = container_of(e)) ++counts.signal_exits_by_container[*c];
        break;
      default: break;
    }
  }
  return counts;
}

}  // namespace faultline::probes
