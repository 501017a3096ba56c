// Loader of the node_signals BPF program: owns the skeleton (RAII), decodes its events and turns
// its per-packet counters into events carrying the count since the previous reading, naming
// packet drop reasons from the running kernel's BTF.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "harness/core/result.h"
#include "probes/events.h"

struct node_signals_bpf;

namespace faultline::probes {

class RingReader;

class NodeSignalsProbe {
 public:
  using Sink = std::function<void(ProbeEvent&&)>;
  static Result<std::unique_ptr<NodeSignalsProbe>> Open(Sink sink);
  ~NodeSignalsProbe();
  NodeSignalsProbe(const NodeSignalsProbe&) = delete;
  NodeSignalsProbe& operator=(const NodeSignalsProbe&) = delete;

  // Events from the ring buffer, then one event per packet counter that grew.
  Result<int> Consume();
  std::uint64_t ReserveFailures() const;
  const std::string& attach_mode() const { return attach_mode_; }

 private:
  NodeSignalsProbe() = default;
  Result<int> ReadPacketCounts();

  node_signals_bpf* skel_ = nullptr;
  Sink sink_;
  std::map<std::uint64_t, std::string> drop_reasons_;
  // (kind, netns, reason) -> packets already reported.
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, std::uint64_t> reported_;
  std::unique_ptr<RingReader> ring_;
  std::string attach_mode_;
};

// enum skb_drop_reason value -> name without its prefix ("NO_SOCKET"), from the running
// kernel's BTF; empty when the kernel has none.
std::map<std::uint64_t, std::string> DropReasonNames();

}  // namespace faultline::probes
