#include "harness/drivers/docker/docker_kind.h"

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/drivers/docker/docker_driver.h"
#include "harness/drivers/oci/oci_driver.h"

namespace faultline::drivers::docker {
namespace {

std::string RuntimeOf(const scenario::Target& target) {
  return target.runtime.empty() ? "runc" : target.runtime;
}

// What a private Docker Engine needs besides dockerd: its own containerd and the runc shim.
constexpr const char* kHelpers[] = {"containerd", "containerd-shim-runc-v2"};

class DockerKind : public DriverKind {
 public:
  const DriverSpec& spec() const override { return *FindDriverSpec("docker"); }

  Status Preflight(const scenario::Target& target, const HostInfo&) const override {
    // An existing daemon (endpoint) needs nothing here; it must answer when the run opens it.
    if (target.options.count("endpoint")) return OkStatus();
    return RequireInPath(target,
                         {ProgramOf("dockerd", target.daemon.path), kHelpers[0], kHelpers[1],
                          ProgramOf(RuntimeOf(target), target.runtime_path)},
                         "docker.io, containerd and " + RuntimeOf(target));
  }

  bool NeedsPrivateV1View(const scenario::Target& target, CgroupMode mode) const override {
    // The daemons inherit the controller's mount namespace, and with it the view crun needs.
    return mode == CgroupMode::kHybrid && RuntimeOf(target) == "crun" &&
           !target.options.count("endpoint");
  }

  std::vector<DriverCheck> Describe(const HostInfo&, const std::string&) const override {
    std::vector<DriverCheck> checks;
    auto dockerd = ProbeDockerd();
    if (!dockerd.ok()) {
      checks.push_back({"dockerd", false, dockerd.error().message});
    } else {
      checks.push_back({"dockerd", true,
                        dockerd->version + " at " + dockerd->path +
                            "; a private one per node (own data root, exec root, socket, "
                            "containerd; no bridge, NAT or iptables; cgroupfs), started inside "
                            "the node and stopped at the end"});
    }
    for (const char* helper : kHelpers) {
      const std::string path = FindExecutable(helper);
      if (path.empty()) {
        checks.push_back(
            {helper, false, "not found in PATH (install the Debian package containerd)"});
        continue;
      }
      auto version = RunForOutput({path, "--version"});
      checks.push_back(
          {helper, true,
           (version.ok() ? version->substr(0, version->find('\n')) + " at " : "") + path});
    }
    return checks;
  }

  Result<std::unique_ptr<Driver>> Open(const scenario::Target& target,
                                       const DriverEnvironment& env) const override {
    DockerDriverConfig config;
    config.target = target.name;
    config.runtime = RuntimeOf(target);
    config.runtime_path = target.runtime_path;
    config.runtime_args = target.runtime_args;
    config.daemon = target.daemon;
    config.env = EnvAssignments(target);
    config.security = target.security;
    auto live = target.options.find("live_restore");
    config.live_restore = live != target.options.end() && live->second == "true";
    if (auto endpoint = target.options.find("endpoint"); endpoint != target.options.end()) {
      config.endpoint = endpoint->second.substr(std::string("unix://").size());
    }
    config.run_id = env.journal->run_id();
    config.run_dir = env.run_dir;
    config.journal = env.journal;
    config.self_exe = env.self_exe;
    FL_ASSIGN_OR_RETURN(auto driver, DockerDriver::Open(std::move(config)));
    return std::unique_ptr<Driver>(std::move(driver));
  }

  std::vector<std::string> JournalKinds() const override {
    return {kPlatformRecord, kEndpointRecord, kEndpointImageRecord};
  }

  Status Undo(const JournalEntry& entry, const UndoContext& context) const override {
    if (entry.kind == kPlatformRecord) {
      return UndoPlatformRecord(entry.data, context.run_id, context.run_dir);
    }
    return UndoEndpointRecord(entry.kind, entry.data, context.run_id);
  }
};

}  // namespace

const DriverKind& Kind() {
  static const DockerKind kind;
  return kind;
}

}  // namespace faultline::drivers::docker
