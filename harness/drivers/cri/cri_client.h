// A client of the Container Runtime Interface (runtime.v1 RuntimeService and ImageService) on a
// unix socket: the calls the kubelet makes to start and remove a pod, with deadlines. gRPC
// failures become Result errors with the runtime's message.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/result.h"

namespace faultline::drivers::cri {

// A pod's sandbox as the kubelet describes it (PodSandboxConfig).
struct PodConfig {
  std::string name;  // metadata.name; with UID and NAMESPACE, unique in the runtime
  std::string uid;
  std::string ns;             // the Kubernetes namespace
  std::string cgroup_parent;  // absolute, as the cgroupfs driver takes it
  bool host_network = false;  // the node's network namespace, else one of its own (CNI)
  std::map<std::string, std::string> labels;
};

// One container of a pod (ContainerConfig).
struct PodContainerConfig {
  std::string name;
  std::string image;  // an image the runtime has
  std::vector<std::string> command;
  std::map<std::string, std::string> labels;
  std::int64_t memory_limit_bytes = 0;  // 0: none
  std::int64_t cpu_quota_us = 0;        // with cpu_period_us; 0: none
  std::int64_t cpu_period_us = 0;
  bool seccomp_unconfined = false;  // else the runtime's default profile (RuntimeDefault)
};

enum class PodContainerState { kCreated, kRunning, kExited, kUnknown };

struct PodContainerStatus {
  PodContainerState state = PodContainerState::kUnknown;
  std::int64_t started_at_realtime_ns = 0;
  std::int64_t finished_at_realtime_ns = 0;
  int exit_code = 0;
  pid_t pid = 0;  // from the verbose info; 0 when not asked or not running
};

struct RuntimeVersion {
  std::string runtime_name;     // "containerd"
  std::string runtime_version;  // "1.6.20~ds1"
  std::string api_version;      // "v1"
};

class CriClient {
 public:
  // SOCKET: the path of the runtime's gRPC socket.
  explicit CriClient(const std::string& socket);
  ~CriClient();
  CriClient(const CriClient&) = delete;
  CriClient& operator=(const CriClient&) = delete;

  Result<RuntimeVersion> Version(Nanos timeout);
  // Whether the runtime has IMAGE (ImageStatus; never pulls).
  Result<bool> HasImage(const std::string& image, Nanos timeout);

  // The sandbox's id.
  Result<std::string> RunPodSandbox(const PodConfig& pod, Nanos timeout);
  Status StopPodSandbox(const std::string& pod_id, Nanos timeout);
  Status RemovePodSandbox(const std::string& pod_id, Nanos timeout);
  // The ids of the sandboxes that exist.
  Result<std::vector<std::string>> ListPodSandboxes(Nanos timeout);

  // The container's id. POD: the sandbox's configuration again, as the kubelet passes it.
  Result<std::string> CreateContainer(const std::string& pod_id, const PodConfig& pod,
                                      const PodContainerConfig& container, Nanos timeout);
  Status StartContainer(const std::string& id, Nanos timeout);
  // Signals the container (SIGTERM, SIGKILL after GRACE_S seconds) and waits until it exited.
  Status StopContainer(const std::string& id, std::int64_t grace_s, Nanos timeout);
  Status RemoveContainer(const std::string& id, Nanos timeout);
  // With VERBOSE the runtime's info too (the init pid).
  Result<PodContainerStatus> ContainerStatus(const std::string& id, bool verbose, Nanos timeout);

 private:
  struct Stubs;
  std::unique_ptr<Stubs> stubs_;
};

}  // namespace faultline::drivers::cri
