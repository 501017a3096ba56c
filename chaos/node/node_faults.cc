#include "chaos/node/node_faults.h"

#include <fcntl.h>
#include <unistd.h>

#include "chaos/support/helper_process.h"
#include "chaos/support/ownership.h"
#include "chaos/support/recorded_fault.h"
#include "harness/core/cgroup.h"
#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/process.h"

namespace faultline::chaos {
namespace {

constexpr auto kStressGrace = std::chrono::seconds(2);

bool IsRunLeaf(const std::string& run_id, const std::string& path) {
  return path.substr(path.rfind('/') + 1).rfind("fl-" + run_id + "-", 0) == 0;
}

class Stress : public NamedMechanism {
 public:
  explicit Stress(std::string kind)
      : NamedMechanism(std::move(kind), "stress-ng in the node cgroup") {}

  Status Probe() override {
    if (FindExecutable("stress-ng").empty())
      return FailedPrecondition("stress-ng is not installed");
    if (CgroupHierarchies().empty()) return FailedPrecondition("no cgroup hierarchy is mounted");
    FL_ASSIGN_OR_RETURN(ProcessOutcome version, RunProcess({{"stress-ng", "--version"}}));
    if (!version.ok()) return FailedPrecondition("stress-ng does not run: " + version.Describe());
    return OkStatus();
  }

  Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                              Journal& journal) override {
    if (params.nodes.empty()) return InvalidArgument("the fault names no nodes");
    if (kind_ == "node.memory_stress" && params.bytes == 0) {
      return InvalidArgument("memory stress needs a byte count");
    }
    std::int64_t timeout_seconds = 0;
    if (params.expires_ns > 0) {
      const std::int64_t left = params.expires_ns - BootNowNs();
      if (left <= 0) return InvalidArgument("the fault expired before it was injected");
      timeout_seconds = (left + 999'999'999) / 1'000'000'000;
    }
    const std::string tag = NewFaultTag(params.run_id, kind_ == "node.cpu_stress" ? "cpu" : "mem");
    std::vector<std::string> cgroups;
    for (const auto& node : params.nodes) {
      if (!IsRunCgroup(params.run_id, node.cgroup)) {
        return InvalidArgument("node " + node.name + ": cgroup " + node.cgroup +
                               " is not one of run " + params.run_id);
      }
      cgroups.push_back(node.cgroup + "/" + tag);
    }
    const auto argv = StressArgv(kind_, std::max<std::uint32_t>(params.workers, 1), params.bytes,
                                 timeout_seconds);
    return InjectRecorded(
        params, journal, mechanism_, {{"type", "stress_cgroup"}, {"cgroups", cgroups}},
        UndoNodeRecord, [&](std::vector<HelperProcess>& helpers) -> Status {
          for (const auto& rel : cgroups) {
            FL_RETURN_IF_ERROR(CreateChildCgroup(rel));
            FL_ASSIGN_OR_RETURN(HelperProcess helper, StartHelper({argv, rel, Nanos(0)}));
            helpers.push_back(std::move(helper));
          }
          return OkStatus();
        });
  }
};

// The nearest existing directory at or above PATH.
std::string ExistingAncestor(std::string path) {
  while (!path.empty() && !PathExists(path)) path = path.substr(0, path.rfind('/'));
  return path.empty() ? "/" : path;
}

class DiskFill : public NamedMechanism {
 public:
  DiskFill() : NamedMechanism("node.disk_fill", "fallocate in the run's state directory") {}

  Status Probe() override {
    // An unnamed file: it never appears and vanishes on close.
    const std::string dir = ExistingAncestor(StateRoot());
    const int fd = open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
      return FailedPrecondition("cannot create a file in " + dir + ": " + strerror(errno));
    const int rc = fallocate(fd, 0, 0, 4096);
    const int saved = errno;
    close(fd);
    if (rc != 0) return FailedPrecondition("fallocate fails in " + dir + ": " + strerror(saved));
    return OkStatus();
  }

  Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                              Journal& journal) override {
    if (params.nodes.empty()) return InvalidArgument("the fault names no nodes");
    if (params.bytes == 0) return InvalidArgument("disk fill needs a byte count");
    const std::string tag = NewFaultTag(params.run_id, "fill");
    std::vector<std::string> paths;
    for (const auto& node : params.nodes) {
      if (!IsLinkName(node.name)) return InvalidArgument("bad node name '" + node.name + "'");
      paths.push_back(journal.run_dir() + "/" + tag + "-" + node.name);
    }
    return InjectRecorded(params, journal, mechanism_, {{"type", "fill_file"}, {"paths", paths}},
                          UndoNodeRecord, [&](std::vector<HelperProcess>&) -> Status {
                            for (const auto& path : paths)
                              FL_RETURN_IF_ERROR(Fill(path, params.bytes));
                            return OkStatus();
                          });
  }

