#include <unistd.h>

#include <cstdio>

#include "harness/cli/commands.h"
#include "harness/core/host.h"

namespace faultline::cli {
namespace {
constexpr const char* kHelp = R"(usage: faultline v1-exec -- PROGRAM [ARGS...]

Runs PROGRAM in a private mount namespace whose cgroup view is pure v1 (the cgroup2 mount at
/sys/fs/cgroup/unified removed), for runtimes that refuse hybrid cgroups (crun). Used by
`faultline recover`; `faultline run` enters the same view for the whole run instead.
)";
}  // namespace

int V1ExecCommand(const Args& args) {
  auto parsed = ParseV1ExecArguments(args);
  if (!parsed.ok()) return UsageError("v1-exec", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  const std::vector<std::string>& program = (*parsed)->program;
  Status entered = EnterPrivateV1CgroupView();
  if (!entered.ok()) {
    std::fprintf(stderr, "faultline v1-exec: %s\n", entered.error().ToString().c_str());
    return 3;
  }
  std::vector<char*> argv;
  for (const auto& arg : program) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::perror(("faultline v1-exec: " + program[0]).c_str());
  return 3;
}

}  // namespace faultline::cli
