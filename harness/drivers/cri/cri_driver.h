// Driver for the kubelet's path to containers: containerd's CRI plugin, driven through the
// Container Runtime Interface as the kubelet drives it. Every node runs a private containerd
// with the CRI plugin on (its images and containers in namespace k8s.io); faultline's container
// is a pod: RunPodSandbox (a pause image built locally; host network, or a CNI bridge of the
// node's addressed from 198.18.0.0/15) -> CreateContainer for each of the pod's containers ->
// StartContainer for each. The operations carry the kubelet's names (run_podsandbox,
// create_container, start_container); start_latency is the pod's start: RunPodSandbox issued ->
// every container started.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "harness/cluster/addressing.h"
#include "harness/core/journal.h"
#include "harness/drivers/containerd/containerd_node.h"
#include "harness/drivers/cri/cri_client.h"
#include "harness/drivers/daemon/node_platforms.h"
#include "harness/drivers/driver.h"

namespace faultline::drivers::cri {

// The containerd namespace the CRI plugin keeps its images and containers in.
inline constexpr const char* kCriNamespace = "k8s.io";

struct CriDriverConfig {
  std::string target;   // its name
  std::string runtime;  // "runc" (default) | "crun"
  std::string run_id;
  std::string run_dir;
  Journal* journal = nullptr;
  std::string self_exe;
  std::string runtime_path;         // the runtime's binary, behind the shim; empty: found in PATH
  scenario::DaemonSettings daemon;  // containerd's binary and extra flags
  std::vector<std::string> env;     // NAME=VALUE for containerd (and so its shims and runtime)
  bool host_network = true;  // network: host (the node's namespace) | cni (a bridge per node)
  int containers_per_pod = 1;
  // containerd's Prometheus endpoint, host:port in the node's network namespace (its CRI
  // plugin's own timings of each call); empty: none.
  std::string metrics_address;
  scenario::Security security = scenario::Security::kDefault;
};

// Where faultline-pause is (the pause image's entrypoint); empty when not found.
std::string PauseProgram();

// One node's CRI runtime: its containerd and a CRI client on the same socket.
class CriNode {
 public:
  explicit CriNode(std::unique_ptr<containerd::ContainerdNode> containerd);
  Status Stop() { return containerd_->Stop(); }
  Result<std::uint64_t> ResidentBytes() const { return containerd_->ResidentBytes(); }
  containerd::ContainerdNode& containerd() { return *containerd_; }
  const containerd::ContainerdNode& containerd() const { return *containerd_; }
  CriClient& client() { return client_; }

 private:
  std::unique_ptr<containerd::ContainerdNode> containerd_;
  CriClient client_;
};

class CriDriver : public Driver {
 public:
  static Result<std::unique_ptr<CriDriver>> Open(CriDriverConfig config);
  ~CriDriver() override;

  const RuntimeInfo& runtime() const override { return info_; }
  std::vector<RuntimeInfo> components() const override { return {info_, oci_runtime_}; }
  Status StartPlatform(const PlatformNode& node) override;
  Status StopPlatform(const PlatformNode& node) override;
  Result<std::string> ImportImage(const PlatformNode& node, const ImageSource& image) override;
  ProbeScope Probes() const override;
  OpNames op_names() const override {
    return {"run_podsandbox", "create_container", "start_container"};
  }
  Created Create(const ContainerSpec& spec, Nanos timeout) override;
  Created Run(const ContainerSpec& spec, Nanos timeout) override;
  Result<std::uint64_t> ResidentOverheadBytes() override { return nodes_.ResidentBytes(); }
  chaos::PlatformDaemon* Daemon(const std::string& node) override { return nodes_.Daemon(node); }
  // Per pod: its last container's task_create and task_start, and its sandbox's as
  // sandbox_task_create and sandbox_task_start.
  std::map<std::string, std::map<std::string, std::int64_t>> PlatformStamps() const override;

  // The CRI runtime serving NODE (null when not started).
  CriNode* Node(const std::string& node) { return nodes_.Find(node); }

 private:
  CriDriver(CriDriverConfig config, RuntimeInfo info, RuntimeInfo oci_runtime);
  Created Make(const ContainerSpec& spec, bool start, Nanos timeout);
  Status PreparePauseImage();
  // The CNI configuration list of the target's pod network; "" for host network.
  Result<std::string> PodNetwork();
  void RecordPod(const std::string& id, const std::string& sandbox, const std::string& first);

  CriDriverConfig config_;
  RuntimeInfo info_;
  RuntimeInfo oci_runtime_;  // behind the shim
  NodePlatforms<CriNode> nodes_;
  std::string image_;          // the workload image's reference
  std::string archive_;        // its archive, written once, imported into every node
  std::string pause_image_;    // the pause image's reference
  std::string pause_archive_;  // its archive
  std::optional<cluster::SubnetLease> subnet_;  // the pods' addresses (network: cni)

  mutable std::mutex pods_mu_;
  // faultline's id of a pod -> its sandbox's id and its last container's.
  std::map<std::string, std::pair<std::string, std::string>> pods_;
};

}  // namespace faultline::drivers::cri
