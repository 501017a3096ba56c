// A client of containerd's gRPC API on its unix socket, for the drivers that talk to containerd
// directly. Every call carries a deadline; namespaced calls name their namespace
// (containerd-namespace metadata), and calls made under a lease name it (containerd-lease), as
// containerd's own client does. gRPC failures become Result errors with containerd's message.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/result.h"

namespace faultline::drivers::containerd {

struct ContainerdVersion {
  std::string version;   // "1.6.20~ds1"
  std::string revision;  // its commit
};

// A mount as the snapshotter hands it out and the shim performs it (the container's rootfs).
struct Mount {
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

// The runc shim's options (containerd.runc.v1.Options) that faultline sets.
struct RuncOptions {
  std::string binary_name;  // the OCI runtime (runc, crun); "": runc
  std::string root;         // the runtime's state directory; "": /run/containerd/runc
};

// What a container record holds (containers/v1 Container).
struct ContainerRecord {
  std::string id;
  std::map<std::string, std::string> labels;
  std::string image;
  std::string runtime;  // "io.containerd.runc.v2"
  RuncOptions runc;
  std::string spec_json;     // the OCI runtime spec
  std::string snapshotter;   // "overlayfs"
  std::string snapshot_key;  // the container's active snapshot
};

enum class TaskStatus { kUnknown, kCreated, kRunning, kStopped, kPaused };

// One event of containerd's events service, of the topics faultline follows.
struct TaskEvent {
  std::string topic;                       // "/tasks/create", "/tasks/start", "/tasks/exit"
  std::string container_id;                // the task's container
  std::string exec_id;                     // "" (or the container id) for the init process
  std::int64_t at_realtime_ns = 0;         // the envelope's timestamp, set where it was published
  std::int64_t exited_at_realtime_ns = 0;  // /tasks/exit: when the process exited, in the shim
};

// A subscription to containerd's events; one reader, and Cancel from any thread.
class TaskEventStream {
 public:
  virtual ~TaskEventStream() = default;
  // The next event; an error once the stream ended (containerd went away, or Cancel).
  virtual Result<TaskEvent> Next() = 0;
  // Ends a Next() that blocks in another thread, and every later one.
  virtual void Cancel() = 0;
};

class ContainerdClient {
 public:
  // SOCKET: the path of containerd's gRPC socket.
  explicit ContainerdClient(const std::string& socket);
  ~ContainerdClient();
  ContainerdClient(const ContainerdClient&) = delete;
  ContainerdClient& operator=(const ContainerdClient&) = delete;

  const std::string& socket() const { return socket_; }

  Result<ContainerdVersion> Version(Nanos timeout);
  // The namespaces that hold anything.
  Result<std::vector<std::string>> Namespaces(Nanos timeout);
  // The ids of the containers in NAMESPACE.
  Result<std::vector<std::string>> Containers(const std::string& ns, Nanos timeout);

  // Leases keep what is made under them from containerd's garbage collector until deleted.
  Status CreateLease(const std::string& ns, const std::string& id, Nanos timeout);
  Status DeleteLease(const std::string& ns, const std::string& id, Nanos timeout);

  // An active snapshot KEY on PARENT (a committed snapshot's name: the image's chain id), made
  // under LEASE (optional); the mounts of its root filesystem.
  Result<std::vector<Mount>> PrepareSnapshot(const std::string& ns, const std::string& snapshotter,
                                             const std::string& key, const std::string& parent,
                                             const std::string& lease, Nanos timeout);
  Result<std::vector<Mount>> SnapshotMounts(const std::string& ns, const std::string& snapshotter,
                                            const std::string& key, Nanos timeout);
  Status RemoveSnapshot(const std::string& ns, const std::string& snapshotter,
                        const std::string& key, Nanos timeout);

  Status CreateContainer(const std::string& ns, const ContainerRecord& record,
                         const std::string& lease, Nanos timeout);
  Status DeleteContainer(const std::string& ns, const std::string& id, Nanos timeout);

  // The task (the runtime's create, through the shim) with ROOTFS mounted by the shim and no
  // standard streams; its init pid. RUNC: the container's shim options again (the task's own
  // options are what the shim reads).
  Result<pid_t> CreateTask(const std::string& ns, const std::string& id,
                           const std::vector<Mount>& rootfs, const RuncOptions& runc,
                           Nanos timeout);
  Status StartTask(const std::string& ns, const std::string& id, Nanos timeout);
  Status KillTask(const std::string& ns, const std::string& id, int signal, Nanos timeout);
  // Blocks until the task's init exited (or TIMEOUT); when, as the shim recorded it.
  Result<std::int64_t> WaitTask(const std::string& ns, const std::string& id, Nanos timeout);
  Status DeleteTask(const std::string& ns, const std::string& id, Nanos timeout);
  Result<TaskStatus> TaskState(const std::string& ns, const std::string& id, Nanos timeout);

  // containerd's events of NAMESPACE whose topic starts with /tasks/, from now on.
  std::unique_ptr<TaskEventStream> SubscribeTaskEvents(const std::string& ns);

 private:
  struct Stubs;
  std::string socket_;
  std::unique_ptr<Stubs> stubs_;
};

}  // namespace faultline::drivers::containerd
