// `faultline cluster up|status|down`: a virtual cluster that outlives one run. Its journal,
// id and state live in <state root>/clusters/<name>/; `run --cluster NAME` uses it.
#include <dirent.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstdio>
#include <random>

#include "harness/cli/commands.h"
#include "harness/cluster/node_cgroup.h"
#include "harness/cluster/resources.h"
#include "harness/cluster/virtual/virtual_cluster.h"
#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/host.h"
#include "harness/core/journal.h"
#include "harness/runner/recover.h"

namespace faultline::cli {
namespace {

constexpr const char* kHelp =
    R"(usage: faultline cluster up|status|down [--name NAME] [--nodes N] [--cpus C] [--memory M]
                                          [--cgroup-driver cgroupfs|systemd]

  up       build a virtual cluster of N nodes (default 3) on this host that stays up until
           `cluster down`: network namespaces on a private bridge, addresses in 198.18.0.0/15,
           a cgroup per node limited to C CPUs and M memory (e.g. 512Mi) when given; with
           the systemd cgroup driver each node is a transient systemd slice (for scenarios
           whose cluster.cgroup_driver is systemd)
  status   nodes, addresses, cgroup limits and containers per node (every cluster without --name)
  down     remove the cluster (refused while a run uses it)
NAME defaults to "default". `faultline run --cluster NAME SCENARIO` runs on it.
Exit 0 on success, 2 for bad usage, 3 when the host cannot build it, 4 when removal failed.
)";

std::string NewId() {
  std::random_device random;
  char id[16];
  std::snprintf(id, sizeof id, "%08x", static_cast<unsigned>(random()));
  return id;
}

int Up(const ClusterArguments& options) {
  if (geteuid() != 0) {
    std::fprintf(stderr, "faultline cluster up: needs root (network namespaces, cgroups)\n");
    return 3;
  }
  const std::string id = NewId();
  auto journal = Journal::OpenIn(ClustersDir(), options.name, id);
  if (!journal.ok()) {
    std::fprintf(stderr, "faultline cluster up: %s\n",
                 journal.error().code == ErrorCode::kUnavailable
                     ? ("cluster '" + options.name + "' exists already").c_str()
                     : journal.error().ToString().c_str());
    return journal.error().code == ErrorCode::kUnavailable ? 2 : 4;
  }
  const std::string dir = (*journal)->run_dir();
  // The id first: recover needs it to judge every later entry.
  Status recorded = WriteFileAtomic(dir + "/id", id);
  const std::string cgroup_root = "faultline/" + id;
  std::uint64_t root_seq = 0;
  if (recorded.ok()) {
    auto seq = (*journal)->Acquire(journal_kind::kCgroup, {{"path", cgroup_root}});
    if (seq.ok())
      root_seq = *seq;
    else
      recorded = std::move(seq).error();
  }
  std::unique_ptr<cluster::VirtualCluster> built;
  if (recorded.ok()) {
    auto created = cluster::VirtualCluster::Create(
        id,
        {options.nodes,
         {options.cpus, options.memory_bytes},
         options.systemd_cgroups ? cluster::CgroupDriver::kSystemd
                                 : cluster::CgroupDriver::kCgroupfs},
        **journal);
    if (created.ok())
      built = std::move(*created);
    else
      recorded = std::move(created).error();
  }
  if (recorded.ok()) recorded = WriteFileAtomic(dir + "/state.json", built->Describe().dump(2));
  if (recorded.ok()) recorded = WriteFileAtomic(dir + "/ready", "");
  if (!recorded.ok()) {
    built.reset();  // tears down what was built
    if (root_seq && RemoveCgroupTree(cgroup_root).ok()) (*journal)->Release(root_seq);
    RemoveFaultlineCgroupIfEmpty();
    (void)(*journal)->Close();
    std::fprintf(stderr, "faultline cluster up: %s\n", recorded.error().ToString().c_str());
    return ExitCodeFor(recorded.error());
  }
  built->KeepStanding();
  std::printf("cluster %s (fl-%s) is up: %zu nodes in %s\n", options.name.c_str(), id.c_str(),
              built->nodes().size(), built->subnet().c_str());
  for (const auto& node : built->nodes()) {
    std::printf("  %-8s %-15s %s\n", node.name.c_str(), node.address.c_str(), node.netns.c_str());
  }
  return 0;  // the journal's lock goes with this process; the ready mark keeps it standing
}

int Status(const ClusterArguments& options, bool all) {
  std::vector<std::string> names;
  if (all) {
    if (DIR* d = opendir(ClustersDir().c_str())) {
      while (dirent* entry = readdir(d)) {
        if (entry->d_name[0] != '.') names.push_back(entry->d_name);
      }
      closedir(d);
    }
    if (names.empty()) std::printf("no standing clusters\n");
  } else {
    names.push_back(options.name);
  }
  int code = 0;
  for (const auto& name : names) {
    const std::string dir = ClustersDir() + "/" + name;
    auto text = ReadFile(dir + "/state.json");
    auto state = text.ok() ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
    if (!text.ok() || state.is_discarded() || !PathExists(dir + "/ready")) {
      std::printf("cluster %s: not up%s\n", name.c_str(),
                  PathExists(dir) ? " (half built: `faultline recover` removes it)" : "");
      code = 1;
      continue;
    }
    auto attached = cluster::VirtualCluster::Attach(state);
    std::printf("cluster %s (fl-%s): %s\n", name.c_str(), state.value("id", "").c_str(),
                state.value("subnet", "").c_str());
    if (!attached.ok()) {
      std::printf("  broken: %s\n", attached.error().ToString().c_str());
      code = 1;
      continue;
    }
    for (const auto& node : (*attached)->nodes()) {
      const cluster::NodeLimits limits = cluster::ReadNodeLimits(node.cgroup);
      std::vector<std::string> containers;
      const std::string cgroup_dir = MemoryCgroupDir(node.cgroup);
      if (DIR* d = opendir(cgroup_dir.c_str())) {
        while (dirent* entry = readdir(d)) {
          if (entry->d_type == DT_DIR && entry->d_name[0] != '.')
            containers.push_back(entry->d_name);
        }
        closedir(d);
      }
      char cpus[32] = "unlimited", memory[32] = "unlimited";
      if (limits.cpus) std::snprintf(cpus, sizeof cpus, "%.3g", *limits.cpus);
      if (limits.memory_bytes) {
        std::snprintf(memory, sizeof memory, "%.0fMi", *limits.memory_bytes / 1048576.0);
      }
      std::printf("  %-8s %-15s cpus %-9s memory %-9s containers %zu  cgroup %s\n",
                  node.name.c_str(), node.address.c_str(), cpus, memory, containers.size(),
                  node.cgroup.c_str());
      for (const auto& container : containers) std::printf("      %s\n", container.c_str());
    }
  }
  return code;
}

int Down(const ClusterArguments& options) {
  runner::RecoverReport report;
  ::faultline::Status removed = runner::RemoveStandingCluster(options.name, SelfExe(), report);
  for (const auto& line : report.undone) std::printf("removed %s\n", line.c_str());
  for (const auto& line : report.failures) std::fprintf(stderr, "FAILED %s\n", line.c_str());
  if (!removed.ok()) {
    std::fprintf(stderr, "faultline cluster down: %s\n", removed.error().ToString().c_str());
    return removed.error().code == ErrorCode::kNotFound ? 2 : 4;
  }
  std::printf("cluster %s is down\n", options.name.c_str());
  return 0;
}

}  // namespace

int ClusterCommand(const Args& args) {
  auto parsed = ParseClusterArguments(args);
  if (!parsed.ok()) return UsageError("cluster", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  const ClusterArguments& options = **parsed;
  switch (options.verb) {
    case ClusterVerb::kUp: return Up(options);
    case ClusterVerb::kStatus: return Status(options, !options.named);
    case ClusterVerb::kDown: return Down(options);
  }
  return 2;  // not reached: every subcommand is handled above
}

}  // namespace faultline::cli
