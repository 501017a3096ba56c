#include "chaos/watchdog.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>

#include "chaos/registry.h"
#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"

namespace faultline::chaos {

Result<pid_t> StartWatchdog(const std::string& self_exe, const std::string& run_dir) {
  auto pid = StartDetached({self_exe, "_watchdog", run_dir}, "");
  if (!pid.ok()) return std::move(pid).error().With("cannot start the fault watchdog");
  return *pid;
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
