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
  if (WantsHelp(args, kHelp)) return 0;
  if (args.size() < 2 || args[0] != "--")
    return UsageError("v1-exec", "expected -- PROGRAM", kHelp);
  Status entered = EnterPrivateV1CgroupView();
  if (!entered.ok()) {
    std::fprintf(stderr, "faultline v1-exec: %s\n", entered.error().ToString().c_str());
    return 3;
  }
  std::vector<char*> argv;
  for (size_t i = 1; i < args.size(); ++i) argv.push_back(const_cast<char*>(args[i].c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::perror(("faultline v1-exec: " + args[1]).c_str());
  return 3;
}

}  // namespace faultline::cli
