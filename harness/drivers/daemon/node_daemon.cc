#include "harness/drivers/daemon/node_daemon.h"

#include <signal.h>

#include <thread>

#include "harness/core/files.h"
#include "harness/core/process.h"

namespace faultline::drivers {

std::vector<std::string> InNodeArgv(const NodeDaemonSpec& spec) {
  std::vector<std::string> argv = {spec.self_exe, "_node-exec", "--cgroup", spec.cgroup};
  if (!spec.node.netns.empty()) argv.insert(argv.end(), {"--netns", spec.node.netns});
  for (const auto& assignment : spec.env) argv.insert(argv.end(), {"--env", assignment});
  for (const auto& bind : spec.private_mounts) argv.insert(argv.end(), {"--private-mount", bind});
  if (!spec.mount_ns.empty()) argv.insert(argv.end(), {"--mount-ns", spec.mount_ns});
  argv.push_back("--");
  argv.insert(argv.end(), spec.argv.begin(), spec.argv.end());
  return argv;
}

Result<NodeDaemon> NodeDaemon::Start(const NodeDaemonSpec& spec,
                                     const std::function<Status(pid_t)>& ready, Nanos timeout) {
  NodeDaemon daemon;
  daemon.spec_ = spec;
  FL_RETURN_IF_ERROR(daemon.Launch());
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Status answered = ready(daemon.pid_);
    if (answered.ok()) return daemon;
    if (!daemon.Alive()) {
      auto text = ReadFile(spec.log_file);
      std::string tail = text.ok() ? *text : "";
      if (tail.size() > 600) tail = tail.substr(tail.size() - 600);
      daemon.pid_ = 0;
      return Unavailable(spec.name + " exited while starting: " + tail);
    }
    if (std::chrono::steady_clock::now() > until) {
      daemon.Stop(std::chrono::seconds(5));
      return DeadlineExceeded(spec.name + " was not ready: " + answered.error().ToString());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Status NodeDaemon::Launch() {
  FL_ASSIGN_OR_RETURN(pid_, StartDetached(InNodeArgv(spec_), spec_.log_file));
  // _node-exec executes the program in place: same pid, same start time.
  auto ticks = ProcessStartTime(pid_);
  start_ticks_ = ticks.ok() ? *ticks : 0;
  return OkStatus();
}

bool NodeDaemon::Alive() const {
  if (pid_ <= 0) return false;
  auto stat = ReadFile("/proc/" + std::to_string(pid_) + "/stat");
  if (!stat.ok()) return false;
  // After the command name (which may hold anything): " STATE ...". A zombie is gone already.
  const auto close = stat->rfind(')');
  if (close == std::string::npos || close + 2 >= stat->size() || (*stat)[close + 2] == 'Z') {
    return false;
  }
  auto ticks = ProcessStartTime(pid_);
  return ticks.ok() && *ticks == start_ticks_;
}

bool NodeDaemon::WaitGone(Nanos limit) const {
  for (auto until = std::chrono::steady_clock::now() + limit;
       Alive() && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return !Alive();
}

void NodeDaemon::Stop(Nanos grace) {
  if (pid_ <= 0) return;
  if (Alive()) {
    kill(pid_, SIGTERM);
    if (!WaitGone(grace)) {
      kill(pid_, SIGKILL);
      WaitGone(std::chrono::seconds(10));
    }
  }
  pid_ = 0;
}

Status NodeDaemon::Kill() {
  if (!Alive()) return FailedPrecondition(spec_.name + " is not running");
  kill(pid_, SIGKILL);
  if (!WaitGone(std::chrono::seconds(10))) {
    return DeadlineExceeded(spec_.name + " (pid " + std::to_string(pid_) +
                            ") still runs 10 s after SIGKILL");
  }
  return OkStatus();
}

Status NodeDaemon::Restart() {
  if (Alive()) return Unavailable(spec_.name + " still runs");
  if (spec_.argv.empty()) return FailedPrecondition("never started");
  return Launch();
}

Result<NodeDaemon> StartMountNamespaceHolder(NodeDaemonSpec spec,
                                             const std::vector<PrivateBind>& binds, Nanos timeout) {
  spec.argv = {"sleep", "infinity"};
  spec.private_mounts.clear();
  for (const auto& bind : binds) spec.private_mounts.push_back(bind.src + ":" + bind.dst);
  spec.mount_ns.clear();
  return NodeDaemon::Start(
      spec,
      [](pid_t pid) -> Status {
        // Ready once it runs sleep: _node-exec set the namespace up before executing it.
        auto comm = ReadFile("/proc/" + std::to_string(pid) + "/comm");
        if (comm.ok() && *comm == "sleep\n") return OkStatus();
        return Unavailable("the mount namespace is not set up yet");
      },
      timeout);
}

std::string MountNamespaceOf(const NodeDaemon& daemon) {
  return "/proc/" + std::to_string(daemon.pid()) + "/ns/mnt";
}

}  // namespace faultline::drivers
