#include "harness/drivers/oci/oci_driver.h"

#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/drivers/oci/oci_spec.h"

namespace faultline::drivers::oci {
namespace {

// OpResult of a finished runtime call: a non-zero exit becomes an Unavailable status with the
// runtime's own words.
OpResult FromOutcome(const std::string& what, const Result<ProcessOutcome>& outcome) {
  OpResult op;
  if (!outcome.ok()) {
    op.start_ns = op.end_ns = BootNowNs();
    op.status = outcome.error();
    return op;
  }
  op.start_ns = outcome->start_ns;
  op.end_ns = outcome->end_ns;
  if (outcome->timed_out) {
    op.status = DeadlineExceeded(what + " " + outcome->Describe());
  } else if (!outcome->ok()) {
    op.status = Unavailable(what + " " + outcome->Describe());
  }
  return op;
}

class OciContainer : public Container {
 public:
  // CGROUP: where the container lands, relative; CGROUPS_PATH: what the runtime is told.
  OciContainer(OciDriver* driver, std::string id, std::string dir, std::string cgroup,
               std::string cgroups_path)
      : driver_(driver),
        id_(std::move(id)),
        dir_(std::move(dir)),
        cgroup_(std::move(cgroup)),
        cgroups_path_(std::move(cgroups_path)) {}

  const std::string& id() const override { return id_; }
  ContainerIdentity Identity() const override {
    ContainerIdentity identity{id_, cgroup_, 0};
    if (auto pid = ReadFile(dir_ + "/init.pid"); pid.ok()) {
      identity.init_pid = static_cast<pid_t>(std::strtol(pid->c_str(), nullptr, 10));
    }
    return identity;
  }
  std::string rootfs() const { return dir_ + "/bundle/rootfs"; }
  std::string bundle() const { return dir_ + "/bundle"; }
  std::string output_log() const { return dir_ + "/output.log"; }

  // Journals the container, then builds the bundle: directories, overlay rootfs, config.json.
  // Only the bundle is timed: the journal (an fsync) is faultline's bookkeeping, not part of
  // starting a container.
  OpResult Prepare(const ContainerSpec& spec) {
    OpResult op;
    auto seq = driver_->config().journal->Acquire(kContainerRecord,
                                                  {{"runtime", driver_->config().runtime},
                                                   {"runtime_argv", driver_->RuntimeArgv()},
                                                   {"env", driver_->config().env},
                                                   {"id", id_},
                                                   {"rootfs", rootfs()},
                                                   {"dir", dir_}});
    const std::int64_t cpu_before = ThreadCpuNs();
    op.start_ns = BootNowNs();
    if (seq.ok()) {
      journal_seq_ = *seq;
      op.status = BuildBundle(spec);
    } else {
      op.status = std::move(seq).error();
    }
    op.end_ns = BootNowNs();
    op.cpu_ns = ThreadCpuNs() - cpu_before;
    return op;
  }

  OpResult Runtime(std::vector<std::string> args, Nanos timeout, bool to_file) {
    std::vector<std::string> argv = driver_->RuntimeArgv();
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string what = driver_->runtime().name + " " + args.front();
    const std::int64_t cpu_before = ThreadCpuNs();
    auto outcome = RunProcess({argv, timeout, to_file ? output_log() : "", driver_->config().env});
    const std::int64_t cpu_ns = ThreadCpuNs() - cpu_before;
    OpResult op = FromOutcome(what, outcome);
    op.cpu_ns = cpu_ns;
    return op;
  }

  OpResult Start(Nanos timeout) override { return Runtime({"start", id_}, timeout, false); }

  OpResult Kill(int signal, Nanos timeout) override {
    return Runtime({"kill", id_, std::to_string(signal)}, timeout, false);
  }

  OpResult Delete(Nanos timeout) override {
    OpResult op = Runtime({"delete", "--force", id_}, timeout, false);
    if (!op.status.ok()) {
      // Deleting what never got created is not a failure.
      auto state = State(timeout);
      if (!state.ok() && state.error().code == ErrorCode::kNotFound) op.status = OkStatus();
    }
    if (mounted_ && umount2(rootfs().c_str(), 0) != 0 &&
        umount2(rootfs().c_str(), MNT_DETACH) != 0 && op.status.ok()) {
      op.status = ErrnoError("cannot unmount " + rootfs(), errno);
    }
    mounted_ = false;
    Status removed = RemoveTree(dir_);
    if (op.status.ok() && !removed.ok()) op.status = removed;
    op.end_ns = BootNowNs();
    if (op.status.ok() && journal_seq_) driver_->config().journal->Release(journal_seq_);
    return op;
  }

