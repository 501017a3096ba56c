#include "harness/drivers/docker/docker_endpoint.h"

#include "harness/core/cgroup.h"

namespace faultline::drivers::docker {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(10);

// The image reference prefix of RUN_ID's images ("faultline.local/fl-<run>-<target>:...").
std::string ImagePrefixOf(const std::string& run_id) {
  return "faultline.local/fl-" + run_id + "-";
}

Status RemoveRunsContainers(EngineApi& api, const std::string& run_id) {
  FL_ASSIGN_OR_RETURN(std::vector<std::string> ids, api.ContainersOfRun(run_id, kCallTimeout));
  for (const std::string& id : ids) FL_RETURN_IF_ERROR(api.Remove(id, kCallTimeout));
  return OkStatus();
}

}  // namespace

DockerEndpoint::DockerEndpoint(DockerEndpointConfig config)
    : config_(std::move(config)), api_(config_.socket) {}

DockerEndpoint::~DockerEndpoint() {
  (void)Stop();
}

Result<std::unique_ptr<DockerEndpoint>> DockerEndpoint::Open(DockerEndpointConfig config) {
  std::unique_ptr<DockerEndpoint> endpoint(new DockerEndpoint(std::move(config)));
  DockerEndpointConfig& c = endpoint->config_;
  FL_ASSIGN_OR_RETURN(
      std::uint64_t seq,
      c.journal->Acquire(kEndpointRecord, {{"socket", c.socket}, {"run_id", c.run_id}}));
  endpoint->records_.push_back(seq);
  auto info = [&]() -> Result<nlohmann::json> {
    FL_RETURN_IF_ERROR(endpoint->api_.Negotiate(kCallTimeout).status());
    return endpoint->api_.Info(kCallTimeout);
  }();
  if (!info.ok()) {
    // Nothing was made on a daemon that does not answer: no record to keep for recover.
    c.journal->Release(seq);
    endpoint->records_.clear();
    return std::move(info).error().With("no Docker Engine answers at unix://" + c.socket);
  }
  endpoint->events_ = std::make_unique<DieEvents>(c.socket, endpoint->api_.version(), c.run_id);
  endpoint->systemd_cgroups_ = info->value("CgroupDriver", "") == "systemd";
  if (!endpoint->systemd_cgroups_) {
    // With cgroupfs each container's cgroup goes below the node's, where faultline reads it.
    endpoint->containers_cgroup_ =
        c.node.cgroup + "/fl-" + c.run_id + "-" + c.target + "-containers";
    FL_ASSIGN_OR_RETURN(
        seq, c.journal->Acquire(journal_kind::kCgroup, {{"path", endpoint->containers_cgroup_}}));
    endpoint->records_.push_back(seq);
  }
  return endpoint;
}

Status DockerEndpoint::LoadImage(const std::string& path, const std::string& reference) {
  if (reference.rfind(ImagePrefixOf(config_.run_id), 0) != 0) {
    return Internal("refusing to load " + reference + " into an existing daemon: not run " +
                    config_.run_id + "'s");
  }
  {
    std::lock_guard lock(mu_);
    FL_ASSIGN_OR_RETURN(std::uint64_t seq,
                        config_.journal->Acquire(kEndpointImageRecord, {{"socket", config_.socket},
                                                                        {"reference", reference}}));
    records_.push_back(seq);
    images_.push_back(reference);
  }
  return api_.LoadImage(path, std::chrono::minutes(2));
}

std::string DockerEndpoint::cgroup_parent() const {
  return systemd_cgroups_ ? "" : "/" + containers_cgroup_;
}

std::string DockerEndpoint::ContainerCgroup(const std::string& full_id) const {
  // The systemd driver puts each container into a scope of its own in system.slice.
  return systemd_cgroups_ ? "system.slice/docker-" + full_id + ".scope"
                          : containers_cgroup_ + "/" + full_id;
}

Result<std::uint64_t> DockerEndpoint::ResidentBytes() const {
  return FailedPrecondition(
      "an existing daemon (endpoint) serves others too: its memory is not the run's");
}

Status DockerEndpoint::Stop() {
  std::lock_guard lock(mu_);
  if (records_.empty()) return OkStatus();
  events_.reset();
  // Its containers first (an image in use cannot go), then its images, then the cgroup.
  FL_RETURN_IF_ERROR(RemoveRunsContainers(api_, config_.run_id));
  for (const std::string& reference : images_) {
    FL_RETURN_IF_ERROR(api_.RemoveImage(reference, kCallTimeout));
  }
  if (!containers_cgroup_.empty()) FL_RETURN_IF_ERROR(RemoveCgroupTree(containers_cgroup_));
  for (auto it = records_.rbegin(); it != records_.rend(); ++it) config_.journal->Release(*it);
  records_.clear();
  return OkStatus();
}

Status UndoEndpointRecord(const std::string& kind, const nlohmann::json& data,
                          const std::string& run_id) {
  const std::string socket = data.value("socket", "");
  if (socket.empty() || run_id.empty()) return InvalidArgument("malformed " + kind + " record");
  EngineApi api(socket);
  if (Status answered = api.Negotiate(kCallTimeout).status(); !answered.ok()) {
    return std::move(answered).error().With("the daemon at unix://" + socket);
  }
  if (kind == kEndpointImageRecord) {
    const std::string reference = data.value("reference", "");
    if (reference.rfind(ImagePrefixOf(run_id), 0) != 0) {
      return InvalidArgument("refusing to remove image " + reference + ": not run " + run_id +
                             "'s");
    }
    FL_RETURN_IF_ERROR(RemoveRunsContainers(api, run_id));
    return api.RemoveImage(reference, kCallTimeout);
  }
  if (data.value("run_id", "") != run_id) {
    return InvalidArgument("refusing: the record names run " + data.value("run_id", "") + ", not " +
                           run_id);
  }
  return RemoveRunsContainers(api, run_id);
}

}  // namespace faultline::drivers::docker