 private:
  static Status Fill(const std::string& path, std::uint64_t bytes) {
    const int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return ErrnoError("cannot create " + path, errno);
    const int rc = fallocate(fd, 0, 0, static_cast<off_t>(bytes));
    const int saved = errno;
    close(fd);
    if (rc != 0)
      return ErrnoError("cannot allocate " + std::to_string(bytes) + " bytes for " + path, saved);
    return OkStatus();
  }
};

Status UndoFill(const std::string& run_id, const nlohmann::json& undo) {
  std::vector<std::string> paths;
  try {
    paths = undo.at("paths").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed disk fill record: ") + e.what());
  }
  const std::string dir = RunsDir() + "/" + run_id + "/";
  for (const auto& path : paths) {
    const std::string name = path.substr(std::min(path.size(), dir.size()));
    if (path.rfind(dir, 0) != 0 || name.find('/') != std::string::npos ||
        !IsRunLeaf(run_id, name)) {
      return InvalidArgument("file " + path + " not owned by run " + run_id);
    }
  }
  for (const auto& path : paths) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT)
      return ErrnoError("cannot remove " + path, errno);
  }
  return OkStatus();
}

Status UndoStress(const std::string& run_id, const nlohmann::json& undo) {
  std::vector<std::string> cgroups;
  try {
    cgroups = undo.at("cgroups").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed stress record: ") + e.what());
  }
  for (const auto& rel : cgroups) {
    if (!IsRunCgroup(run_id, rel) || !IsRunLeaf(run_id, rel)) {
      return InvalidArgument("stress cgroup " + rel + " not owned by run " + run_id);
    }
  }
  Status first = OkStatus();
  for (const auto& rel : cgroups) {
    Status stopped = StopHelperCgroup(rel, kStressGrace);
    if (!stopped.ok() && first.ok()) first = std::move(stopped);
  }
  return first;
}

}  // namespace

std::vector<std::string> StressArgv(const std::string& kind, std::uint32_t workers,
                                    std::uint64_t bytes, std::int64_t timeout_seconds) {
  std::vector<std::string> argv = {"stress-ng", "--quiet"};
  if (kind == "node.memory_stress") {
    argv.insert(argv.end(),
                {"--vm", std::to_string(workers), "--vm-bytes",
                 std::to_string(std::max<std::uint64_t>(bytes / workers, 4096)), "--vm-keep"});
  } else {
    argv.insert(argv.end(), {"--cpu", std::to_string(workers)});
  }
  // The fault's own deadline, as a second safety net should every revert path fail.
  if (timeout_seconds > 0)
    argv.insert(argv.end(), {"--timeout", std::to_string(timeout_seconds) + "s"});
  return argv;
}

std::unique_ptr<FaultMechanism> MakeCpuStressMechanism() {
  return std::make_unique<Stress>("node.cpu_stress");
}

std::unique_ptr<FaultMechanism> MakeMemoryStressMechanism() {
  return std::make_unique<Stress>("node.memory_stress");
}

std::unique_ptr<FaultMechanism> MakeDiskFillMechanism() {
  return std::make_unique<DiskFill>();
}

Status UndoNodeRecord(const std::string& run_id, const nlohmann::json& data) {
  std::string type;
  FL_ASSIGN_OR_RETURN(nlohmann::json undo, UndoSection(data, &type));
  if (type == "stress_cgroup") return UndoStress(run_id, undo);
  if (type == "fill_file") return UndoFill(run_id, undo);
  return NotFound("not a node stress record (undo type '" + type + "')");
}

}  // namespace faultline::chaos
