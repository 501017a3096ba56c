#include "chaos/watchdog.h"
#include "harness/cli/commands.h"

namespace faultline::cli {

constexpr const char* kHelp = R"(usage: faultline _watchdog RUN_DIR

Internal: started by `faultline run` when a scenario has faults. Once the run's controller is
gone, reverts each fault still in RUN_DIR's journal when its TTL passes, then exits.
)";

int WatchdogCommand(const Args& args) {
  if (WantsHelp(args, kHelp)) return 0;
  if (args.size() != 1) return UsageError("_watchdog", "expected RUN_DIR", kHelp);
  return chaos::RunWatchdog(args[0]);
}

}  // namespace faultline::cli
