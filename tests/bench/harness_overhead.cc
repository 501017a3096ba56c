// Harness overhead on the measured path: the runtime call a start's latency spans (`runc run
// --detach`, what `via: run` issues), timed through faultline's one spawn path (RunProcess, as
// the oci driver calls it) and through a raw posix_spawn + waitpid, on the same containers:
// identical bundles (faultline's own config.json, the same busybox rootfs), identical argv,
// stdio to a file in both. Containers alternate between the two paths one by one (A B B A ...)
// in rounds; each round gives the ratio of the two medians, and the result is the median of
// those ratios (drift of the host between rounds cancels).
//
// usage: harness_overhead WORK_DIR [ROUNDS=20] [PER_ROUND=20] [RUNTIME=runc]
// Root. Prints each path's median, the ratio of medians, the median of per-round ratios and the
// host's load average before and after. Removes every container and bundle it made.
#include <fcntl.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "harness/core/files.h"
#include "harness/core/host.h"
#include "harness/core/process.h"
#include "harness/drivers/oci/oci_spec.h"
#include "harness/measure/summary.h"

extern char** environ;

namespace {

using faultline::BootNowNs;

double Median(const std::vector<double>& v) {
  return faultline::measure::Summarize(v).p50;
}

double LoadAverage() {
  return faultline::ReadHostLoad().load_average_1m;
}

// The raw path: posix_spawn with stdout and stderr to LOG, waitpid. Milliseconds, or -1.
double RawSpawn(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const std::int64_t start = BootNowNs();
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  const std::int64_t end = BootNowNs();
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? (end - start) / 1e6 : -1;
}

// faultline's path, as the oci driver calls it for `run --detach`. Milliseconds, or -1.
double HarnessSpawn(const std::vector<std::string>& argv, const std::string& log) {
  auto outcome = faultline::RunProcess({argv, std::chrono::seconds(30), log});
  if (!outcome.ok() || !outcome->ok()) return -1;
  return (outcome->end_ns - outcome->start_ns) / 1e6;
}

// Reaps the container init named in PID_FILE once `true` has exited (up to 5 s).
void ReapInit(const std::string& pid_file) {
  auto text = faultline::ReadFile(pid_file);
  if (!text.ok()) return;
  const pid_t pid = static_cast<pid_t>(std::strtol(text->c_str(), nullptr, 10));
  for (int i = 0; pid > 0 && i < 500; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    usleep(10'000);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: harness_overhead WORK_DIR [ROUNDS] [PER_ROUND] [RUNTIME]\n");
    return 2;
  }
  const std::string work = argv[1];
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  const int per_round = argc > 3 ? std::atoi(argv[3]) : 20;
  const std::string runtime = faultline::FindExecutable(argc > 4 ? argv[4] : "runc");
  const std::string busybox = "/bin/busybox";
  if (runtime.empty() || !faultline::PathExists(busybox)) {
    std::fprintf(stderr, "needs the runtime and busybox-static\n");
    return 3;
  }
  // The containers' inits outlive the detached runtime call and are adopted here; they are
  // reaped below between calls (faultline's reaper thread would also reap the raw path's child).
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) return 4;
  const std::string state = work + "/state";
  if (!faultline::MakeDirs(state).ok()) return 4;
  if (!faultline::RunForOutput({"cp", busybox, work + "/busybox"}).ok()) return 4;

  // The confinement faultline gives its containers by default.
  auto security =
      faultline::drivers::oci::LoadContainerSecurity(faultline::scenario::Security::kDefault);
  if (!security.ok()) {
    std::fprintf(stderr, "%s\n", security.error().ToString().c_str());
    return 4;
  }
  std::printf("load average before: %.2f\n", LoadAverage());
  std::vector<double> raw_all, harness_all, ratios;
  int failed = 0, index = 0;
  for (int round = 0; round < rounds; ++round) {
    std::vector<double> raw, harness;
    for (int i = 0; i < per_round; ++i) {
      // A B B A: each path goes first in half of the pairs.
      for (const bool through_harness : {(i % 2) == 0, (i % 2) != 0}) {
        const std::string id =
            "fl-bench-" + std::to_string(getpid()) + "-" + std::to_string(index++);
        const std::string bundle = work + "/" + id;
        faultline::drivers::ContainerSpec spec;
        spec.id = id;
        spec.command = {"true"};
        auto config = faultline::drivers::oci::MakeRuntimeConfig(spec, "/" + id, *security);
        // The same rootfs in every bundle (the runtime takes no symlink): a hard link of one
        // busybox, the directories the config mounts on.
        const std::string rootfs = bundle + "/rootfs";
        for (const char* dir : {"/bin", "/proc", "/dev", "/sys"}) {
          if (!faultline::MakeDirs(rootfs + dir).ok()) return 4;
        }
        if (link((work + "/busybox").c_str(), (rootfs + "/bin/busybox").c_str()) != 0 ||
            symlink("busybox", (rootfs + "/bin/true").c_str()) != 0 ||
            !faultline::WriteFileAtomic(bundle + "/config.json", config.dump()).ok()) {
          return 4;
        }
        const std::vector<std::string> run = {runtime, "--root",     state,
                                              "run",   "--detach",   "--bundle",
                                              bundle,  "--pid-file", bundle + "/init.pid",
                                              id};
        const std::string log = bundle + "/runtime.log";
        const double ms = through_harness ? HarnessSpawn(run, log) : RawSpawn(run, log);
        ReapInit(bundle + "/init.pid");  // runc delete waits while a zombie init remains
        (void)faultline::RunForOutput({runtime, "--root", state, "delete", "--force", id});
        if (ms < 0) {
          auto said = faultline::ReadFile(log);
          std::fprintf(stderr, "%s failed: %s\n", id.c_str(), said.ok() ? said->c_str() : "");
        }
        (void)faultline::RemoveTree(bundle);
        if (ms < 0) {
          ++failed;
          continue;
        }
        (through_harness ? harness : raw).push_back(ms);
      }
    }
    if (raw.empty() || harness.empty()) continue;
    ratios.push_back(Median(harness) / Median(raw));
    raw_all.insert(raw_all.end(), raw.begin(), raw.end());
    harness_all.insert(harness_all.end(), harness.begin(), harness.end());
    std::printf("round %d: raw %.2f ms, harness %.2f ms, ratio %.3f\n", round + 1, Median(raw),
                Median(harness), ratios.back());
  }
  (void)faultline::RemoveTree(work);
  std::printf("load average after: %.2f\n", LoadAverage());
  std::printf("calls: %zu raw, %zu through the harness, %d failed\n", raw_all.size(),
              harness_all.size(), failed);
  std::printf("median raw %.2f ms, through the harness %.2f ms, ratio of medians %.3f\n",
              Median(raw_all), Median(harness_all), Median(harness_all) / Median(raw_all));
  std::printf("median of per-round ratios %.3f (min %.3f, max %.3f)\n", Median(ratios),
              ratios.empty() ? 0 : *std::min_element(ratios.begin(), ratios.end()),
              ratios.empty() ? 0 : *std::max_element(ratios.begin(), ratios.end()));
  return failed == 0 ? 0 : 1;
}
