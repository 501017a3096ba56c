// faultline _node-exec: runs a program inside a node (its network namespace and a cgroup below
// the node's), for the platform daemons a driver starts per node.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "harness/cli/commands.h"
#include "harness/cluster/node_cgroup.h"

namespace faultline::cli {
namespace {

constexpr const char* kHelp =
    R"(usage: faultline _node-exec --cgroup REL [--netns PATH] [--env NAME=VALUE]...
                           [--private-mount SRC:DST... | --mount-ns PATH] -- PROGRAM [ARGS...]

Internal. Moves itself into the cgroup REL (created if needed) and the network namespace PATH
(none: the host's), sets the environment variables given, then executes PROGRAM in place: a
daemon keeps this process's pid. --private-mount gives it a mount namespace of its own (a
slave of the current one) with each SRC bound over its DST; --mount-ns joins the mount namespace at
PATH (/proc/PID/ns/mnt of such a process).
)";

// A mount namespace of its own in which each SRC covers its DST: what the program writes to DST
// stays in SRC, and the host's DST is neither read nor written.
Status PrivateMounts(const std::vector<std::string>& binds) {
  if (unshare(CLONE_NEWNS) != 0) return ErrnoError("cannot unshare the mount namespace", errno);
  if (mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
    return ErrnoError("cannot make / a slave mount", errno);
  }
  for (const std::string& bind : binds) {
    const auto colon = bind.find(':');
    if (colon == std::string::npos) return InvalidArgument("--private-mount needs SRC:DST");
    const std::string src = bind.substr(0, colon), dst = bind.substr(colon + 1);
    if (mount(src.c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      return ErrnoError("cannot bind " + src + " over " + dst, errno);
    }
  }
  return OkStatus();
}

Status JoinMountNamespace(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open " + path, errno);
  const int joined = setns(fd, CLONE_NEWNS);
  const int error = errno;
  close(fd);
  if (joined != 0) return ErrnoError("cannot join the mount namespace " + path, error);
  return OkStatus();
}

}  // namespace

int NodeExecCommand(const Args& args) {
  auto parsed = ParseNodeExecArguments(args);
  if (!parsed.ok()) return UsageError("_node-exec", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  const NodeExecArguments& arguments = **parsed;
  Status mounts = !arguments.private_mounts.empty() ? PrivateMounts(arguments.private_mounts)
                  : !arguments.mount_ns.empty()     ? JoinMountNamespace(arguments.mount_ns)
                                                    : OkStatus();
  if (!mounts.ok()) {
    std::fprintf(stderr, "faultline _node-exec: %s\n", mounts.error().ToString().c_str());
    return 3;
  }
  if (Status entered = cluster::EnterNode(arguments.netns, arguments.cgroup); !entered.ok()) {
    std::fprintf(stderr, "faultline _node-exec: %s\n", entered.error().ToString().c_str());
    return 3;
  }
  for (const auto& assignment : arguments.env) {
    const auto eq = assignment.find('=');
    setenv(assignment.substr(0, eq).c_str(), assignment.substr(eq + 1).c_str(), 1);
  }
  std::vector<char*> argv;
  for (const auto& arg : arguments.program) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::fprintf(stderr, "faultline _node-exec: cannot execute %s: %s\n", argv[0],
               std::strerror(errno));
  return 3;
}

}  // namespace faultline::cli
