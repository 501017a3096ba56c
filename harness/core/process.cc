#include "harness/core/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
// Boost.Process hides vfork behind this macro once glibc declares POSIX.1-2008, which drops
// vfork from the standard; Linux keeps it, and the spawn path below needs it.
#define BOOST_POSIX_HAS_VFORK 1
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "harness/core/files.h"

extern char** environ;

namespace faultline {
namespace bp = boost::process;

namespace {

constexpr size_t kErrTail = 4096;

// Pids spawned by RunProcess; Boost reaps those itself. Held across spawn so the orphan reaper
// never reaps a child before it is registered.
std::mutex g_spawn_mu;
std::set<pid_t> g_managed;

// Child-side setup: own process group, and an empty signal mask (the controller blocks
// SIGINT/SIGTERM in its threads; programs must not inherit that). The program dies with the
// thread that waits for it: a runtime call must not go on creating cgroups and mounts after a
// SIGKILLed controller, while `faultline recover` removes them.
// It runs in a vfork child, which borrows the controller's memory until it execs: system calls
// only.
struct ChildSetup : bp::extend::handler {
  pid_t parent = getpid();
  template <class Executor>
  void on_exec_setup(Executor&) const {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the controller died before the line above
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
  }
};

std::string Tail(const std::string& s) {
  return s.size() <= kErrTail ? s : s.substr(s.size() - kErrTail);
}

// The last kErrTail bytes only: a chatty container may have written much more.
std::string TailOfFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string tail(kErrTail, '\0');
  const off_t size = lseek(fd, 0, SEEK_END);
  const off_t from = size > static_cast<off_t>(kErrTail) ? size - static_cast<off_t>(kErrTail) : 0;
  const ssize_t n = pread(fd, tail.data(), tail.size(), from);
  close(fd);
  tail.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return tail;
}

void Decode(int raw, ProcessOutcome& outcome) {
  if (WIFEXITED(raw)) {
    outcome.exit_code = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    outcome.term_signal = WTERMSIG(raw);
  }
}

}  // namespace

std::string ProcessOutcome::Describe() const {
  std::string what;
  if (timed_out) {
    what = "timed out after " + std::to_string((end_ns - start_ns) / 1'000'000) + "ms";
  } else if (term_signal != 0) {
    what = std::string("killed by signal ") + strsignal(term_signal);
  } else {
    what = "exited with status " + std::to_string(exit_code);
  }
  std::string detail = err;
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  return detail.empty() ? what : what + ": " + detail;
}

Result<ProcessOutcome> RunProcess(const ProcessSpec& spec) {
  if (spec.argv.empty()) return InvalidArgument("empty command");
  std::string exe = FindExecutable(spec.argv[0]);
  if (exe.empty()) return FailedPrecondition(spec.argv[0] + ": not found in PATH");
  std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());

  ProcessOutcome outcome;
  boost::asio::io_context ioc;
  std::future<std::string> out, err;
  bool exited = false;
  auto on_exit = bp::on_exit([&](int, const std::error_code&) { exited = true; });
  std::unique_ptr<bp::child> child;
  try {
    // vfork: a fork copies the page tables of all the controller's mappings before the child
    // can exec, about 2 ms of every runtime call on this host (tests/bench/harness_overhead.cc),
    // all of it inside the span the call measures.
    auto spawn = [&](auto&&... environment) {
      if (spec.output_file.empty()) {
        child = std::make_unique<bp::child>(bp::exe = exe, bp::args = args, bp::std_in.close(),
                                            bp::std_out > out, bp::std_err > err, ioc, ChildSetup{},
                                            on_exit, bp::posix::use_vfork, environment...);
      } else {
        child = std::make_unique<bp::child>(
            bp::exe = exe, bp::args = args,
            bp::std_in<bp::null, (bp::std_out & bp::std_err)> boost::filesystem::path(
                spec.output_file),
            ioc, ChildSetup{}, on_exit, bp::posix::use_vfork, environment...);
      }
    };
    // The environment is copied only when the target sets some: none on the usual path.
    std::optional<bp::environment> environment;
    if (!spec.env.empty()) {
      environment.emplace(boost::this_process::environment());
      for (const std::string& assignment : spec.env) {
        const auto equals = assignment.find('=');
        (*environment)[assignment.substr(0, equals)] =
            equals == std::string::npos ? "" : assignment.substr(equals + 1);
      }
    }
    std::lock_guard lock(g_spawn_mu);
    outcome.start_ns = BootNowNs();
    if (environment) {
      spawn(*environment);
    } else {
      spawn();
    }
    g_managed.insert(child->id());
  } catch (const std::exception& e) {
    return Unavailable("cannot start " + exe + ": " + e.what());
  }
  const pid_t pid = child->id();

  ioc.run_for(spec.timeout);
  if (!exited) {
    outcome.timed_out = true;
    kill(-pid, SIGKILL);  // the whole group: the program and whatever it forked
    ioc.restart();
    ioc.run_for(std::chrono::seconds(5));
  }
  outcome.end_ns = BootNowNs();
  if (!outcome.timed_out) Decode(child->native_exit_code(), outcome);
  {
    std::lock_guard lock(g_spawn_mu);
    g_managed.erase(pid);
  }
  if (spec.output_file.empty()) {
    // A descendant that outlived the program may still hold the pipes: give them a moment to
    // drain, then take what arrived rather than wait without bound.
    auto drained = [&] {
      return out.wait_for(std::chrono::seconds(0)) == std::future_status::ready &&
             err.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    };
    if (!drained()) {
      ioc.restart();
      ioc.run_for(std::chrono::milliseconds(200));
    }
    if (drained()) {
      outcome.out = out.get();
      outcome.err = Tail(err.get());
    } else {
      outcome.err = "(output not collected: a descendant kept the program's pipes open)";
    }
  } else {
    outcome.err = TailOfFile(spec.output_file);
  }
  return outcome;
}

