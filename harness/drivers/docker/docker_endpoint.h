// An existing Docker Engine named by a target's `endpoint:` (cluster: local only). faultline
// starts, stops and kills no daemon here: it journals the socket and the image it loads before
// it acts, labels every container it makes with the run's id, and at the end (or in `recover`)
// removes exactly those containers and that image, nothing else of the daemon's.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/journal.h"
#include "harness/drivers/docker/docker_events.h"
#include "harness/drivers/docker/docker_platform.h"
#include "harness/drivers/driver.h"

namespace faultline::drivers::docker {

// Journal records: the daemon's socket {socket, run_id}; an image loaded {socket, reference}.
inline constexpr const char* kEndpointRecord = "docker.endpoint";
inline constexpr const char* kEndpointImageRecord = "docker.endpoint_image";

struct DockerEndpointConfig {
  std::string socket;  // the path, without unix://
  PlatformNode node;   // the local node
  std::string run_id;
  std::string target;
  Journal* journal = nullptr;
};

class DockerEndpoint : public DockerPlatform {
 public:
  // Journals the socket, then asks the daemon its version and cgroup driver.
  static Result<std::unique_ptr<DockerEndpoint>> Open(DockerEndpointConfig config);
  ~DockerEndpoint() override;

  EngineApi& api() override { return api_; }
  Status LoadImage(const std::string& path, const std::string& reference) override;
  std::string cgroup_parent() const override;
  std::string ContainerCgroup(const std::string& full_id) const override;
  Result<std::int64_t> WaitDied(const std::string& name, Nanos timeout,
                                const std::atomic<bool>* cancel) override {
    return events_->WaitDied(name, timeout, cancel);
  }
  pid_t containerd_pid() const override { return 0; }
  Result<std::uint64_t> ResidentBytes() const override;
  Status Stop() override;

 private:
  explicit DockerEndpoint(DockerEndpointConfig config);

  DockerEndpointConfig config_;
  EngineApi api_;
  bool systemd_cgroups_ = false;
  std::string containers_cgroup_;  // with cgroupfs: below the node's, journaled
  std::mutex mu_;
  std::vector<std::uint64_t> records_;  // oldest first
  std::vector<std::string> images_;     // loaded here
  std::unique_ptr<DieEvents> events_;
};

// Undoes a kEndpointRecord (every container labelled with RUN_ID) or a kEndpointImageRecord
// (its image, when the reference is one of RUN_ID's) of a dead run, through the daemon's socket.
Status UndoEndpointRecord(const std::string& kind, const nlohmann::json& data,
                          const std::string& run_id);

}  // namespace faultline::drivers::docker
