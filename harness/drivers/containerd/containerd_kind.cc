#include "harness/drivers/containerd/containerd_kind.h"

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/drivers/containerd/containerd_driver.h"
#include "harness/drivers/oci/oci_driver.h"

namespace faultline::drivers::containerd {
namespace {

std::string RuntimeOf(const scenario::Target& target) {
  return target.runtime.empty() ? "runc" : target.runtime;
}

// Besides containerd: the runc shim, and containerd's own client for image import.
constexpr const char* kHelpers[] = {"containerd-shim-runc-v2", "ctr"};

class ContainerdKind : public DriverKind {
 public:
  const DriverSpec& spec() const override { return *FindDriverSpec("containerd"); }

  Status Preflight(const scenario::Target& target, const HostInfo&) const override {
    FL_RETURN_IF_ERROR(PreflightContainerd(target, RuntimeOf(target)));
    auto security = oci::LoadContainerSecurity(target.security);
    if (!security.ok()) return std::move(security).error().With("target " + target.name);
    return OkStatus();
  }

  bool NeedsPrivateV1View(const scenario::Target& target, CgroupMode mode) const override {
    // containerd inherits the controller's mount namespace, and with it the view crun needs.
    return mode == CgroupMode::kHybrid && RuntimeOf(target) == "crun";
  }

  std::vector<DriverCheck> Describe(const HostInfo&, const std::string&) const override {
    std::vector<DriverCheck> checks;
    auto containerd = ProbeContainerd();
    if (!containerd.ok()) {
      checks.push_back({"containerd", false, containerd.error().message});
      return checks;
    }
    checks.push_back({"containerd", true,
                      containerd->version + " at " + containerd->path +
                          "; a private one per node (own root, state and sockets), started "
                          "inside the node, driven through its gRPC API in namespace " +
                          kNamespace});
    for (const char* helper : kHelpers) {
      if (FindExecutable(helper).empty()) {
        checks.push_back(
            {helper, false, "not found in PATH (install the Debian package containerd)"});
      }
    }
    return checks;
  }

  Result<std::unique_ptr<Driver>> Open(const scenario::Target& target,
                                       const DriverEnvironment& env) const override {
    ContainerdDriverConfig config;
    config.target = target.name;
    config.runtime = RuntimeOf(target);
    config.runtime_path = target.runtime_path;
    config.daemon = target.daemon;
    config.env = EnvAssignments(target);
    config.run_id = env.journal->run_id();
    config.run_dir = env.run_dir;
    config.journal = env.journal;
    config.self_exe = env.self_exe;
    FL_ASSIGN_OR_RETURN(config.security, oci::LoadContainerSecurity(target.security));
    FL_ASSIGN_OR_RETURN(auto driver, ContainerdDriver::Open(std::move(config)));
    return std::unique_ptr<Driver>(std::move(driver));
  }

  std::vector<std::string> JournalKinds() const override { return {kPlatformRecord}; }

  Status Undo(const JournalEntry& entry, const UndoContext& context) const override {
    return UndoPlatformRecord(entry.data, context.run_id, context.run_dir);
  }
};

}  // namespace

Status PreflightContainerd(const scenario::Target& target, const std::string& runtime) {
  FL_RETURN_IF_ERROR(
      RequireInPath(target, {ProgramOf("containerd", target.daemon.path), kHelpers[0], kHelpers[1]},
                    "containerd"));
  auto probed = oci::ProbeOciRuntime(runtime, target.runtime_path);
  if (!probed.ok()) return std::move(probed).error().With("target " + target.name);
  return OkStatus();
}

const DriverKind& Kind() {
  static const ContainerdKind kind;
  return kind;
}

}  // namespace faultline::drivers::containerd