Result<pid_t> StartDetached(const std::vector<std::string>& argv, const std::string& log_file) {
  if (argv.empty()) return InvalidArgument("empty command");
  const std::string exe = FindExecutable(argv[0]);
  if (exe.empty()) return FailedPrecondition(argv[0] + ": not found in PATH");
  std::vector<std::string> args = argv;
  std::vector<char*> pointers;
  for (auto& a : args) pointers.push_back(a.data());
  pointers.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  const char* out = log_file.empty() ? "/dev/null" : log_file.c_str();
  posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  pid_t pid = -1;
  int error = 0;
  {
    // Under the spawn lock: no other spawn's pipes are open to be inherited.
    std::lock_guard lock(g_spawn_mu);
    error = posix_spawn(&pid, exe.c_str(), &actions, &attr, pointers.data(), environ);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (error != 0) return ErrnoError("cannot start " + exe, error);
  return pid;
}

Result<std::uint64_t> ProcessStartTime(pid_t pid) {
  auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return NotFound("no process " + std::to_string(pid));
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  std::istringstream fields(stat->substr(stat->rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return std::strtoull(field.c_str(), nullptr, 10);
  }
  return Internal("unreadable /proc/" + std::to_string(pid) + "/stat");
}

Result<std::string> RunForOutput(std::vector<std::string> argv, Nanos timeout) {
  std::string name = argv.empty() ? "" : argv[0];
  FL_ASSIGN_OR_RETURN(ProcessOutcome outcome, RunProcess({std::move(argv), timeout, ""}));
  if (!outcome.ok()) return Unavailable(name + " " + outcome.Describe());
  return std::move(outcome.out);
}

namespace {

bool HasPathUnder(const std::string& cmdline, const std::string& prefix) {
  for (std::size_t at = 0; at < cmdline.size();) {
    const std::size_t end = std::min(cmdline.find('\0', at), cmdline.size());
    if (cmdline.compare(at, prefix.size(), prefix) == 0 && end - at > prefix.size()) return true;
    at = end + 1;
  }
  return false;
}

// Gone, or a zombie that only its parent can remove.
bool Exited(pid_t pid) {
  const auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return true;
  const auto state_at = stat->rfind(')');
  return state_at != std::string::npos && stat->size() > state_at + 2 &&
         (*stat)[state_at + 2] == 'Z';
}

}  // namespace

int KillProcessesWithPathsUnder(const std::string& dir, Nanos timeout) {
  const std::string prefix = dir + "/";
  std::vector<pid_t> killed;
  if (DIR* proc = opendir("/proc")) {
    while (dirent* entry = readdir(proc)) {
      const std::string name = entry->d_name;
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
      const pid_t pid = static_cast<pid_t>(std::stol(name));
      if (pid == getpid()) continue;
      const auto cmdline = ReadFile("/proc/" + name + "/cmdline");
      if (cmdline.ok() && HasPathUnder(*cmdline, prefix) && kill(pid, SIGKILL) == 0) {
        killed.push_back(pid);
      }
    }
    closedir(proc);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!std::all_of(killed.begin(), killed.end(), Exited) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return static_cast<int>(killed.size());
}

namespace {

std::vector<pid_t> ChildrenOfSelf() {
  std::vector<pid_t> pids;
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) return pids;
  while (dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream children(std::string("/proc/self/task/") + entry->d_name + "/children");
    pid_t pid;
    while (children >> pid) pids.push_back(pid);
  }
  closedir(tasks);
  return pids;
}

// Recent orphan exits, pid -> when reaped; kept briefly so a waiter that asks just after the
// exit still learns of it.
constexpr std::int64_t kExitMemoryNs = 60'000'000'000;
std::mutex g_exits_mu;
std::condition_variable g_exits_cv;
std::map<pid_t, std::int64_t> g_exits;

void ReapOrphans() {
  // Reading /proc happens outside the spawn lock, which every runtime call takes. A child seen
  // here before RunProcess registered it is checked under the lock, which RunProcess holds until
  // it has registered the child: it is then known as managed and left to Boost.
  const std::vector<pid_t> children = ChildrenOfSelf();
  std::vector<pid_t> reaped;
  {
    std::lock_guard lock(g_spawn_mu);
    for (pid_t pid : children) {
      if (g_managed.count(pid) == 0 && waitpid(pid, nullptr, WNOHANG) == pid) {
        reaped.push_back(pid);
      }
    }
  }
  if (reaped.empty()) return;
  const std::int64_t now = BootNowNs();
  std::lock_guard lock(g_exits_mu);
  std::erase_if(g_exits, [&](const auto& entry) { return now - entry.second > kExitMemoryNs; });
  for (pid_t pid : reaped) g_exits[pid] = now;
  g_exits_cv.notify_all();
}

}  // namespace

Result<std::int64_t> WaitForOrphanExit(pid_t pid, std::int64_t not_before_ns, Nanos timeout,
                                       const std::atomic<bool>* cancel) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(g_exits_mu);
  for (;;) {
    auto it = g_exits.find(pid);
    if (it != g_exits.end() && it->second >= not_before_ns) {
      const std::int64_t exited = it->second;
      g_exits.erase(it);
      return exited;
    }
    if (cancel && cancel->load()) return Cancelled("stopped waiting: the run was interrupted");
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return DeadlineExceeded("still running after its deadline");
    // Wake at least every 50 ms to notice a cancel.
    g_exits_cv.wait_for(lock, std::min<Nanos>(deadline - now, std::chrono::milliseconds(50)));
  }
}

Status StartOrphanReaper() {
  static std::once_flag once;
  static Status status;
  std::call_once(once, [] {
    // Adopted processes are found through /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN).
    if (!PathExists("/proc/self/task/" + std::to_string(gettid()) + "/children")) {
      status = FailedPrecondition(
          "this kernel has no /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN): faultline "
          "cannot follow the container processes it adopts");
      return;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
      status = ErrnoError("cannot become child subreaper", errno);
      return;
    }
    // Reap on every SIGCHLD: a runtime that waits for a container's init to disappear (runc
    // delete) sees a zombie as still running, so slow reaping would show up as slow deletes.
    // A periodic sweep catches anything a coalesced signal hid.
    std::thread([] {
      boost::asio::io_context ioc;
      boost::asio::signal_set sigchld(ioc, SIGCHLD);
      boost::asio::steady_timer sweep(ioc);
      std::function<void()> on_signal = [&] {
        sigchld.async_wait([&](const boost::system::error_code&, int) {
          ReapOrphans();
          on_signal();
        });
      };
      std::function<void()> on_sweep = [&] {
        sweep.expires_after(std::chrono::seconds(1));
        sweep.async_wait([&](const boost::system::error_code&) {
          ReapOrphans();
          on_sweep();
        });
      };
      on_signal();
      on_sweep();
      ioc.run();
    }).detach();
  });
  return status;
}

}  // namespace faultline
