#include "chaos/support/helper_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>
#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace faultline::chaos {
namespace {

std::string Parent(const std::string& rel) {
  const auto slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

std::vector<pid_t> ProcsOf(const std::string& rel) {
  std::vector<pid_t> pids;
  for (const auto& root : CgroupHierarchies()) {
    auto procs = ReadFile(root + "/" + rel + "/cgroup.procs");
    if (!procs.ok()) continue;
    std::istringstream in(*procs);
    pid_t pid;
    while (in >> pid) pids.push_back(pid);
  }
  return pids;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

Status CreateChildCgroup(const std::string& rel) {
  if (rel.empty() || rel.find("..") != std::string::npos) {
    return InvalidArgument("bad cgroup path '" + rel + "'");
  }
  const std::string parent = Parent(rel);
  int made = 0;
  for (const auto& root : CgroupHierarchies()) {
    const std::string parent_dir = parent.empty() ? root : root + "/" + parent;
    const std::string dir = root + "/" + rel;
    if (!PathExists(parent_dir)) continue;
    ++made;
    if (mkdir(dir.c_str(), 0755) != 0) {
      if (errno == EEXIST) continue;  // set up already
      return ErrnoError("cannot create cgroup " + dir, errno);
    }
    FL_RETURN_IF_ERROR(InheritV1Cpuset(parent_dir, dir));
  }
  if (made == 0) return FailedPrecondition("parent cgroup " + parent + " exists in no hierarchy");
  return OkStatus();
}

HelperProcess::HelperProcess(HelperProcess&& other) noexcept
    : pid_(other.pid_), pidfd_(other.pidfd_) {
  other.pid_ = -1;
  other.pidfd_ = -1;
}

HelperProcess& HelperProcess::operator=(HelperProcess&& other) noexcept {
  if (this != &other) {
    this->~HelperProcess();
    pid_ = other.pid_;
    pidfd_ = other.pidfd_;
    other.pid_ = -1;
    other.pidfd_ = -1;
  }
  return *this;
}

HelperProcess::~HelperProcess() {
  if (pidfd_ < 0) return;
  // Through the pidfd, never by pid: an orphan reaper may have reaped it and the pid be reused.
  siginfo_t info{};
  syscall(SYS_waitid, P_PIDFD, pidfd_, &info, WEXITED | WNOHANG, nullptr);
  CloseFd(pidfd_);
}

bool HelperProcess::Exited() const {
  if (pidfd_ < 0) return true;
  pollfd pfd{pidfd_, POLLIN, 0};
  return poll(&pfd, 1, 0) > 0;
}

Result<HelperProcess> StartHelper(const HelperSpec& spec) {
  if (spec.argv.empty()) return InvalidArgument("helper without argv");
  const std::string exe =
      spec.argv[0].find('/') != std::string::npos ? spec.argv[0] : FindExecutable(spec.argv[0]);
  if (exe.empty() || access(exe.c_str(), X_OK) != 0) {
    return FailedPrecondition(spec.argv[0] + ": not found or not executable");
  }
  // Everything the child touches is prepared here: between fork and exec only async-signal-safe
  // calls are allowed.
  std::vector<int> procs_fds;
  auto close_all = [&] {
    for (int& fd : procs_fds) CloseFd(fd);
  };
  for (const auto& root : CgroupHierarchies()) {
    const std::string dir = root + "/" + spec.cgroup;
    if (!PathExists(dir)) continue;
    const int fd = open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      const int saved = errno;
      close_all();
      return ErrnoError("cannot open " + dir + "/cgroup.procs", saved);
    }
    procs_fds.push_back(fd);
  }
  if (procs_fds.empty()) return FailedPrecondition("cgroup " + spec.cgroup + " does not exist");
  std::vector<char*> argv;
  for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  const bool want_ready = spec.ready_timeout.count() > 0;
  if ((want_ready && pipe2(out_pipe, O_CLOEXEC) != 0) || pipe2(err_pipe, O_CLOEXEC) != 0) {
    const int saved = errno;
    close_all();
    CloseFd(out_pipe[0]);
    CloseFd(out_pipe[1]);
    return ErrnoError("pipe", saved);
  }
  const int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int child_errno = 0;
    for (int fd : procs_fds) {
      if (write(fd, "0", 1) != 1) child_errno = errno;
    }
    if (child_errno == 0) {
      dup2(devnull, STDIN_FILENO);
      dup2(want_ready ? out_pipe[1] : devnull, STDOUT_FILENO);
      dup2(want_ready ? out_pipe[1] : devnull, STDERR_FILENO);
      execv(exe.c_str(), argv.data());
      child_errno = errno;
    }
    // Tell the parent why: a helper outside its cgroup would escape cleanup.
    (void)!write(err_pipe[1], &child_errno, sizeof child_errno);
    _exit(127);
  }
  const int fork_errno = errno;
  close_all();
  CloseFd(err_pipe[1]);
  CloseFd(out_pipe[1]);
  if (devnull >= 0) close(devnull);
  if (pid < 0) {
    CloseFd(err_pipe[0]);
    CloseFd(out_pipe[0]);
    return ErrnoError("fork", fork_errno);
  }
  HelperProcess helper(pid, static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));

  int child_errno = 0;
  const bool failed = read(err_pipe[0], &child_errno, sizeof child_errno) == sizeof child_errno;
  CloseFd(err_pipe[0]);
  if (failed) {
    CloseFd(out_pipe[0]);
    return ErrnoError("cannot start " + exe + " in cgroup " + spec.cgroup, child_errno);
  }
  if (!want_ready) return helper;

  // Reads until a "ready" line, end of output (it died) or the deadline.
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + spec.ready_timeout;
  for (;;) {
    if (output.find("ready\n") != std::string::npos) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{out_pipe[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      CloseFd(out_pipe[0]);
      return DeadlineExceeded(exe + " did not report ready: " + output);
    }
    char buf[512];
    const ssize_t n = read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) {
      CloseFd(out_pipe[0]);
      return Unavailable(exe + " exited before it was ready: " + output);
    }
    output.append(buf, static_cast<size_t>(n));
  }
  CloseFd(out_pipe[0]);
  return helper;
}

Status StopHelperCgroup(const std::string& rel, Nanos grace) {
  if (!CgroupExists(rel)) return OkStatus();
  for (pid_t pid : ProcsOf(rel)) kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!ProcsOf(rel).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return RemoveCgroupTree(rel);
}

}  // namespace faultline::chaos
