// Loader of the node_signals BPF program: owns the skeleton (RAII) and decodes its events,
// naming packet drop reasons from the kernel's BTF.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

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

  Result<int> Consume();
  std::uint64_t ReserveFailures() const;
  const std::string& flavour() const { return flavour_; }

 private:
  NodeSignalsProbe() = default;
  node_signals_bpf* skel_ = nullptr;
  std::unique_ptr<RingReader> ring_;
  std::string flavour_;
};

// enum skb_drop_reason value -> name without its prefix ("NO_SOCKET"), from the running
// kernel's BTF; empty when the kernel has none.
std::map<std::uint64_t, std::string> DropReasonNames();

}  // namespace faultline::probes
