// The seam between the virtual cluster and fault mechanisms: what a fault may act on, its
// parameters, and what every mechanism implements. Mechanisms journal (fsync) what they create
// before it exists and can undo it from that record alone, so `recover` and the watchdog can
// revert faults whose controller died.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/journal.h"
#include "harness/core/result.h"
#include "reports/result.h"

namespace faultline::chaos {

using Nanos = std::chrono::nanoseconds;

// Journal kind of an applied fault; data: {"kind", "mechanism", "expires_ns", "undo": {...}}.
inline constexpr const char* kFaultJournalKind = "fault";

// One node of a virtual cluster, as faults see it. Filled by the cluster module.
struct NodeRef {
  std::string name;     // "node-1"
  std::string netns;    // path of the node's network namespace, e.g. /run/netns/fl-<run>-node-1
  std::string link;     // the node's interface inside that namespace, e.g. "eth0"
  std::string address;  // IPv4 in 198.18.0.0/15, without prefix length
  std::string cgroup;   // the node's cgroup parent, relative ("faultline/<run>/node-1"), the same
                        // under every v1 hierarchy and in the v2 tree
};

// A running container of the run, as container faults see it.
struct ContainerRef {
  std::string id;      // fl-<run id>-...
  std::string cgroup;  // relative, the same under every hierarchy
};

// One node's platform daemon (dockerd, the node's containerd, Podman's API service), as the
// platform.* faults act on it. The daemon drivers implement it; the daemon's process lives in a
// cgroup the driver journaled, so whatever a fault starts again is stopped with the platform.
class PlatformDaemon {
 public:
  virtual ~PlatformDaemon() = default;
  virtual const std::string& name() const = 0;  // "dockerd"
  virtual const std::string& node() const = 0;  // "node-1"
  // SIGKILL; returns once the process is gone.
  virtual Status Kill() = 0;
  // Starts it again as it was first started (same cgroup, paths and flags); returns once its
  // process runs, before it answers.
  virtual Status Restart() = 0;
  // One round trip of the platform's API: OK when it answered.
  virtual Status Ping(Nanos timeout) = 0;
  // Creates and starts one container named NAME through the platform's API, then removes it:
  // OK once it started.
  virtual Status StartOne(const std::string& name, Nanos timeout) = 0;
  // The cgroups (relative) of the platform's containers on the node as they exist now, read
  // from the host's cgroup tree, not asked of the daemon.
  virtual std::vector<std::string> ContainerCgroups() const = 0;
};

// One occurrence of a fault, resolved against the cluster and validated by the scenario loader.
struct FaultParams {
  std::string run_id;                        // names and tags carry it: fl-<run id>-...
  std::string kind;                          // "network.loss", "node.pause", ...
  std::vector<NodeRef> nodes;                // the nodes it acts on
  std::vector<std::vector<NodeRef>> groups;  // network.partition: sets cut off from each other
  std::vector<NodeRef> all_nodes;            // the whole cluster, for addressing peers
  double probability = 0;                    // loss, corrupt, duplicate: per wire packet, (0, 1]
  Nanos delay{0};                            // network.delay
  Nanos jitter{0};                           // network.delay
  std::uint64_t rate_bits_per_second = 0;    // network.bandwidth
  std::uint32_t workers = 0;                 // node.cpu_stress, node.memory_stress
  std::uint64_t bytes = 0;                   // node.memory_stress, node.disk_fill
  std::int64_t expires_ns = 0;               // CLOCK_BOOTTIME deadline: the watchdog reverts after
  std::vector<ContainerRef> containers;      // container.*: the containers it acts on
  std::vector<PlatformDaemon*> daemons;      // platform.*: one per node it acts on
};

class ActiveFault {
 public:
  virtual ~ActiveFault() = default;
  // Undoes the fault and releases its journal entry. Idempotent.
  virtual Status Revert() = 0;
  // Adds what the fault itself measured to its record; called once, after Revert, when the
  // fault's scope ends (it may wait for measurements still going on).
  virtual void Report(reports::FaultRecord& record) { (void)record; }
};

class FaultMechanism {
 public:
  virtual ~FaultMechanism() = default;
  virtual const std::string& kind() const = 0;       // "network.loss"
  virtual const std::string& mechanism() const = 0;  // "iptables statistic"
  // Whether this host can apply the fault, tried without touching anything of the host's
  // (e.g. in a throwaway namespace). FailedPrecondition with the reason when it cannot.
  virtual Status Probe() = 0;
  // Journals what it will create, then applies it. Nothing is left applied on error.
  virtual Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                                      Journal& journal) = 0;
  // Undoes an occurrence from its journal record's "undo" object alone (recover, watchdog),
  // after checking that it names only what run RUN_ID owns. Idempotent.
  virtual Status Undo(const std::string& run_id, const nlohmann::json& undo) {
    (void)run_id;
    (void)undo;
    return Internal("mechanism " + mechanism() + " cannot undo from a journal record");
  }
};

}  // namespace faultline::chaos
