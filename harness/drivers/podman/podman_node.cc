#include "harness/drivers/podman/podman_node.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/drivers/http/unix_http.h"

namespace faultline::drivers::podman {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(60);
constexpr auto kEventsPoll = std::chrono::milliseconds(2);

std::string ContainersConf(const std::string& dir, const std::string& runtime,
                           const std::string& runtime_path) {
  return "[containers]\n"
         // The host may not raise limits (no CAP_SYS_RESOURCE): podman's defaults ask for more.
         "default_ulimits = [\"nofile=20000:20000\", \"nproc=32768:32768\"]\n"
         "netns = \"host\"\n"
         "[engine]\n"
         "cgroup_manager = \"cgroupfs\"\n"
         // File locks below tmp_dir: the default shared-memory segment (/dev/shm/libpod_lock)
         // would be shared with the host's own podman.
         "lock_type = \"file\"\n"
         "events_logger = \"file\"\n"
         "events_logfile_path = \"" +
         dir +
         "/events.log\"\n"
         "tmp_dir = \"" +
         dir +
         "/tmp\"\n"
         "static_dir = \"" +
         dir +
         "/root/libpod\"\n"
         "volume_path = \"" +
         dir +
         "/root/volumes\"\n"
         "runtime = \"" +
         runtime +
         "\"\n"
         "[network]\n"
         "network_config_dir = \"" +
         dir + "/networks\"\n" +
         // A runtime by path: the only binary Podman may use under the runtime's name.
         (runtime_path.empty()
              ? ""
              : "[engine.runtimes]\n" + runtime + " = [\"" + runtime_path + "\"]\n");
}

// --runtime-flag takes a runtime option without its leading dashes.
std::vector<std::string> RuntimeFlags(const std::vector<std::string>& options) {
  std::vector<std::string> flags;
  for (const std::string& option : options) {
    flags.push_back("--runtime-flag=" +
                    option.substr(std::min(option.find_first_not_of('-'), option.size())));
  }
  return flags;
}

std::string StorageConf(const std::string& dir, const std::string& runroot) {
  return "[storage]\n"
         "driver = \"overlay\"\n"
         "graphroot = \"" +
         dir +
         "/root\"\n"
         "runroot = \"" +
         runroot + "\"\n";
}

// "2026-12-04T07:40:01.123456789Z" or "...+01:00" -> ns since the epoch; 0 when unreadable.
std::int64_t ParseRfc3339Ns(const std::string& text) {
  tm parts{};
  int fraction_at = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d%n", &parts.tm_year, &parts.tm_mon,
                  &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec,
                  &fraction_at) != 6) {
    return 0;
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  std::int64_t ns = static_cast<std::int64_t>(timegm(&parts)) * 1'000'000'000;
  std::size_t at = static_cast<std::size_t>(fraction_at);
  if (at < text.size() && text[at] == '.') {
    std::int64_t scale = 100'000'000;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at) {
      ns += (text[at] - '0') * scale;
      scale /= 10;
    }
  }
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int hours = 0, minutes = 0;
    if (std::sscanf(text.c_str() + at + 1, "%d:%d", &hours, &minutes) == 2) {
      const std::int64_t offset = (hours * 3600LL + minutes * 60LL) * 1'000'000'000;
      ns += text[at] == '+' ? -offset : offset;
    }
  }
  return ns;
}

// Removes the node's directory and run root with what is mounted below them, then the shared
// run roots' parent when it is empty.
Status RemovePodmanDirs(const std::string& dir, const std::string& runroot) {
  Status status = RemoveDirAndMounts(dir);
  Status runroot_removed = RemoveDirAndMounts(runroot);
  if (status.ok()) status = runroot_removed;
  rmdir((StateRoot() + "/r").c_str());  // when no other run has one
  return status;
}

}  // namespace

std::string SyslogCleanupProblem(const std::vector<std::string>& daemon_args, bool has_dev_log) {
  if (has_dev_log) return "";
  for (std::size_t i = 0; i < daemon_args.size(); ++i) {
    std::string level;
    if (daemon_args[i].rfind("--log-level=", 0) == 0) {
      level = daemon_args[i].substr(std::string("--log-level=").size());
    } else if (daemon_args[i] == "--log-level" && i + 1 < daemon_args.size()) {
      level = daemon_args[i + 1];
    }
    if (level == "debug" || level == "trace") {
      return "podman at --log-level " + level +
             " gives its containers' cleanup --syslog, which fails on this host (no /dev/log): "
             "no container's exit would be seen; use another log level or run a syslog daemon";
    }
  }
  return "";
}

PodmanNode::PodmanNode(PodmanNodeConfig config)
    : config_(std::move(config)),
      footprint_(config_.journal, config_.node, config_.run_id, config_.target, config_.dir),
      socket_(config_.dir + "/podman.sock"),
      events_(config_.dir + "/events.log"),
      log_(config_.dir + "/service.log"),
      env_({"CONTAINERS_CONF=" + config_.dir + "/containers.conf",
            "CONTAINERS_STORAGE_CONF=" + config_.dir + "/storage.conf"}) {
  env_.insert(env_.end(), config_.env.begin(), config_.env.end());
}

PodmanNode::~PodmanNode() {
  (void)Stop();
}

Result<std::unique_ptr<PodmanNode>> PodmanNode::Start(PodmanNodeConfig config) {
  std::unique_ptr<PodmanNode> node(new PodmanNode(std::move(config)));
  if (Status launched = node->Launch(); !launched.ok()) {
    (void)node->Stop();
    return std::move(launched).error().With("podman on " + node->config_.node.name);
  }
  return node;
}

