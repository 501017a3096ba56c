#include "tests/integration/host_state.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/process.h"
#include "harness/core/systemd.h"

namespace faultline::testing {
namespace {

std::vector<std::string> ListDir(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = opendir(path.c_str());
  if (!dir) return names;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') names.push_back(entry->d_name);
  }
  closedir(dir);
  return names;
}

}  // namespace

std::vector<std::string> SharedPlatformDirs() {
  std::vector<std::string> found;
  // Not /run/netns itself: iproute2 makes it (a shared mount) the first time any named network
  // namespace is added, a virtual node's too, and keeps it; what counts is what is left in it.
  for (const char* dir :
       {"/run/containerd", "/run/containerd/s", "/var/lib/containers", "/var/lib/cni"}) {
    if (PathExists(dir)) found.push_back(dir);
  }
  for (const auto& socket : ListDir("/run/containerd/s")) found.push_back("shim socket " + socket);
  // A pod network's state: the CNI plugins' results and leases, pod network namespaces.
  for (const auto& entry : ListDir("/var/lib/cni")) found.push_back("cni state " + entry);
  for (const auto& netns : ListDir("/var/run/netns")) {
    if (netns.rfind("cni-", 0) == 0) found.push_back("pod netns " + netns);
  }
  return found;
}

std::vector<std::string> Leftovers(const std::string& state_root) {
  std::vector<std::string> found;
  for (const auto& run : ListDir(state_root + "/runs")) found.push_back("run dir " + run);
  for (const auto& name : ListDir(state_root + "/clusters")) found.push_back("cluster " + name);
  for (const auto& lease : ListDir(state_root + "/subnets")) found.push_back("subnet " + lease);
  for (const auto& root : ListDir(state_root + "/r")) found.push_back("run root " + root);
  // Named network namespaces of nodes and bridges (`ip netns` keeps them in /run/netns).
  for (const auto& netns : ListDir("/run/netns")) {
    if (netns.rfind("fl-", 0) == 0) found.push_back("netns " + netns);
  }
  for (const auto& root : CgroupHierarchies()) {
    if (PathExists(root + "/faultline")) found.push_back("cgroup " + root + "/faultline");
    // The slices of the systemd cgroup driver, one per run or cluster at the root.
    for (const auto& name : ListDir(root)) {
      if (name.rfind("faultline_", 0) == 0) found.push_back("cgroup " + root + "/" + name);
    }
  }
  // Units of the systemd cgroup driver: the slices, and the scopes systemd made in them.
  if (SystemdIsInit()) {
    auto units = RunForOutput({"systemctl", "list-units", "--all", "--plain", "--no-legend",
                               "faultline_*", "faultline-fl-*"});
    if (!units.ok()) found.push_back("systemctl failed: " + units.error().ToString());
    std::istringstream lines(units.ok() ? *units : "");
    for (std::string line; std::getline(lines, line);) found.push_back("unit " + line);
  }
  for (const auto& pid : ListDir("/proc")) {
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cgroups = Slurp("/proc/" + pid + "/cgroup");
    std::string stat = Slurp("/proc/" + pid + "/stat");
    // Zombies are already dead; only a reaper can remove them.
    auto state_at = stat.rfind(')');
    bool zombie =
        state_at != std::string::npos && stat.size() > state_at + 2 && stat[state_at + 2] == 'Z';
    if (!zombie && (cgroups.find(":/faultline/") != std::string::npos ||
                    cgroups.find(":/faultline_") != std::string::npos)) {
      found.push_back("process " + pid + " in a faultline cgroup");
    }
    // A daemon started for a run names its private directories below the state root.
    std::string cmdline = Slurp("/proc/" + pid + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (!zombie && cmdline.find(state_root + "/") != std::string::npos &&
        cmdline.find("_watchdog") == std::string::npos) {
      found.push_back("process " + pid + ": " + cmdline);
    }
  }
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    if (line.find(state_root + "/") != std::string::npos) found.push_back("mount " + line);
  }
  return found;
}

std::string MissingCapability(const std::string& runtime) {
  if (geteuid() != 0) return "not root";
  if (FindExecutable(runtime).empty()) return runtime + " not installed";
  if (DetectCgroupMode() == CgroupMode::kNone) return "no cgroups";
  return "";
}

Spawned SpawnFaultline(const std::vector<std::string>& args, const std::string& state_root,
                       const std::string& output_path, const Env& env) {
  Spawned spawned;
  spawned.output_path = output_path;
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    setenv("FAULTLINE_STATE_DIR", state_root.c_str(), 1);
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    std::string binary = FAULTLINE_BINARY;
    argv.push_back(binary.data());
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  spawned.pid = pid;
  return spawned;
}

int WaitExit(pid_t pid, int timeout_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  for (;;) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::pair<int, std::string> RunFaultline(const std::vector<std::string>& args,
                                         const std::string& state_root, const Env& env) {
  const std::string dir = TempDir("out");
  Spawned spawned = SpawnFaultline(args, state_root, dir + "/output.txt", env);
  int code = WaitExit(spawned.pid, 600);
  std::string output = Slurp(dir + "/output.txt");
  (void)RemoveTree(dir);
  return {code, output};
}

std::string TempDir(const std::string& tag) {
  std::string pattern = "/tmp/fl-test-" + tag + "-XXXXXX";
  char* made = mkdtemp(pattern.data());
  return made ? std::string(made) : std::string();
}

std::string Slurp(const std::string& path) {
  auto text = ReadFile(path);
  return text.ok() ? *text : std::string();
}

std::string ProcStatusField(pid_t pid, const std::string& name) {
  const std::string status = Slurp("/proc/" + std::to_string(pid) + "/status");
  const std::string key = "\n" + name + ":";
  const auto at = status.find(key);
  if (at == std::string::npos) return "";
  const auto from = status.find_first_not_of(" \t", at + key.size());
  return status.substr(from, status.find('\n', from) - from);
}

}  // namespace faultline::testing
