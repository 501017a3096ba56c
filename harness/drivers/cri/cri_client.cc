#include "harness/drivers/cri/cri_client.h"

#include <grpcpp/grpcpp.h>

#include <nlohmann/json.hpp>

#include "harness/drivers/containerd/grpc_status.h"
#include "k8s.io/cri-api/pkg/apis/runtime/v1/api.grpc.pb.h"

namespace faultline::drivers::cri {
namespace {

namespace v1 = ::runtime::v1;

std::unique_ptr<grpc::ClientContext> Context(Nanos timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(timeout));
  return context;
}

Status StatusOf(const char* call, const grpc::Status& status) {
  if (status.ok()) return OkStatus();
  return GrpcError(call, status);
}

// As the kubelet sets them by default: the pod's network (or the node's), IPC shared in the pod,
// a PID namespace per container (shareProcessNamespace: false).
void SetNamespaces(const PodConfig& pod, v1::NamespaceOption* namespaces) {
  namespaces->set_network(pod.host_network ? v1::NODE : v1::POD);
  namespaces->set_ipc(v1::POD);
  namespaces->set_pid(v1::CONTAINER);
}

void FillSandboxConfig(const PodConfig& pod, v1::PodSandboxConfig* config) {
  v1::PodSandboxMetadata* metadata = config->mutable_metadata();
  metadata->set_name(pod.name);
  metadata->set_uid(pod.uid);
  metadata->set_namespace_(pod.ns);
  // A pod on the host's network shares the node's UTS namespace too: no hostname of its own.
  if (!pod.host_network) config->set_hostname(pod.name);
  config->mutable_labels()->insert(pod.labels.begin(), pod.labels.end());
  v1::LinuxPodSandboxConfig* linux = config->mutable_linux();
  linux->set_cgroup_parent(pod.cgroup_parent);
  SetNamespaces(pod, linux->mutable_security_context()->mutable_namespace_options());
}

}  // namespace

struct CriClient::Stubs {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::RuntimeService::Stub> runtime;
  std::unique_ptr<v1::ImageService::Stub> images;
};

CriClient::CriClient(const std::string& socket) : stubs_(new Stubs) {
  grpc::ChannelArguments args;
  // A runtime restarted by a fault is reached at once (see ContainerdClient).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 10);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 10);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
  // The kubelet's limit: a ListPodSandbox of a dense node exceeds gRPC's default 4 MiB.
  args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  stubs_->channel =
      grpc::CreateCustomChannel("unix://" + socket, grpc::InsecureChannelCredentials(), args);
  stubs_->runtime = v1::RuntimeService::NewStub(stubs_->channel);
  stubs_->images = v1::ImageService::NewStub(stubs_->channel);
}

CriClient::~CriClient() = default;

