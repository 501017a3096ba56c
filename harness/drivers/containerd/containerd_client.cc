#include "harness/drivers/containerd/containerd_client.h"

#include <grpcpp/grpcpp.h>

#include "github.com/containerd/containerd/api/events/task.pb.h"
#include "github.com/containerd/containerd/api/services/containers/v1/containers.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/events/v1/events.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/leases/v1/leases.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/namespaces/v1/namespace.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/snapshots/v1/snapshots.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/tasks/v1/tasks.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/version/v1/version.grpc.pb.h"
#include "github.com/containerd/containerd/runtime/v2/runc/options/oci.pb.h"
#include "harness/drivers/containerd/grpc_status.h"

namespace faultline::drivers::containerd {
namespace {

namespace api = ::containerd::services;

// containerd resolves Any values by its own type names, without a URL prefix.
constexpr const char* kSpecType = "types.containerd.io/opencontainers/runtime-spec/1/Spec";
constexpr const char* kRuncOptionsType = "containerd.runc.v1.Options";

// A call's context: its deadline and, for namespaced calls, the namespace (and lease).
std::unique_ptr<grpc::ClientContext> Context(Nanos timeout, const std::string& ns = "",
                                             const std::string& lease = "") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(timeout));
  if (!ns.empty()) context->AddMetadata("containerd-namespace", ns);
  if (!lease.empty()) context->AddMetadata("containerd-lease", lease);
  return context;
}

std::int64_t RealtimeNs(const google::protobuf::Timestamp& at) {
  return at.seconds() * 1'000'000'000 + at.nanos();
}

std::vector<Mount> MountsOf(
    const google::protobuf::RepeatedPtrField<::containerd::types::Mount>& in) {
  std::vector<Mount> mounts;
  for (const auto& m : in) {
    mounts.push_back({m.type(), m.source(), {m.options().begin(), m.options().end()}});
  }
  return mounts;
}

void PackRuncOptions(const RuncOptions& runc, google::protobuf::Any* any) {
  ::containerd::runc::v1::Options options;
  options.set_binary_name(runc.binary_name);
  options.set_root(runc.root);
  any->set_type_url(kRuncOptionsType);
  any->set_value(options.SerializeAsString());
}

}  // namespace

struct ContainerdClient::Stubs {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<api::version::v1::Version::Stub> version;
  std::unique_ptr<api::namespaces::v1::Namespaces::Stub> namespaces;
  std::unique_ptr<api::containers::v1::Containers::Stub> containers;
  std::unique_ptr<api::leases::v1::Leases::Stub> leases;
  std::unique_ptr<api::snapshots::v1::Snapshots::Stub> snapshots;
  std::unique_ptr<api::tasks::v1::Tasks::Stub> tasks;
  std::unique_ptr<api::events::v1::Events::Stub> events;
};

ContainerdClient::ContainerdClient(const std::string& socket) : socket_(socket), stubs_(new Stubs) {
  grpc::ChannelArguments args;
  // containerd restarted by a fault is reached at once: gRPC's own reconnect backoff (1 s and
  // growing) would otherwise count in the time until the API answers, and delay every start.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 10);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 10);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
  stubs_->channel =
      grpc::CreateCustomChannel("unix://" + socket, grpc::InsecureChannelCredentials(), args);
  stubs_->version = api::version::v1::Version::NewStub(stubs_->channel);
  stubs_->namespaces = api::namespaces::v1::Namespaces::NewStub(stubs_->channel);
  stubs_->containers = api::containers::v1::Containers::NewStub(stubs_->channel);
  stubs_->leases = api::leases::v1::Leases::NewStub(stubs_->channel);
  stubs_->snapshots = api::snapshots::v1::Snapshots::NewStub(stubs_->channel);
  stubs_->tasks = api::tasks::v1::Tasks::NewStub(stubs_->channel);
  stubs_->events = api::events::v1::Events::NewStub(stubs_->channel);
}

ContainerdClient::~ContainerdClient() = default;

Result<ContainerdVersion> ContainerdClient::Version(Nanos timeout) {
  auto context = Context(timeout);
  api::version::v1::VersionResponse answer;
  grpc::Status status = stubs_->version->Version(context.get(), {}, &answer);
  if (!status.ok()) return GrpcError("Version", status);
  return ContainerdVersion{answer.version(), answer.revision()};
}

Result<std::vector<std::string>> ContainerdClient::Namespaces(Nanos timeout) {
  auto context = Context(timeout);
  api::namespaces::v1::ListNamespacesResponse answer;
  grpc::Status status = stubs_->namespaces->List(context.get(), {}, &answer);
  if (!status.ok()) return GrpcError("ListNamespaces", status);
  std::vector<std::string> names;
  for (const auto& ns : answer.namespaces()) names.push_back(ns.name());
  return names;
}

