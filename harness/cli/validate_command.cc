#include <cstdio>

#include "harness/cli/commands.h"
#include "harness/scenario/loader.h"

namespace faultline::cli {
namespace {
constexpr const char* kHelp = R"(usage: faultline validate SCENARIO

Checks SCENARIO (YAML or JSON) against the published schema (scenarios/schema.json) and the
rules the schema cannot express. Prints every error as FILE:LINE:COLUMN: FIELD: MESSAGE.
Exit 0 when valid, 2 otherwise.
)";
}  // namespace

int ValidateCommand(const Args& args) {
  auto parsed = ParseValidateArguments(args);
  if (!parsed.ok()) return UsageError("validate", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  const std::string& path = (*parsed)->scenario;
  auto scenario = scenario::LoadScenarioFile(path);
  if (!scenario.ok()) {
    std::fprintf(stderr, "%s\n", scenario.error().message.c_str());
    return 2;
  }
  std::printf("%s: valid (scenario '%s', %zu target(s), %zu step(s), %u repetition(s))\n",
              path.c_str(), scenario->name.c_str(), scenario->targets.size(),
              scenario->steps.size(), scenario->repetitions);
  return 0;
}

}  // namespace faultline::cli