NodeDaemonSpec PodmanNode::Spec(const std::string& name, std::vector<std::string> args) const {
  NodeDaemonSpec spec{name, config_.self_exe, config_.node, footprint_.platform_cgroup(), env_, {},
                      log_};
  spec.mount_ns = MountNamespaceOf(mounts_);
  spec.argv = {ProgramOf("podman", config_.daemon.path), "--root", config_.dir + "/root",
               "--runroot", config_.runroot};
  const std::vector<std::string> runtime_flags = RuntimeFlags(config_.runtime_args);
  spec.argv.insert(spec.argv.end(), runtime_flags.begin(), runtime_flags.end());
  spec.argv.insert(spec.argv.end(), config_.daemon.args.begin(), config_.daemon.args.end());
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  return spec;
}

std::vector<std::string> PodmanNode::Podman(std::vector<std::string> args) const {
  return InNodeArgv(Spec("podman", std::move(args)));
}

Status PodmanNode::Launch() {
  FL_ASSIGN_OR_RETURN(var_lib_, HostMountPoint::Acquire(kVarLibContainers, config_.journal));
  FL_RETURN_IF_ERROR(footprint_.Claim(kPlatformRecord, {{"runroot", config_.runroot}}));
  FL_RETURN_IF_ERROR(MakeDirs(config_.dir + "/tmp", 0700));
  FL_RETURN_IF_ERROR(MakeDirs(config_.runroot, 0700));
  FL_RETURN_IF_ERROR(MakeDirs(config_.dir + "/var-lib-containers", 0700));
  FL_RETURN_IF_ERROR(
      WriteFileAtomic(config_.dir + "/containers.conf",
                      ContainersConf(config_.dir, config_.runtime, config_.runtime_path)));
  FL_RETURN_IF_ERROR(
      WriteFileAtomic(config_.dir + "/storage.conf", StorageConf(config_.dir, config_.runroot)));
  FL_RETURN_IF_ERROR(WriteFileAtomic(events_, ""));
  follower_ = std::thread([this] { FollowEvents(); });
  FL_ASSIGN_OR_RETURN(
      mounts_, StartMountNamespaceHolder({"mount namespace holder",
                                          config_.self_exe,
                                          config_.node,
                                          footprint_.platform_cgroup(),
                                          {},
                                          {},
                                          log_},
                                         {{config_.dir + "/var-lib-containers", kVarLibContainers}},
                                         kReadyTimeout));
  if (!config_.service) return OkStatus();

  FL_ASSIGN_OR_RETURN(
      service_,
      NodeDaemon::Start(
          Spec("podman system service", {"system", "service", "--time=0", "unix://" + socket_}),
          [&](pid_t) -> Status {
            auto ping = http::Call(socket_, {"GET", "/_ping", ""}, std::chrono::seconds(2));
            if (!ping.ok()) return std::move(ping).error();
            if (ping->status != 200) return Unavailable("not ready");
            return OkStatus();
          },
          kReadyTimeout));
  return OkStatus();
}

void PodmanNode::FollowEvents() {
  const int fd = open(events_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  std::string pending;
  char buffer[16384];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      pending.append(buffer, static_cast<std::size_t>(n));
      std::size_t line_end;
      while ((line_end = pending.find('\n')) != std::string::npos) {
        auto event = nlohmann::json::parse(pending.substr(0, line_end), nullptr, false);
        pending.erase(0, line_end + 1);
        if (!event.is_object() || event.value("Type", "") != "container" ||
            event.value("Status", "") != "died") {
          continue;
        }
        const std::int64_t at = ParseRfc3339Ns(event.value("Time", ""));
        exits_.Record(event.value("Name", ""), at ? BootNsOfRealtime(at) : BootNowNs());
      }
      continue;
    }
    std::unique_lock lock(mu_);
    if (changed_.wait_for(lock, kEventsPoll, [this] { return stop_following_; })) break;
  }
  close(fd);
}

Status PodmanNode::Stop() {
  if (follower_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stop_following_ = true;
      changed_.notify_all();
    }
    follower_.join();
  }
  Status removed = OkStatus();
  if (footprint_.claimed()) {
    service_.Stop(std::chrono::seconds(10));
    mounts_.Stop(std::chrono::seconds(5));
    // conmon and containers left die with the cgroups.
    removed = footprint_.Remove(
        [this](const std::string& dir) { return RemovePodmanDirs(dir, config_.runroot); });
  }
  var_lib_.Release();
  return removed;
}

Result<std::uint64_t> PodmanNode::ResidentBytes() const {
  // PSS of the service (if any) and every conmon: podman puts them in <cgroup parent>/conmon.
  std::uint64_t total = 0;
  for (const std::string& cgroup :
       {footprint_.platform_cgroup(), footprint_.containers_cgroup() + "/conmon"}) {
    // The mount namespace holder is faultline's, not Podman's.
    auto pss = CgroupPssBytes(cgroup, {mounts_.pid()});
    if (pss.ok()) total += *pss;
  }
  return total;
}

std::string RunRootFor(const std::string& run_id, const std::string& key) {
  return StateRoot() + "/r/" + run_id + Sha256Hex(key).substr(0, 4);
}

Status UndoPlatformRecord(const nlohmann::json& data, const std::string& run_id,
                          const std::string& run_dir) {
  FL_ASSIGN_OR_RETURN(std::string dir,
                      RecordedPlatformDir(data, run_id, run_dir, "podman platform"));
  const std::string runroot = data.at("runroot").get<std::string>();
  const std::string runroots = StateRoot() + "/r";
  if (!PathInside(runroot, runroots, false) ||
      runroot.substr(runroots.size() + 1).rfind(run_id, 0) != 0) {
    return InvalidArgument("refusing to remove podman run root " + runroot + ": not of run " +
                           run_id);
  }
  return RemovePodmanDirs(dir, runroot);
}

}  // namespace faultline::drivers::podman
