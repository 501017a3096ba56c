// Driver / Container: the interface every container platform adapter implements. Each
// operation reports a timed span and a status; a failure is a normal, recorded outcome.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/result.h"
#include "harness/scenario/model.h"

namespace faultline::drivers {

struct RuntimeInfo {
  std::string name;
  std::string version;
  std::string path;
  std::string sha256;
};

// When an operation ran, as CLOCK_BOOTTIME ns, and how it ended.
struct OpResult {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  Status status;
  std::int64_t duration_ns() const { return end_ns - start_ns; }
};

struct ContainerSpec {
  std::string id;  // unique, carries the run id: fl-<runid>-...
  std::vector<std::string> command;
  scenario::Resources resources;
  // Cluster node placement. NETNS: a network namespace path to join (empty: a new one of its
  // own); CGROUP_PARENT: the node's relative cgroup parent (empty: the run's).
  std::string netns;
  std::string cgroup_parent;
};

enum class ContainerStatus { kCreated, kRunning, kStopped, kPaused, kUnknown };

class Container {
 public:
  virtual ~Container() = default;
  virtual const std::string& id() const = 0;
  // Relative cgroup path (same under every hierarchy), for memory accounting.
  virtual const std::string& cgroup() const = 0;

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

class Driver {
 public:
  virtual ~Driver() = default;
  virtual const RuntimeInfo& runtime() const = 0;
  // Creates a container ready to start.
  virtual Created Create(const ContainerSpec& spec, Nanos timeout) = 0;
  // Creates and starts in one runtime call (`run --detach`).
  virtual Created Run(const ContainerSpec& spec, Nanos timeout) = 0;
  // Resident memory of the runtime's long-lived processes (daemons, shims), in bytes, and how
  // many there are; zero for runtimes that exit after each call.
  virtual Result<std::uint64_t> ResidentOverheadBytes() = 0;
};

}  // namespace faultline::drivers
