#include "harness/drivers/registry.h"

#include <algorithm>

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/drivers/docker/docker_kind.h"
#include "harness/drivers/oci/oci_kind.h"
#include "harness/drivers/podman/podman_kind.h"
#ifdef FAULTLINE_HAVE_CONTAINERD
#include "harness/drivers/containerd/containerd_kind.h"
#endif
#ifdef FAULTLINE_HAVE_CRI
#include "harness/drivers/cri/cri_kind.h"
#endif

namespace faultline::drivers {
namespace {

// A driver of the table whose code this build lacks: doctor says why, and a target of it fails
// its preflight with the reason (exit 3), never half-way through a run.
class MissingKind : public DriverKind {
 public:
  MissingKind(std::string name, std::string why) : name_(std::move(name)), why_(std::move(why)) {}

  const DriverSpec& spec() const override { return *FindDriverSpec(name_); }
  Status Preflight(const scenario::Target& target, const HostInfo&) const override {
    return FailedPrecondition("target " + target.name + ": " + Reason());
  }
  bool NeedsPrivateV1View(const scenario::Target&, CgroupMode) const override { return false; }
  std::vector<DriverCheck> Describe(const HostInfo&, const std::string&) const override {
    return {{name_, false, Reason()}};
  }
  Result<std::unique_ptr<Driver>> Open(const scenario::Target&,
                                       const DriverEnvironment&) const override {
    return FailedPrecondition(Reason());
  }
  std::vector<std::string> JournalKinds() const override { return {}; }
  Status Undo(const JournalEntry& entry, const UndoContext&) const override {
    return FailedPrecondition("cannot undo " + entry.kind + ": " + Reason());
  }

 private:
  std::string Reason() const {
    return "this faultline was built without the " + name_ + " driver (" + why_ + ")";
  }
  std::string name_, why_;
};

const DriverKind& ContainerdKind() {
#ifdef FAULTLINE_HAVE_CONTAINERD
  return containerd::Kind();
#else
  static const MissingKind missing("containerd",
                                   "no gRPC C++ or containerd's .proto files at build time: "
                                   "install libgrpc++-dev and protobuf-compiler-grpc, run "
                                   "ci/setup, build again");
  return missing;
#endif
}

const DriverKind& CriKind() {
#ifdef FAULTLINE_HAVE_CRI
  return cri::Kind();
#else
  static const MissingKind missing("cri",
                                   "no gRPC C++ or the CRI's api.proto at build time: install "
                                   "libgrpc++-dev and protobuf-compiler-grpc, run ci/setup, "
                                   "build again");
  return missing;
#endif
}

}  // namespace

Status RequireInPath(const scenario::Target& target, const std::vector<std::string>& programs,
                     const std::string& packages) {
  for (const auto& program : programs) {
    if (FindExecutable(program).empty()) {
      if (program.front() == '/') {
        return FailedPrecondition("target " + target.name + ": " + program +
                                  " is not an executable file");
      }
      return FailedPrecondition("target " + target.name + ": " + program +
                                " not found in PATH (install the Debian packages " + packages +
                                ")");
    }
  }
  return OkStatus();
}

Result<RuntimeInfo> ProbeProgram(const std::string& name, const std::string& path,
                                 const std::string& package,
                                 const std::function<std::string(const std::string&)>& version_of) {
  RuntimeInfo info;
  info.name = name;
  info.path = FindExecutable(ProgramOf(name, path));
  if (info.path.empty()) {
    if (!path.empty()) return FailedPrecondition(path + " is not an executable file");
    return FailedPrecondition(name + " not found in PATH (install the Debian package " + package +
                              ")");
  }
  FL_ASSIGN_OR_RETURN(std::string version, RunForOutput({info.path, "--version"}));
  info.version = version_of(version);
  FL_ASSIGN_OR_RETURN(info.sha256, Sha256File(info.path));
  return info;
}

std::vector<std::string> EnvAssignments(const scenario::Target& target) {
  std::vector<std::string> assignments;
  for (const auto& [name, value] : target.env) assignments.push_back(name + "=" + value);
  return assignments;
}

const std::vector<const DriverKind*>& DriverKinds() {
  static const std::vector<const DriverKind*> kinds = {
      &oci::Kind(), &docker::Kind(), &podman::Kind(), &ContainerdKind(), &CriKind()};
  return kinds;
}

const DriverKind* FindDriverKind(const std::string& name) {
  for (const DriverKind* kind : DriverKinds()) {
    if (kind->spec().name == name) return kind;
  }
  return nullptr;
}

const DriverKind* FindDriverKindForRecord(const std::string& kind) {
  for (const DriverKind* driver : DriverKinds()) {
    const auto kinds = driver->JournalKinds();
    if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) return driver;
  }
  return nullptr;
}

Result<std::unique_ptr<Driver>> OpenDriver(const scenario::Target& target,
                                           const DriverEnvironment& env) {
  const DriverKind* kind = FindDriverKind(target.driver);
  if (!kind) return InvalidArgument("unknown driver '" + target.driver + "'");
  return kind->Open(target, env);
}

}  // namespace faultline::drivers
