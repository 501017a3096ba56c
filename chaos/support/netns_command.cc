#include "chaos/support/netns_command.h"

#include "harness/core/process.h"

namespace faultline::chaos {
namespace {

constexpr auto kToolTimeout = std::chrono::seconds(20);

std::string Joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) out += (out.empty() ? "" : " ") + arg;
  return out;
}

}  // namespace

std::vector<std::string> InNetns(const std::string& netns, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"nsenter", "--net=" + netns, "--"});
  return argv;
}

std::vector<std::string> InThrowawayNetns(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"unshare", "--net", "--"});
  return argv;
}

Status RunChecked(const std::vector<std::string>& argv) {
  FL_ASSIGN_OR_RETURN(ProcessOutcome outcome, RunProcess({argv, kToolTimeout, ""}));
  if (!outcome.ok()) return Unavailable("`" + Joined(argv) + "` " + outcome.Describe());
  return OkStatus();
}

Result<bool> RunSucceeds(const std::vector<std::string>& argv) {
  FL_ASSIGN_OR_RETURN(ProcessOutcome outcome, RunProcess({argv, kToolTimeout, ""}));
  if (outcome.timed_out) return Unavailable("`" + Joined(argv) + "` " + outcome.Describe());
  return outcome.ok();
}

}  // namespace faultline::chaos