Result<std::vector<std::string>> ContainerdClient::Containers(const std::string& ns,
                                                              Nanos timeout) {
  auto context = Context(timeout, ns);
  api::containers::v1::ListContainersResponse answer;
  grpc::Status status = stubs_->containers->List(context.get(), {}, &answer);
  if (!status.ok()) return GrpcError("ListContainers", status);
  std::vector<std::string> ids;
  for (const auto& c : answer.containers()) ids.push_back(c.id());
  return ids;
}

Status ContainerdClient::CreateLease(const std::string& ns, const std::string& id, Nanos timeout) {
  auto context = Context(timeout, ns);
  api::leases::v1::CreateRequest request;
  request.set_id(id);
  api::leases::v1::CreateResponse answer;
  grpc::Status status = stubs_->leases->Create(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("CreateLease", status);
  return OkStatus();
}

Status ContainerdClient::DeleteLease(const std::string& ns, const std::string& id, Nanos timeout) {
  auto context = Context(timeout, ns);
  api::leases::v1::DeleteRequest request;
  request.set_id(id);
  google::protobuf::Empty answer;
  grpc::Status status = stubs_->leases->Delete(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("DeleteLease", status);
  return OkStatus();
}

Result<std::vector<Mount>> ContainerdClient::PrepareSnapshot(
    const std::string& ns, const std::string& snapshotter, const std::string& key,
    const std::string& parent, const std::string& lease, Nanos timeout) {
  auto context = Context(timeout, ns, lease);
  api::snapshots::v1::PrepareSnapshotRequest request;
  request.set_snapshotter(snapshotter);
  request.set_key(key);
  request.set_parent(parent);
  api::snapshots::v1::PrepareSnapshotResponse answer;
  grpc::Status status = stubs_->snapshots->Prepare(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("PrepareSnapshot", status);
  return MountsOf(answer.mounts());
}

Result<std::vector<Mount>> ContainerdClient::SnapshotMounts(const std::string& ns,
                                                            const std::string& snapshotter,
                                                            const std::string& key, Nanos timeout) {
  auto context = Context(timeout, ns);
  api::snapshots::v1::MountsRequest request;
  request.set_snapshotter(snapshotter);
  request.set_key(key);
  api::snapshots::v1::MountsResponse answer;
  grpc::Status status = stubs_->snapshots->Mounts(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("SnapshotMounts", status);
  return MountsOf(answer.mounts());
}

Status ContainerdClient::RemoveSnapshot(const std::string& ns, const std::string& snapshotter,
                                        const std::string& key, Nanos timeout) {
  auto context = Context(timeout, ns);
  api::snapshots::v1::RemoveSnapshotRequest request;
  request.set_snapshotter(snapshotter);
  request.set_key(key);
  google::protobuf::Empty answer;
  grpc::Status status = stubs_->snapshots->Remove(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("RemoveSnapshot", status);
  return OkStatus();
}

Status ContainerdClient::CreateContainer(const std::string& ns, const ContainerRecord& record,
                                         const std::string& lease, Nanos timeout) {
  auto context = Context(timeout, ns, lease);
  api::containers::v1::CreateContainerRequest request;
  auto* container = request.mutable_container();
  container->set_id(record.id);
  container->mutable_labels()->insert(record.labels.begin(), record.labels.end());
  container->set_image(record.image);
  container->mutable_runtime()->set_name(record.runtime);
  PackRuncOptions(record.runc, container->mutable_runtime()->mutable_options());
  container->mutable_spec()->set_type_url(kSpecType);
  container->mutable_spec()->set_value(record.spec_json);
  container->set_snapshotter(record.snapshotter);
  container->set_snapshot_key(record.snapshot_key);
  api::containers::v1::CreateContainerResponse answer;
  grpc::Status status = stubs_->containers->Create(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("CreateContainer", status);
  return OkStatus();
}

Status ContainerdClient::DeleteContainer(const std::string& ns, const std::string& id,
                                         Nanos timeout) {
  auto context = Context(timeout, ns);
  api::containers::v1::DeleteContainerRequest request;
  request.set_id(id);
  google::protobuf::Empty answer;
  grpc::Status status = stubs_->containers->Delete(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("DeleteContainer", status);
  return OkStatus();
}

Result<pid_t> ContainerdClient::CreateTask(const std::string& ns, const std::string& id,
                                           const std::vector<Mount>& rootfs,
                                           const RuncOptions& runc, Nanos timeout) {
  auto context = Context(timeout, ns);
  api::tasks::v1::CreateTaskRequest request;
  request.set_container_id(id);
  for (const Mount& m : rootfs) {
    auto* mount = request.add_rootfs();
    mount->set_type(m.type);
    mount->set_source(m.source);
    for (const auto& option : m.options) mount->add_options(option);
  }
  PackRuncOptions(runc, request.mutable_options());
  api::tasks::v1::CreateTaskResponse answer;
  grpc::Status status = stubs_->tasks->Create(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("CreateTask", status);
  return static_cast<pid_t>(answer.pid());
}

Status ContainerdClient::StartTask(const std::string& ns, const std::string& id, Nanos timeout) {
  auto context = Context(timeout, ns);
  api::tasks::v1::StartRequest request;
  request.set_container_id(id);
  api::tasks::v1::StartResponse answer;
  grpc::Status status = stubs_->tasks->Start(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("StartTask", status);
  return OkStatus();
}

Status ContainerdClient::KillTask(const std::string& ns, const std::string& id, int signal,
                                  Nanos timeout) {
  auto context = Context(timeout, ns);
  api::tasks::v1::KillRequest request;
  request.set_container_id(id);
  request.set_signal(static_cast<std::uint32_t>(signal));
  google::protobuf::Empty answer;
  grpc::Status status = stubs_->tasks->Kill(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("KillTask", status);
  return OkStatus();
}

Result<std::int64_t> ContainerdClient::WaitTask(const std::string& ns, const std::string& id,
                                                Nanos timeout) {
  auto context = Context(timeout, ns);
  api::tasks::v1::WaitRequest request;
  request.set_container_id(id);
  api::tasks::v1::WaitResponse answer;
  grpc::Status status = stubs_->tasks->Wait(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("WaitTask", status);
  return RealtimeNs(answer.exited_at());
}

Status ContainerdClient::DeleteTask(const std::string& ns, const std::string& id, Nanos timeout) {
  auto context = Context(timeout, ns);
  api::tasks::v1::DeleteTaskRequest request;
  request.set_container_id(id);
  api::tasks::v1::DeleteResponse answer;
  grpc::Status status = stubs_->tasks->Delete(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("DeleteTask", status);
  return OkStatus();
}

Result<TaskStatus> ContainerdClient::TaskState(const std::string& ns, const std::string& id,
                                               Nanos timeout) {
  auto context = Context(timeout, ns);
  api::tasks::v1::GetRequest request;
  request.set_container_id(id);
  api::tasks::v1::GetResponse answer;
  grpc::Status status = stubs_->tasks->Get(context.get(), request, &answer);
  if (!status.ok()) return GrpcError("GetTask", status);
  switch (answer.process().status()) {
    case ::containerd::v1::types::CREATED: return TaskStatus::kCreated;
    case ::containerd::v1::types::RUNNING: return TaskStatus::kRunning;
    case ::containerd::v1::types::STOPPED: return TaskStatus::kStopped;
    case ::containerd::v1::types::PAUSED:
    case ::containerd::v1::types::PAUSING: return TaskStatus::kPaused;
    default: return TaskStatus::kUnknown;
  }
}

namespace {

class GrpcTaskEventStream : public TaskEventStream {
 public:
  GrpcTaskEventStream(api::events::v1::Events::Stub& stub, const std::string& ns) {
    api::events::v1::SubscribeRequest request;
    request.add_filters("namespace==" + ns + ",topic~=\"^/tasks/\"");
    reader_ = stub.Subscribe(&context_, request);
  }
  ~GrpcTaskEventStream() override {
    Cancel();
    (void)reader_->Finish();
  }

  Result<TaskEvent> Next() override {
    api::events::v1::Envelope envelope;
    for (;;) {
      if (!reader_->Read(&envelope)) return Unavailable("containerd's event stream ended");
      TaskEvent event;
      event.topic = envelope.topic();
      event.at_realtime_ns = RealtimeNs(envelope.timestamp());
      const std::string& value = envelope.event().value();
      if (event.topic == "/tasks/create") {
        ::containerd::events::TaskCreate parsed;
        if (!parsed.ParseFromString(value)) continue;
        event.container_id = parsed.container_id();
      } else if (event.topic == "/tasks/start") {
        ::containerd::events::TaskStart parsed;
        if (!parsed.ParseFromString(value)) continue;
        event.container_id = parsed.container_id();
      } else if (event.topic == "/tasks/exit") {
        ::containerd::events::TaskExit parsed;
        if (!parsed.ParseFromString(value)) continue;
        event.container_id = parsed.container_id();
        event.exec_id = parsed.id();
        event.exited_at_realtime_ns = RealtimeNs(parsed.exited_at());
      } else {
        continue;  // not a topic faultline reads
      }
      return event;
    }
  }

  void Cancel() override { context_.TryCancel(); }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<api::events::v1::Envelope>> reader_;
};

}  // namespace

std::unique_ptr<TaskEventStream> ContainerdClient::SubscribeTaskEvents(const std::string& ns) {
  return std::make_unique<GrpcTaskEventStream>(*stubs_->events, ns);
}

}  // namespace faultline::drivers::containerd
