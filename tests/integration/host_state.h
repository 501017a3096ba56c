// Test helpers: what faultline has left on this host, looked at from outside, and a way to
// run the faultline binary as a separate process.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "tests/require.h"

namespace faultline::testing {

// Everything under STATE_ROOT's runs/, clusters/ and subnets/, fl-* network namespaces,
// faultline cgroups and systemd units (the systemd cgroup driver's slices and scopes), live
// processes in faultline cgroups or naming a path below STATE_ROOT (daemons; the fault
// watchdog excepted: it removes itself), and mounts below STATE_ROOT.
// Empty means clean.
std::vector<std::string> Leftovers(const std::string& state_root);

// The host's directories that platforms share whatever their configuration says, as they are
// now: whether /run/containerd and /var/lib/containers exist, and what /run/containerd/s holds
// (the sockets of every containerd's shims). A test compares it before and after.
std::vector<std::string> SharedPlatformDirs();

// Skips the current test (FL_SKIP_LACKING root) unless running as root with RUNTIME installed.
#define FL_REQUIRE_ROOT_RUNTIME(runtime)                                       \
  do {                                                                         \
    std::string fl_missing = ::faultline::testing::MissingCapability(runtime); \
    if (!fl_missing.empty()) FL_SKIP_LACKING("root", fl_missing);              \
  } while (0)
std::string MissingCapability(const std::string& runtime);

struct Spawned {
  pid_t pid = -1;
  std::string output_path;  // stdout+stderr
};
using Env = std::vector<std::pair<std::string, std::string>>;
// Starts the faultline binary with ARGS, FAULTLINE_STATE_DIR=STATE_ROOT and ENV.
Spawned SpawnFaultline(const std::vector<std::string>& args, const std::string& state_root,
                       const std::string& output_path, const Env& env = {});
// Waits for PID; returns its exit code, or 128+signal.
int WaitExit(pid_t pid, int timeout_seconds);
// Runs to completion and returns {exit code, output}.
std::pair<int, std::string> RunFaultline(const std::vector<std::string>& args,
                                         const std::string& state_root, const Env& env = {});
std::string TempDir(const std::string& tag);
std::string Slurp(const std::string& path);

// The value of field NAME in /proc/PID/status ("Seccomp" -> "2"); empty when absent.
std::string ProcStatusField(pid_t pid, const std::string& name);
// CapEff of a root process with Docker's and containerd's default capability set.
inline constexpr const char* kDefaultCapEff = "00000000a80425fb";
// What security: default gives a container's init: that set, and a seccomp filter (mode 2).
#define FL_EXPECT_DEFAULT_CONFINEMENT(pid)                                 \
  do {                                                                     \
    EXPECT_EQ(::faultline::testing::ProcStatusField(pid, "Seccomp"), "2"); \
    EXPECT_EQ(::faultline::testing::ProcStatusField(pid, "CapEff"),        \
              ::faultline::testing::kDefaultCapEff);                       \
  } while (0)

}  // namespace faultline::testing