  Result<std::int64_t> WaitExit(Nanos timeout, const std::atomic<bool>* cancel) override {
    auto pid_text = ReadFile(dir_ + "/init.pid");
    if (!pid_text.ok()) return FailedPrecondition("container " + id_ + " has no init pid");
    const pid_t pid = static_cast<pid_t>(std::strtol(pid_text->c_str(), nullptr, 10));
    if (pid <= 0) return Internal("container " + id_ + ": bad init pid '" + *pid_text + "'");
    // The init is adopted by this process (child subreaper) once the runtime exits.
    auto exited = WaitForOrphanExit(pid, created_ns_, timeout, cancel);
    if (!exited.ok()) return std::move(exited).error().With("container " + id_);
    return *exited;
  }

  void set_created_ns(std::int64_t ns) { created_ns_ = ns; }

  Result<ContainerStatus> State(Nanos timeout) override {
    std::vector<std::string> argv = driver_->RuntimeArgv();
    argv.insert(argv.end(), {"state", id_});
    FL_ASSIGN_OR_RETURN(ProcessOutcome outcome,
                        RunProcess({argv, timeout, "", driver_->config().env}));
    if (!outcome.ok()) {
      if (outcome.err.find("does not exist") != std::string::npos ||
          outcome.err.find("No such file or directory") != std::string::npos) {
        return NotFound("container " + id_ + " does not exist");
      }
      return Unavailable("state " + outcome.Describe());
    }
    auto json = nlohmann::json::parse(outcome.out, nullptr, false);
    if (json.is_discarded()) return Internal("unreadable state of " + id_);
    const std::string status = json.value("status", "");
    if (status == "created") return ContainerStatus::kCreated;
    if (status == "running") return ContainerStatus::kRunning;
    if (status == "stopped") return ContainerStatus::kStopped;
    if (status == "paused") return ContainerStatus::kPaused;
    return ContainerStatus::kUnknown;
  }

 private:
  Status BuildBundle(const ContainerSpec& spec) {
    FL_RETURN_IF_ERROR(MakeDirs(dir_ + "/upper"));
    FL_RETURN_IF_ERROR(MakeDirs(dir_ + "/work"));
    FL_RETURN_IF_ERROR(MakeDirs(rootfs()));
    const std::string options = "lowerdir=" + driver_->lower_rootfs() + ",upperdir=" + dir_ +
                                "/upper,workdir=" + dir_ + "/work";
    if (mount("overlay", rootfs().c_str(), "overlay", 0, options.c_str()) != 0) {
      return ErrnoError("cannot mount overlay rootfs at " + rootfs(), errno);
    }
    mounted_ = true;
    std::ofstream out(bundle() + "/config.json");
    out << MakeRuntimeConfig(spec, cgroups_path_, driver_->config().security).dump();
    out.close();
    if (!out) return Internal("cannot write " + bundle() + "/config.json");
    return OkStatus();
  }

