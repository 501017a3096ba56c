// Probe events as the rest of faultline sees them: decoded from the BPF ring buffers, free of
// libbpf, so joins and counts are testable on recorded sequences.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace faultline::probes {

enum class EventKind {
  // container_start
  kRuntimeExec,  // a runtime binary exec'd: a session begins (args: its argv tail)
  kExec,         // a session process exec'd (text: the file; pid1: by a container's pid 1)
  kCgroupMkdir,  // a session process created a cgroup (text: path in its hierarchy)
  kNamespaces,   // unshare()/clone() created namespaces (arg: CLONE_NEW* flags, 0 for clone)
  kPid1Fork,     // pid 1 of a new pid namespace forked (pid: it; pidns: its namespace)
  kListen,       // first TCP LISTEN socket (arg: port)
  kExit,         // a container's pid 1 exited (arg: wait status)
  kHelperExec,   // a shim or conmon exec'd below a daemon (args: its argv head)
  // node_signals
  kOomKill,        // OOM killer victim (pid, pidns, comm)
  kTcpRetransmit,  // netns; count
  kPacketDrop,     // netns; count; arg: drop reason; text: its name
  kSignalExit,     // process killed by a signal (arg: signal)
};

const char* EventKindName(EventKind kind);

struct ProbeEvent {
  std::int64_t ts_ns = 0;  // CLOCK_BOOTTIME
  EventKind kind = EventKind::kExec;
  std::uint32_t session = 0;  // container_start: tgid of the runtime process that began it
  std::uint32_t pid = 0;
  std::uint32_t ppid = 0;
  std::uint32_t pidns = 0;
  std::uint32_t netns = 0;
  std::uint64_t arg = 0;
  // kTcpRetransmit, kPacketDrop: packets counted in the kernel since the previous reading;
  // ts_ns is then the latest one's time.
  std::uint64_t count = 1;
  bool pid1 = false;  // kExec: the exec'ing process is a container's pid 1
  std::string comm;
  std::string text;
  std::vector<std::string> args;  // kRuntimeExec: argv tail (the first may be cut); kHelperExec:
                                  // argv head (the last may be cut)
};

}  // namespace faultline::probes
