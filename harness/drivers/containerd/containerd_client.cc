#include "harness/drivers/containerd/containerd_client.h"

#include <grpcpp/grpcpp.h>

#include "github.com/containerd/containerd/api/services/containers/v1/containers.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/namespaces/v1/namespace.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/version/v1/version.grpc.pb.h"

namespace faultline::drivers::containerd {
namespace {

namespace api = ::containerd::services;

// A call's context: its deadline and, for namespaced calls, the namespace.
std::unique_ptr<grpc::ClientContext> Context(Nanos timeout, const std::string& ns = "") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(timeout));
  if (!ns.empty()) context->AddMetadata("containerd-namespace", ns);
  return context;
}

// containerd's answer as faultline's error: its code mapped, its message kept.
Error ErrorOf(const char* call, const grpc::Status& status) {
  const std::string text = std::string(call) + ": " + status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND: return NotFound(text);
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION: return FailedPrecondition(text);
    case grpc::StatusCode::INVALID_ARGUMENT: return InvalidArgument(text);
    case grpc::StatusCode::DEADLINE_EXCEEDED: return DeadlineExceeded(text);
    case grpc::StatusCode::UNAVAILABLE: return Unavailable(text);
    default: return Internal(text + " (gRPC code " + std::to_string(status.error_code()) + ")");
  }
}

}  // namespace

struct ContainerdClient::Stubs {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<api::version::v1::Version::Stub> version;
  std::unique_ptr<api::namespaces::v1::Namespaces::Stub> namespaces;
  std::unique_ptr<api::containers::v1::Containers::Stub> containers;
};

ContainerdClient::ContainerdClient(const std::string& socket) : stubs_(new Stubs) {
  stubs_->channel = grpc::CreateChannel("unix://" + socket, grpc::InsecureChannelCredentials());
  stubs_->version = api::version::v1::Version::NewStub(stubs_->channel);
  stubs_->namespaces = api::namespaces::v1::Namespaces::NewStub(stubs_->channel);
  stubs_->containers = api::containers::v1::Containers::NewStub(stubs_->channel);
}

ContainerdClient::~ContainerdClient() = default;

Result<ContainerdVersion> ContainerdClient::Version(Nanos timeout) {
  auto context = Context(timeout);
  api::version::v1::VersionResponse answer;
  grpc::Status status = stubs_->version->Version(context.get(), {}, &answer);
  if (!status.ok()) return ErrorOf("Version", status);
  return ContainerdVersion{answer.version(), answer.revision()};
}

Result<std::vector<std::string>> ContainerdClient::Namespaces(Nanos timeout) {
  auto context = Context(timeout);
  api::namespaces::v1::ListNamespacesResponse answer;
  grpc::Status status = stubs_->namespaces->List(context.get(), {}, &answer);
  if (!status.ok()) return ErrorOf("ListNamespaces", status);
  std::vector<std::string> names;
  for (const auto& ns : answer.namespaces()) names.push_back(ns.name());
  return names;
}

Result<std::vector<std::string>> ContainerdClient::Containers(const std::string& ns,
                                                              Nanos timeout) {
  auto context = Context(timeout, ns);
  api::containers::v1::ListContainersResponse answer;
  grpc::Status status = stubs_->containers->List(context.get(), {}, &answer);
  if (!status.ok()) return ErrorOf("ListContainers", status);
  std::vector<std::string> ids;
  for (const auto& c : answer.containers()) ids.push_back(c.id());
  return ids;
}

}  // namespace faultline::drivers::containerd
