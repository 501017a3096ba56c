#include "harness/drivers/podman/podman_kind.h"

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/drivers/podman/podman_driver.h"

namespace faultline::drivers::podman {
namespace {

std::string RuntimeOf(const scenario::Target& target) {
  return target.runtime.empty() ? "crun" : target.runtime;
}

bool ViaService(const scenario::Target& target) {
  auto via = target.options.find("via");
  return via == target.options.end() || via->second == "service";
}

class PodmanKind : public DriverKind {
 public:
  const DriverSpec& spec() const override { return *FindDriverSpec("podman"); }

  Status Preflight(const scenario::Target& target, const HostInfo&) const override {
    if (std::string problem = SyslogCleanupProblem(target.daemon.args, PathExists("/dev/log"));
        !problem.empty()) {
      return FailedPrecondition("target " + target.name + ": " + problem);
    }
    return RequireInPath(target,
                         {ProgramOf("podman", target.daemon.path), "conmon",
                          ProgramOf(RuntimeOf(target), target.runtime_path)},
                         "podman and " + RuntimeOf(target));
  }

  bool NeedsPrivateV1View(const scenario::Target& target, CgroupMode mode) const override {
    return mode == CgroupMode::kHybrid && RuntimeOf(target) == "crun";
  }

  std::vector<DriverCheck> Describe(const HostInfo&, const std::string&) const override {
    std::vector<DriverCheck> checks;
    auto podman = ProbePodman();
    if (!podman.ok()) {
      checks.push_back({"podman", false, podman.error().message});
    } else {
      checks.push_back({"podman", true,
                        podman->version + " at " + podman->path +
                            "; per node its own store, run root, events file and containers.conf "
                            "(cgroupfs, file locks); the libpod API service started inside the "
                            "node (via: service) or one podman command per operation (via: cli)"});
    }
    const std::string conmon = FindExecutable("conmon");
    checks.push_back({"conmon", !conmon.empty(),
                      conmon.empty() ? "not found in PATH (install the Debian package conmon)"
                                     : "at " + conmon});
    return checks;
  }

  Result<std::unique_ptr<Driver>> Open(const scenario::Target& target,
                                       const DriverEnvironment& env) const override {
    PodmanDriverConfig config;
    config.target = target.name;
    config.runtime = RuntimeOf(target);
    config.runtime_path = target.runtime_path;
    config.runtime_args = target.runtime_args;
    config.service = ViaService(target);
    config.daemon = target.daemon;
    config.env = EnvAssignments(target);
    config.security = target.security;
    config.run_id = env.journal->run_id();
    config.run_dir = env.run_dir;
    config.journal = env.journal;
    config.self_exe = env.self_exe;
    FL_ASSIGN_OR_RETURN(auto driver, PodmanDriver::Open(std::move(config)));
    return std::unique_ptr<Driver>(std::move(driver));
  }

  std::vector<std::string> JournalKinds() const override { return {kPlatformRecord}; }

  Status Undo(const JournalEntry& entry, const UndoContext& context) const override {
    return UndoPlatformRecord(entry.data, context.run_id, context.run_dir);
  }
};

}  // namespace

const DriverKind& Kind() {
  static const PodmanKind kind;
  return kind;
}

}  // namespace faultline::drivers::podman
