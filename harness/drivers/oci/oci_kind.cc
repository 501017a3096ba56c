#include "harness/drivers/oci/oci_kind.h"

#include <sys/mount.h>

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/drivers/oci/oci_driver.h"

namespace faultline::drivers::oci {
namespace {

constexpr auto kUndoTimeout = std::chrono::seconds(30);

// crun refuses hybrid cgroups; it runs in a private mount namespace without the cgroup2 mount.
bool RefusesHybrid(const std::string& runtime) {
  return runtime == "crun";
}

class OciKind : public DriverKind {
 public:
  const DriverSpec& spec() const override { return *FindDriverSpec("oci"); }

  Status Preflight(const scenario::Target& target, const HostInfo&) const override {
    auto runtime = ProbeOciRuntime(target.runtime, target.runtime_path);
    if (!runtime.ok()) return std::move(runtime).error().With("target " + target.name);
    auto security = LoadContainerSecurity(target.security);
    if (!security.ok()) return std::move(security).error().With("target " + target.name);
    return OkStatus();
  }

  bool NeedsPrivateV1View(const scenario::Target& target, CgroupMode mode) const override {
    return mode == CgroupMode::kHybrid && RefusesHybrid(target.runtime);
  }

  std::vector<DriverCheck> Describe(const HostInfo& host,
                                    const std::string& self_exe) const override {
    std::vector<DriverCheck> checks;
    for (const std::string& name : spec().FindField("runtime")->values) {
      auto info = ProbeOciRuntime(name);
      if (!info.ok()) {
        checks.push_back({name, false, info.error().message});
        continue;
      }
      DriverCheck check{name, true,
                        info->version + " at " + info->path +
                            "; forked per operation by the controller, state under the run"};
      if (RefusesHybrid(name) && host.cgroup_mode == CgroupMode::kHybrid) {
        auto probe = RunProcess(
            {{self_exe, "v1-exec", "--", info->path, "--version"}, std::chrono::seconds(10), ""});
        check.usable = probe.ok() && probe->ok();
        check.detail += check.usable ? "; refuses hybrid cgroups, works in the private v1 view"
                                     : "; refuses hybrid cgroups and the private v1 view failed";
      }
      checks.push_back(std::move(check));
    }
    return checks;
  }

  Result<std::unique_ptr<Driver>> Open(const scenario::Target& target,
                                       const DriverEnvironment& env) const override {
    FL_ASSIGN_OR_RETURN(ContainerSecurity security, LoadContainerSecurity(target.security));
    OciDriverConfig config{
        target.runtime,      env.run_dir,         env.cgroup_parent,      env.journal,
        target.runtime_path, target.runtime_args, EnvAssignments(target), std::move(security)};
    config.systemd_cgroup = env.systemd_cgroups;
    FL_ASSIGN_OR_RETURN(auto driver, OciDriver::Open(std::move(config)));
    return std::unique_ptr<Driver>(std::move(driver));
  }

  std::vector<std::string> JournalKinds() const override { return {kContainerRecord}; }

  // Trusts nothing in the record beyond what the run could have created: a container named
  // after the run, runc or crun as found in PATH with a state root inside the run directory,
  // files inside it.
  Status Undo(const JournalEntry& entry, const UndoContext& context) const override {
    const auto& data = entry.data;
    const auto runtime_argv = data.at("runtime_argv").get<std::vector<std::string>>();
    const std::string id = data.at("id").get<std::string>();
    const std::string rootfs = data.at("rootfs").get<std::string>();
    const std::string dir = data.at("dir").get<std::string>();
    auto refuse = [&](const std::string& what) {
      return InvalidArgument("refusing to remove " + what + ": not created by run " +
                             context.run_id);
    };
    if (context.run_id.empty() || id.rfind("fl-" + context.run_id + "-", 0) != 0) {
      return refuse("container " + id);
    }
    // BINARY [GLOBAL OPTIONS...] --root STATE
    const std::size_t size = runtime_argv.size();
    if (size < 3 || runtime_argv[size - 2] != "--root" ||
        !PathInside(runtime_argv.back(), context.run_dir, false)) {
      return refuse("container " + id + " of an unexpected runtime invocation");
    }
    // The runtime's binary: runc or crun in PATH, or one given by path ({name, path}).
    const std::string& binary = runtime_argv[0];
    const std::string name = data.value("runtime", binary.substr(binary.rfind('/') + 1));
    const auto& runtimes = spec().FindField("runtime")->values;
    if (std::find(runtimes.begin(), runtimes.end(), name) == runtimes.end() || binary.empty() ||
        binary[0] != '/' || FindExecutable(binary) != binary) {
      return refuse("container " + id + " via " + binary);
    }
    if (!PathInside(rootfs, context.run_dir, false) || !PathInside(dir, context.run_dir, false)) {
      return refuse("container " + id + " files outside the run");
    }

    std::vector<std::string> argv;
    if (RefusesHybrid(name) && DetectCgroupMode() == CgroupMode::kHybrid) {
      argv = {context.self_exe, "v1-exec", "--"};
    }
    argv.insert(argv.end(), runtime_argv.begin(), runtime_argv.end());
    argv.insert(argv.end(), {"delete", "--force", id});
    FL_ASSIGN_OR_RETURN(
        ProcessOutcome deleted,
        RunProcess({argv, kUndoTimeout, "", data.value("env", std::vector<std::string>{})}));
    // A container the runtime does not know is gone already; its state root lives in the run
    // directory, so a run whose directory survived still has it.
    if (!deleted.ok() && PathExists(runtime_argv.back() + "/" + id)) {
      return Unavailable("cannot delete container " + id + ": " + deleted.Describe());
    }
    // EINVAL: not a mount point (already unmounted, or made in a namespace that died with it).
    if (umount2(rootfs.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
      return ErrnoError("cannot unmount " + rootfs, errno);
    }
    return RemoveTree(dir);
  }
};

}  // namespace

const DriverKind& Kind() {
  static const OciKind kind;
  return kind;
}

}  // namespace faultline::drivers::oci
