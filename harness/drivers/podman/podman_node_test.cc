#include "harness/drivers/podman/podman_node.h"

#include <gtest/gtest.h>

namespace faultline::drivers::podman {
namespace {

// Podman at debug or trace hands its containers' cleanup --syslog, which fails without
// /dev/log: refused then, with the reason; any other level, or a host with a syslog socket, is
// fine.
TEST(SyslogCleanupProblem, OnlyDebugOrTraceWithoutASyslogSocket) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--log-level=debug"}, {"--cgroup-manager=cgroupfs", "--log-level", "trace"}}) {
    const std::string problem = SyslogCleanupProblem(args, /*has_dev_log=*/false);
    EXPECT_NE(problem.find("gives its containers' cleanup --syslog, which fails on this host (no "
                           "/dev/log)"),
              std::string::npos)
        << problem;
    EXPECT_EQ(SyslogCleanupProblem(args, /*has_dev_log=*/true), "");
  }
  EXPECT_EQ(SyslogCleanupProblem({"--log-level=info"}, false), "");
  EXPECT_EQ(SyslogCleanupProblem({"--log-level"}, false), "");
  EXPECT_EQ(SyslogCleanupProblem({}, false), "");
}

}  // namespace
}  // namespace faultline::drivers::podman
