// faultline _node-exec: runs a program inside a node (its network namespace and a cgroup below
// the node's), for the platform daemons a driver starts per node.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "harness/cli/commands.h"
#include "harness/cluster/node_cgroup.h"

namespace faultline::cli {
namespace {

constexpr const char* kHelp =
    R"(usage: faultline _node-exec --cgroup REL [--netns PATH] -- PROGRAM [ARGS...]

Internal. Moves itself into the cgroup REL (created if needed) and the network namespace PATH
(none: the host's), then executes PROGRAM in place: the daemon keeps this process's pid, which
the run journals.
)";

}  // namespace

int NodeExecCommand(const Args& args) {
  if (WantsHelp(args, kHelp)) return 0;
  std::string netns, cgroup;
  std::size_t i = 0;
  for (; i < args.size() && args[i] != "--"; i += 2) {
    if (i + 1 == args.size()) return UsageError("_node-exec", args[i] + " needs a value", kHelp);
    if (args[i] == "--netns") {
      netns = args[i + 1];
    } else if (args[i] == "--cgroup") {
      cgroup = args[i + 1];
    } else {
      return UsageError("_node-exec", "unknown option '" + args[i] + "'", kHelp);
    }
  }
  if (cgroup.empty()) return UsageError("_node-exec", "--cgroup is required", kHelp);
  if (i + 1 >= args.size()) return UsageError("_node-exec", "no PROGRAM after --", kHelp);
  if (Status entered = cluster::EnterNode(netns, cgroup); !entered.ok()) {
    std::fprintf(stderr, "faultline _node-exec: %s\n", entered.error().ToString().c_str());
    return 3;
  }
  std::vector<char*> argv;
  for (std::size_t a = i + 1; a < args.size(); ++a)
    argv.push_back(const_cast<char*>(args[a].c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::fprintf(stderr, "faultline _node-exec: cannot execute %s: %s\n", argv[0],
               std::strerror(errno));
  return 3;
}

}  // namespace faultline::cli
