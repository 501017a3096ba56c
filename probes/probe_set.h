// The probes of one run or trace: loads container_start and node_signals, polls their ring
// buffers every ~20 ms on a thread of its own, and keeps the decoded events. Never fails: when
// eBPF cannot be used (no build support, not root, load refused, or switched off) it runs in
// degraded mode and says why.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "probes/events.h"

namespace faultline::probes {

// Environment variable that switches probes off when set to "off" (or "0").
inline constexpr const char* kProbesEnv = "FAULTLINE_PROBES";

// True when this build carries the eBPF programs (cmake/bpf.cmake found clang, bpftool, libbpf).
bool ProbesBuiltIn();

struct ProbeSetOptions {
  std::vector<pid_t> roots;           // session roots (the controller): their children
  std::vector<pid_t> daemon_roots;    // platform daemons: any of their descendants
  bool host_mode = false;             // every runtime exec on the host (faultline trace)
  std::vector<std::string> runtimes;  // command names that begin a session (at most 4)
  std::vector<std::string> helpers;   // shims, conmon: their exec is a phase (at most 2)
  bool node_signals = true;
  bool disabled = false;  // forced off (degraded mode, reason given)
  std::chrono::milliseconds poll_interval{20};
  // Called on the polling thread for each event (live views); events are kept either way
  // unless keep_events is false.
  std::function<void(const ProbeEvent&)> on_event;
  bool keep_events = true;
  // Called on the polling thread after each poll, outside the probe set's lock.
  std::function<void()> on_polled;
};

struct ProbeStats {
  std::string mode;    // "ebpf" | "degraded"
  std::string reason;  // why degraded
  std::string attach;  // "tp_btf+fexit" | "tp_btf" | "raw_tp" (skeleton.h)
  std::uint64_t events = 0;
  std::uint64_t drops = 0;  // records lost: ring buffer full, or a new packet counter key refused
};

class ProbeSet {
 public:
  static std::unique_ptr<ProbeSet> Start(const ProbeSetOptions& options);
  ~ProbeSet();

  bool active() const { return active_; }
  // Consumes what the ring buffers hold now (the kernel has no buffered events once it returns
  // for everything that happened before the call).
  void Flush();
  // What was consumed so far, in arrival order, from the FROM-th event on (a run's gate reads
  // only what arrived since its last slot).
  std::vector<ProbeEvent> Events(std::size_t from = 0) const;
  ProbeStats Stats() const;
  // Stops polling and detaches; Events() and Stats() stay valid.
  void Stop();

 private:
  struct Loaded;
  ProbeSet() = default;
  void Poll();
  void Accept(ProbeEvent&& event);

  bool active_ = false;
  ProbeSetOptions options_;
  std::string reason_;
  std::unique_ptr<Loaded> loaded_;
  mutable std::mutex mu_;  // guards events_, events_count_ and the loaded probes
  std::vector<ProbeEvent> events_;
  std::uint64_t events_count_ = 0;
  std::uint64_t final_drops_ = 0;
  std::string attach_;
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread poller_;
};

}  // namespace faultline::probes
