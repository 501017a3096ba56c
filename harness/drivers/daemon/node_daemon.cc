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
  if (!spec.private_mount.empty()) argv.insert(argv.end(), {"--private-mount", spec.private_mount});
  if (!spec.mount_ns.empty()) argv.insert(argv.end(), {"--mount-ns", spec.mount_ns});
  argv.push_back("--");
  argv.insert(argv.end(), spec.argv.begin(), spec.argv.end());
  return argv;
}

Result<NodeDaemon> NodeDaemon::Start(const NodeDaemonSpec& spec,
                                     const std::function<Status(pid_t)>& ready, Nanos timeout) {
  NodeDaemon daemon;
  daemon.name_ = spec.name;
  FL_ASSIGN_OR_RETURN(daemon.pid_, StartDetached(InNodeArgv(spec), spec.log_file));
  // _node-exec executes the program in place: same pid, same start time.
  auto ticks = ProcessStartTime(daemon.pid_);
  daemon.start_ticks_ = ticks.ok() ? *ticks : 0;
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

void NodeDaemon::Stop(Nanos grace) {
  if (pid_ <= 0) return;
  auto wait_gone = [this](Nanos limit) {
    for (auto until = std::chrono::steady_clock::now() + limit;
         Alive() && std::chrono::steady_clock::now() < until;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return !Alive();
  };
  if (Alive()) {
    kill(pid_, SIGTERM);
    if (!wait_gone(grace)) {
      kill(pid_, SIGKILL);
      wait_gone(std::chrono::seconds(10));
    }
  }
  pid_ = 0;
}

}  // namespace faultline::drivers
