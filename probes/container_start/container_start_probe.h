// Loader of the container_start BPF program: owns the skeleton (RAII) and decodes its events.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/result.h"
#include "probes/events.h"

struct container_start_bpf;

namespace faultline::probes {

class RingReader;

struct ContainerStartOptions {
  std::vector<pid_t> roots;           // tgids whose children start sessions by exec'ing a runtime
  std::vector<pid_t> daemon_roots;    // tgids any of whose descendants may (platform daemons)
  bool host_mode = false;             // any exec of a runtime binary on the host starts a session
  std::vector<std::string> runtimes;  // command names (at most 4, 15 chars)
  std::vector<std::string> helpers;   // per-container helpers below a daemon (at most 2)
};

class ContainerStartProbe {
 public:
  using Sink = std::function<void(ProbeEvent&&)>;
  static Result<std::unique_ptr<ContainerStartProbe>> Open(const ContainerStartOptions& options,
                                                           Sink sink);
  ~ContainerStartProbe();
  ContainerStartProbe(const ContainerStartProbe&) = delete;
  ContainerStartProbe& operator=(const ContainerStartProbe&) = delete;

  // DESCENDANTS: any descendant of TGID that execs a runtime starts a session, not only a child.
  Status AddRoot(pid_t tgid, bool descendants);
  Result<int> Consume();
  std::uint64_t ReserveFailures() const;
  const std::string& attach_mode() const { return attach_mode_; }

 private:
  ContainerStartProbe() = default;
  container_start_bpf* skel_ = nullptr;
  std::unique_ptr<RingReader> ring_;
  std::string attach_mode_;
};

}  // namespace faultline::probes
