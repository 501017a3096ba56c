// Driver / Container: the interface every container platform adapter implements. Each
// operation reports a timed span and a status; a failure is a normal, recorded outcome.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/result.h"
#include "harness/scenario/model.h"

namespace faultline::chaos {
class PlatformDaemon;
}

namespace faultline::drivers {

struct RuntimeInfo {
  std::string name;
  std::string version;
  std::string path;
  std::string sha256;
};

// The program to run: PATH (given by the target) when set, else NAME (found in PATH).
inline std::string ProgramOf(const std::string& name, const std::string& path) {
  return path.empty() ? name : path;
}

// The kernel's command name of a process that executed PATH (the probes match runtimes by it):
// its last component, cut to 15 characters.
inline std::string CommandNameOf(const std::string& path) {
  return path.substr(path.rfind('/') + 1).substr(0, 15);
}

// When an operation ran, as CLOCK_BOOTTIME ns, and how it ended.
struct OpResult {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  Status status;
  // CPU time the calling thread (the harness) spent in the call: spawning and waiting for a
  // runtime, or a daemon API's request and response. 0 for a call not attempted.
  std::int64_t cpu_ns = 0;
  std::int64_t duration_ns() const { return end_ns - start_ns; }
};

struct ContainerSpec {
  std::string id;  // unique, carries the run id: fl-<runid>-...
  std::vector<std::string> command;
  scenario::Resources resources;
  // Cluster node placement. NODE: the node's name (its platform instance); NETNS: a network
  // namespace path to join (empty: a new one of its own); CGROUP_PARENT: the node's relative
  // cgroup parent (empty: the run's).
  std::string node;
  std::string netns;
  std::string cgroup_parent;
};

enum class ContainerStatus { kCreated, kRunning, kStopped, kPaused, kUnknown };

// What probes, faults and memory readers need of a container, as its platform reports it.
struct ContainerIdentity {
  std::string platform_id;  // the platform's own id (the OCI runtime's container id for oci)
  std::string cgroup;       // relative cgroup on the host, the same under every hierarchy
  pid_t init_pid = 0;       // its init process on the host; 0 while not known (not created)
};

class Container {
 public:
  virtual ~Container() = default;
  // faultline's name for it: fl-<run id>-...
  virtual const std::string& id() const = 0;
  virtual ContainerIdentity Identity() const = 0;

  virtual OpResult Start(Nanos timeout) = 0;
  virtual OpResult Kill(int signal, Nanos timeout) = 0;
  // Removes the container whatever its state (killing it if running) and everything created for
  // it (rootfs mount, directories), then releases its journal entry.
  virtual OpResult Delete(Nanos timeout) = 0;
  virtual Result<ContainerStatus> State(Nanos timeout) = 0;
  // Waits until the container's init process has exited; returns when (CLOCK_BOOTTIME ns).
  // DeadlineExceeded if it is still running after TIMEOUT, Cancelled once CANCEL is set.
  virtual Result<std::int64_t> WaitExit(Nanos timeout, const std::atomic<bool>* cancel) = 0;
};

struct Created {
  OpResult prepare;  // rootfs and bundle
  OpResult create;   // the runtime's create (or run) call
  // Non-null once anything exists for the container, even when creation failed, so the caller
  // can always Delete it.
  std::unique_ptr<Container> container;
};

// A node as its platform sees it: where the node's daemon (if any) runs and its containers go.
struct PlatformNode {
  std::string name;     // "node-1", or "local"
  std::string netns;    // network namespace path; empty: the host's
  std::string cgroup;   // relative cgroup parent of the node
  std::string address;  // the node's IPv4 address; empty for the host
};

// An image as faultline prepared it on the host, for the platform to import.
struct ImageSource {
  std::string reference;  // as the scenario wrote it
  std::string rootfs;     // the unpacked root filesystem (never written to)
  std::string digest;     // "sha256:<hex>"
};

// Which processes eBPF sessions follow for this driver: children of ROOTS, or any descendants
// of DAEMON_ROOTS, that exec one of RUNTIMES (command names, at most 15 characters). HELPERS:
// the per-container process a daemon runs before the runtime (a shim, conmon), whose exec is
// the shim_exec phase.
struct ProbeScope {
  std::vector<pid_t> roots;
  std::vector<pid_t> daemon_roots;
  std::vector<std::string> runtimes;
  std::vector<std::string> helpers;
};

// What the samples of a launch's steps are called on a platform (their op_latency metrics): the
// kubelet's names for the cri driver.
struct OpNames {
  std::string prepare = "prepare";
  std::string create = "create";
  std::string start = "start";
};

// One target's platform. The runner starts the platform on every node before the first
// measurement, imports the target's image, drives containers, and stops the platform last.
class Driver {
 public:
  virtual ~Driver() = default;
  virtual const RuntimeInfo& runtime() const = 0;
  // Every binary of the target's platform, with its version and digest: the daemon's program
  // and the OCI runtime behind it (what an upgrade changes).
  virtual std::vector<RuntimeInfo> components() const { return {runtime()}; }
  // The node's platform daemon, journaled before it starts (a no-op for daemonless drivers).
  virtual Status StartPlatform(const PlatformNode& node) = 0;
  // Stops what StartPlatform started on NODE and releases its journal records. Idempotent.
  virtual Status StopPlatform(const PlatformNode& node) = 0;
  // Makes IMAGE available on NODE's platform; returns the platform's own reference to it.
  virtual Result<std::string> ImportImage(const PlatformNode& node, const ImageSource& image) = 0;
  virtual ProbeScope Probes() const = 0;
  virtual OpNames op_names() const { return {}; }
  // Creates a container ready to start.
  virtual Created Create(const ContainerSpec& spec, Nanos timeout) = 0;
  // Creates and starts in one runtime call (`run --detach`).
  virtual Created Run(const ContainerSpec& spec, Nanos timeout) = 0;
  // Memory of the platform's long-lived processes on every node (daemons, shims, conmons) as
  // PSS in bytes; zero for runtimes that exit after each call.
  virtual Result<std::uint64_t> ResidentOverheadBytes() = 0;
  // The platform's own stamps of its containers' steps so far, as its events reported them
  // (container id -> "task_create" | "task_start" -> CLOCK_BOOTTIME ns); empty for platforms
  // that report none. Read once the run's containers are gone, before the platform stops.
  virtual std::map<std::string, std::map<std::string, std::int64_t>> PlatformStamps() const {
    return {};
  }
  // NODE's platform daemon (the catalog's `daemon`), for platform.* faults; null when the
  // platform has none there (daemonless, or not started).
  virtual chaos::PlatformDaemon* Daemon(const std::string& node) {
    (void)node;
    return nullptr;
  }
};

}  // namespace faultline::drivers
