#include "chaos/watchdog.h"

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>

#include "chaos/registry.h"
#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"

extern char** environ;

namespace faultline::chaos {

Result<pid_t> StartWatchdog(const std::string& self_exe, const std::string& run_dir) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  for (int fd = 0; fd <= 2; ++fd) {
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  // Its own session: a terminal's Ctrl-C to the controller's group does not reach it.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  std::vector<std::string> args = {self_exe, "_watchdog", run_dir};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, self_exe.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (error != 0) return ErrnoError("cannot start the fault watchdog", error);
  return pid;
}

int RunWatchdog(const std::string& run_dir) {
  using namespace std::chrono_literals;
  const std::string run_id = run_dir.substr(run_dir.find_last_of('/') + 1);
  const std::string journal = run_dir + "/journal";
  for (;;) {
    if (!PathExists(journal)) return 0;
    if (RunIsLive(run_dir)) {
      std::this_thread::sleep_for(50ms);
      continue;
    }
    auto entries = ReadOutstanding(journal);
    if (!entries.ok()) return 1;
    std::int64_t next = std::numeric_limits<std::int64_t>::max();
    bool any = false;
    bool failed = false;
    for (const JournalEntry& entry : *entries) {
      if (entry.kind != kFaultJournalKind) continue;
      any = true;
      const std::int64_t expires = entry.data.value("expires_ns", std::int64_t{0});
      if (expires > BootNowNs()) {
        next = std::min(next, expires);
        continue;
      }
      if (UndoFaultRecord(run_id, entry.data).ok()) {
        (void)AppendRelease(journal, entry.seq);
      } else {
        failed = true;  // left journaled: `recover` reports why
      }
    }
    if (!any) return 0;
    if (failed && next == std::numeric_limits<std::int64_t>::max()) return 1;
    // Wake at the next expiry, and now and then in case `recover` took over meanwhile.
    const std::int64_t wait = std::clamp<std::int64_t>(next - BootNowNs(), 1'000'000, 100'000'000);
    std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
  }
}

}  // namespace faultline::chaos