Result<RuntimeVersion> CriClient::Version(Nanos timeout) {
  auto context = Context(timeout);
  v1::VersionRequest request;
  request.set_version("v1");
  v1::VersionResponse answer;
  grpc::Status status = stubs_->runtime->Version(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("Version", status);
  return RuntimeVersion{answer.runtime_name(), answer.runtime_version(),
                        answer.runtime_api_version()};
}

Result<bool> CriClient::HasImage(const std::string& image, Nanos timeout) {
  auto context = Context(timeout);
  v1::ImageStatusRequest request;
  request.mutable_image()->set_image(image);
  v1::ImageStatusResponse answer;
  grpc::Status status = stubs_->images->ImageStatus(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("ImageStatus", status);
  return answer.has_image();
}

Result<std::string> CriClient::RunPodSandbox(const PodConfig& pod, Nanos timeout) {
  auto context = Context(timeout);
  v1::RunPodSandboxRequest request;
  FillSandboxConfig(pod, request.mutable_config());
  v1::RunPodSandboxResponse answer;
  grpc::Status status = stubs_->runtime->RunPodSandbox(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("RunPodSandbox", status);
  return answer.pod_sandbox_id();
}

Status CriClient::StopPodSandbox(const std::string& pod_id, Nanos timeout) {
  auto context = Context(timeout);
  v1::StopPodSandboxRequest request;
  request.set_pod_sandbox_id(pod_id);
  v1::StopPodSandboxResponse answer;
  return StatusOf("StopPodSandbox",
                  stubs_->runtime->StopPodSandbox(context.get(), request, &answer));
}

Status CriClient::RemovePodSandbox(const std::string& pod_id, Nanos timeout) {
  auto context = Context(timeout);
  v1::RemovePodSandboxRequest request;
  request.set_pod_sandbox_id(pod_id);
  v1::RemovePodSandboxResponse answer;
  return StatusOf("RemovePodSandbox",
                  stubs_->runtime->RemovePodSandbox(context.get(), request, &answer));
}

Result<std::vector<std::string>> CriClient::ListPodSandboxes(Nanos timeout) {
  auto context = Context(timeout);
  v1::ListPodSandboxResponse answer;
  grpc::Status status = stubs_->runtime->ListPodSandbox(context.get(), {}, &answer);
  if (!status.ok()) return GrpcError("ListPodSandbox", status);
  std::vector<std::string> ids;
  for (const auto& pod : answer.items()) ids.push_back(pod.id());
  return ids;
}

Result<std::string> CriClient::CreateContainer(const std::string& pod_id, const PodConfig& pod,
                                               const PodContainerConfig& container, Nanos timeout) {
  auto context = Context(timeout);
  v1::CreateContainerRequest request;
  request.set_pod_sandbox_id(pod_id);
  FillSandboxConfig(pod, request.mutable_sandbox_config());
  v1::ContainerConfig* config = request.mutable_config();
  config->mutable_metadata()->set_name(container.name);
  config->mutable_image()->set_image(container.image);
  for (const auto& word : container.command) config->add_command(word);
  config->mutable_labels()->insert(container.labels.begin(), container.labels.end());
  SetNamespaces(pod,
                config->mutable_linux()->mutable_security_context()->mutable_namespace_options());
  v1::LinuxContainerResources* resources = config->mutable_linux()->mutable_resources();
  resources->set_memory_limit_in_bytes(container.memory_limit_bytes);
  resources->set_cpu_quota(container.cpu_quota_us);
  resources->set_cpu_period(container.cpu_period_us);
  // Set either way: a container without a profile is unconfined under containerd's CRI.
  config->mutable_linux()->mutable_security_context()->mutable_seccomp()->set_profile_type(
      container.seccomp_unconfined ? v1::SecurityProfile_ProfileType_Unconfined
                                   : v1::SecurityProfile_ProfileType_RuntimeDefault);
  v1::CreateContainerResponse answer;
  grpc::Status status = stubs_->runtime->CreateContainer(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("CreateContainer", status);
  return answer.container_id();
}

Status CriClient::StartContainer(const std::string& id, Nanos timeout) {
  auto context = Context(timeout);
  v1::StartContainerRequest request;
  request.set_container_id(id);
  v1::StartContainerResponse answer;
  return StatusOf("StartContainer",
                  stubs_->runtime->StartContainer(context.get(), request, &answer));
}

Status CriClient::StopContainer(const std::string& id, std::int64_t grace_s, Nanos timeout) {
  auto context = Context(timeout);
  v1::StopContainerRequest request;
  request.set_container_id(id);
  request.set_timeout(grace_s);
  v1::StopContainerResponse answer;
  return StatusOf("StopContainer", stubs_->runtime->StopContainer(context.get(), request, &answer));
}

Status CriClient::RemoveContainer(const std::string& id, Nanos timeout) {
  auto context = Context(timeout);
  v1::RemoveContainerRequest request;
  request.set_container_id(id);
  v1::RemoveContainerResponse answer;
  return StatusOf("RemoveContainer",
                  stubs_->runtime->RemoveContainer(context.get(), request, &answer));
}

Result<PodContainerStatus> CriClient::ContainerStatus(const std::string& id, bool verbose,
                                                      Nanos timeout) {
  auto context = Context(timeout);
  v1::ContainerStatusRequest request;
  request.set_container_id(id);
  request.set_verbose(verbose);
  v1::ContainerStatusResponse answer;
  grpc::Status status = stubs_->runtime->ContainerStatus(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("ContainerStatus", status);
  PodContainerStatus out;
  switch (answer.status().state()) {
    case v1::CONTAINER_CREATED: out.state = PodContainerState::kCreated; break;
    case v1::CONTAINER_RUNNING: out.state = PodContainerState::kRunning; break;
    case v1::CONTAINER_EXITED: out.state = PodContainerState::kExited; break;
    default: out.state = PodContainerState::kUnknown; break;
  }
  out.started_at_realtime_ns = answer.status().started_at();
  out.finished_at_realtime_ns = answer.status().finished_at();
  out.exit_code = answer.status().exit_code();
  // containerd's verbose info: {"info": "{\"pid\": N, ...}"}.
  if (auto info = answer.info().find("info"); info != answer.info().end()) {
    const auto parsed = nlohmann::json::parse(info->second, nullptr, false);
    if (parsed.is_object() && parsed.contains("pid") && parsed["pid"].is_number_integer()) {
      out.pid = parsed["pid"].get<pid_t>();
    }
  }
  return out;
}

}  // namespace faultline::drivers::cri
