#include <cstdio>

#include "harness/cli/commands.h"
#include "harness/core/journal.h"
#include "harness/runner/recover.h"

namespace faultline::cli {
namespace {
constexpr const char* kHelp = R"(usage: faultline recover

Reads the journals of earlier runs under the state directory ($FAULTLINE_STATE_DIR, default
/run/faultline) and removes everything a run that is no longer alive left behind: containers,
rootfs mounts, cgroups, directories. Runs whose controller is still alive are left alone.
Exit 0 when everything was removed, 1 when something could not be.
)";
}  // namespace

int RecoverCommand(const Args& args) {
  auto parsed = ParseRecoverArguments(args);
  if (!parsed.ok()) return UsageError("recover", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  runner::RecoverReport report = runner::Recover(SelfExe());
  for (const auto& line : report.undone) std::printf("removed %s\n", line.c_str());
  for (const auto& line : report.failures) std::fprintf(stderr, "FAILED %s\n", line.c_str());
  std::printf("recover: %d run(s) cleaned, %d live run(s) left alone, %zu failure(s)\n",
              report.runs_recovered, report.runs_live, report.failures.size());
  return report.failures.empty() ? 0 : 1;
}

}  // namespace faultline::cli
