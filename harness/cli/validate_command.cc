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
  if (WantsHelp(args, kHelp)) return 0;
  if (args.size() != 1) return UsageError("validate", "expected exactly one SCENARIO", kHelp);
  auto scenario = scenario::LoadScenarioFile(args[0]);
  if (!scenario.ok()) {
    std::fprintf(stderr, "%s\n", scenario.error().message.c_str());
    return 2;
  }
  std::printf("%s: valid (scenario '%s', %zu target(s), %zu step(s), %u repetition(s))\n",
              args[0].c_str(), scenario->name.c_str(), scenario->targets.size(),
              scenario->steps.size(), scenario->repetitions);
  return 0;
}

}  // namespace faultline::cli