  OciDriver* driver_;
  std::string id_;
  std::string dir_;
  std::string cgroup_;
  std::string cgroups_path_;
  std::uint64_t journal_seq_ = 0;
  std::int64_t created_ns_ = 0;  // when the runtime call that forks the init was issued
  bool mounted_ = false;
};

// Paths go into overlay mount options, where these characters are separators.
Status CheckOverlayPath(const std::string& path) {
  if (path.find_first_of(",:\\") != std::string::npos) {
    return InvalidArgument("path '" + path +
                           "' contains ',', ':' or '\\', which overlay mount options cannot "
                           "carry");
  }
  return OkStatus();
}

}  // namespace

Result<RuntimeInfo> ProbeOciRuntime(const std::string& runtime, const std::string& path) {
  RuntimeInfo info;
  info.name = runtime;
  info.path = path.empty() ? FindExecutable(runtime) : path;
  if (!path.empty() && access(path.c_str(), X_OK) != 0) {
    return FailedPrecondition(runtime + " at " + path + " is not an executable file");
  }
  if (info.path.empty()) {
    return FailedPrecondition(runtime + " not found in PATH (install the Debian package " +
                              runtime + ")");
  }
  FL_ASSIGN_OR_RETURN(std::string version, RunForOutput({info.path, "--version"}));
  // First line: "runc version 1.1.5+ds1" / "crun version 1.8.1".
  std::istringstream first(version.substr(0, version.find('\n')));
  std::string word;
  while (first >> word) info.version = word;
  FL_ASSIGN_OR_RETURN(info.sha256, Sha256File(info.path));
  return info;
}

OciDriver::OciDriver(OciDriverConfig config, RuntimeInfo info, std::string state_root)
    : config_(std::move(config)), info_(std::move(info)), state_root_(std::move(state_root)) {}

Result<std::unique_ptr<OciDriver>> OciDriver::Open(OciDriverConfig config) {
  if (config.runtime != "runc" && config.runtime != "crun") {
    return InvalidArgument("unknown OCI runtime '" + config.runtime + "'");
  }
  FL_RETURN_IF_ERROR(CheckOverlayPath(config.run_dir));
  FL_ASSIGN_OR_RETURN(RuntimeInfo info, ProbeOciRuntime(config.runtime, config.runtime_path));
  std::string state_root = config.run_dir + "/runtime/" + config.runtime;
  FL_RETURN_IF_ERROR(MakeDirs(state_root, 0700));
  return std::unique_ptr<OciDriver>(
      new OciDriver(std::move(config), std::move(info), std::move(state_root)));
}

Result<std::string> OciDriver::ImportImage(const PlatformNode&, const ImageSource& image) {
  FL_RETURN_IF_ERROR(CheckOverlayPath(image.rootfs));
  lower_rootfs_ = image.rootfs;
  return image.rootfs;
}

ProbeScope OciDriver::Probes() const {
  // The controller forks every runtime call; the kernel's command name is the binary's name.
  return {{getpid()}, {}, {info_.path.substr(info_.path.rfind('/') + 1)}};
}

std::vector<std::string> OciDriver::RuntimeArgv() const {
  std::vector<std::string> argv = {info_.path};
  // runc and crun both take --systemd-cgroup for their systemd cgroup manager.
  if (config_.systemd_cgroup) argv.push_back("--systemd-cgroup");
  argv.insert(argv.end(), config_.runtime_args.begin(), config_.runtime_args.end());
  argv.insert(argv.end(), {"--root", state_root_});
  return argv;
}

Created OciDriver::CreateWith(const char* verb, const ContainerSpec& spec, Nanos timeout) {
  Created created;
  const std::string& parent =
      spec.cgroup_parent.empty() ? config_.cgroup_parent : spec.cgroup_parent;
  std::string cgroup = parent + "/" + spec.id;
  std::string cgroups_path = "/" + cgroup;
  // systemd makes the container scope "faultline-<id>.scope" in the node's slice, whose
  // cgroup directory bears the slice's unit name. crun then moves the container into a
  // "container" cgroup of the scope, so the scope's own cgroup holds no process and can be
  // delegated; its limits go there too.
  const std::string slice = parent.substr(parent.rfind('/') + 1);
  if (config_.systemd_cgroup) {
    cgroup = parent + "/faultline-" + spec.id + ".scope";
    if (config_.runtime == "crun") cgroup += "/container";
    cgroups_path = slice + ":faultline:" + spec.id;
  }
  auto container = std::make_unique<OciContainer>(
      this, spec.id, config_.run_dir + "/containers/" + spec.id, cgroup, cgroups_path);
  if (lower_rootfs_.empty()) {
    created.prepare.start_ns = created.prepare.end_ns = BootNowNs();
    created.prepare.status = FailedPrecondition("no image imported into driver oci");
  } else if (config_.systemd_cgroup && !slice.ends_with(".slice")) {
    created.prepare.start_ns = created.prepare.end_ns = BootNowNs();
    created.prepare.status =
        FailedPrecondition("the systemd cgroup driver puts containers into a slice, and cgroup " +
                           parent + " is not one");
  } else {
    created.prepare = container->Prepare(spec);
  }
  if (created.prepare.status.ok()) {
    std::vector<std::string> args = {verb};
    if (std::string(verb) == "run") args.push_back("--detach");
    args.insert(args.end(), {"--bundle", container->bundle(), "--pid-file",
                             config_.run_dir + "/containers/" + spec.id + "/init.pid", spec.id});
    container->set_created_ns(BootNowNs());
    // The container inherits the runtime's stdio: a file, so no pipe outlives the call.
    created.create = container->Runtime(args, timeout, true);
  } else {
    created.create.start_ns = created.create.end_ns = created.prepare.end_ns;
    created.create.status = Cancelled("not attempted: preparing the bundle failed");
  }
  created.container = std::move(container);
  return created;
}

Created OciDriver::Create(const ContainerSpec& spec, Nanos timeout) {
  return CreateWith("create", spec, timeout);
}

Created OciDriver::Run(const ContainerSpec& spec, Nanos timeout) {
  return CreateWith("run", spec, timeout);
}

}  // namespace faultline::drivers::oci
