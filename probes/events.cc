#include "probes/events.h"

namespace faultline::probes {

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kRuntimeExec: return "runtime_exec";
    case EventKind::kExec: return "exec";
    case EventKind::kCgroupMkdir: return "cgroup_mkdir";
    case EventKind::kNamespaces: return "namespaces";
    case EventKind::kPid1Fork: return "pid1_fork";
    case EventKind::kListen: return "listen";
    case EventKind::kExit: return "exit";
    case EventKind::kHelperExec: return "helper_exec";
    case EventKind::kOomKill: return "oom_kill";
    case EventKind::kTcpRetransmit: return "tcp_retransmit";
    case EventKind::kPacketDrop: return "packet_drop";
    case EventKind::kSignalExit: return "signal_exit";
  }
  return "unknown";
}

}  // namespace faultline::probes
