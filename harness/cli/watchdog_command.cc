#include "chaos/watchdog.h"
#include "harness/cli/commands.h"

namespace faultline::cli {

constexpr const char* kHelp = R"(usage: faultline _watchdog RUN_DIR

Internal: started by `faultline run` when a scenario has faults. Once the run's controller is
gone, reverts each fault still in RUN_DIR's journal when its TTL passes, then exits.
)";

int WatchdogCommand(const Args& args) {
  auto parsed = ParseWatchdogArguments(args);
  if (!parsed.ok()) return UsageError("_watchdog", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  return chaos::RunWatchdog((*parsed)->run_dir);
}

}  // namespace faultline::cli
