#include "chaos/container_faults.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "chaos/cgroup_control.h"
#include "chaos/fault_journal.h"
#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/process.h"

namespace faultline::chaos {
namespace {

using namespace std::chrono_literals;

Status CheckOwned(const std::string& run_id, const std::string& id, const std::string& cgroup) {
  if (id.rfind("fl-" + run_id + "-", 0) != 0 || !OwnedByRun(cgroup, run_id)) {
    return InvalidArgument("refusing to touch container " + id + " (cgroup " + cgroup +
                           "): not run " + run_id + "'s");
  }
  return OkStatus();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// /proc/PID/stat's start time: tells a process from a later one with the same pid; 0 if gone.
std::uint64_t StartTime(pid_t pid) {
  auto ticks = ProcessStartTime(pid);
  return ticks.ok() ? *ticks : 0;
}

class ContainerMechanism : public FaultMechanism {
 public:
  ContainerMechanism(std::string kind, std::string mechanism)
      : kind_(std::move(kind)), mechanism_(std::move(mechanism)) {}
  const std::string& kind() const override { return kind_; }
  const std::string& mechanism() const override { return mechanism_; }

 protected:
  static Status CheckTargets(const FaultParams& params) {
    if (params.containers.empty()) {
      return Unavailable(params.kind + ": no running container to act on");
    }
    for (const auto& c : params.containers)
      FL_RETURN_IF_ERROR(CheckOwned(params.run_id, c.id, c.cgroup));
    return OkStatus();
  }

  std::string kind_;
  std::string mechanism_;
};

nlohmann::json ContainersJson(const std::vector<ContainerRef>& containers) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : containers) out.push_back({{"id", c.id}, {"cgroup", c.cgroup}});
  return out;
}

// A killed process cannot be revived: the record exists so every fault is journaled, and its undo
// only checks ownership. What the platform does next (restart, reschedule) is what is measured.
class ContainerKill : public ContainerMechanism {
 public:
  ContainerKill() : ContainerMechanism("container.kill", "cgroup sigkill") {}
  Status Probe() override { return OkStatus(); }

  Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                              Journal& journal) override {
    FL_RETURN_IF_ERROR(CheckTargets(params));
    FL_ASSIGN_OR_RETURN(std::uint64_t seq,
                        JournalFault(journal, params, mechanism_,
                                     {{"containers", ContainersJson(params.containers)}}));
    auto fault = std::make_unique<JournaledFault>(journal, seq, [] { return OkStatus(); });
    for (const auto& c : params.containers) {
      const std::vector<pid_t> pids = ProcessesIn(c.cgroup);
      if (pids.empty()) return Unavailable("container " + c.id + " has no process left to kill");
      for (pid_t pid : pids) kill(pid, SIGKILL);
    }
    return std::unique_ptr<ActiveFault>(std::move(fault));
  }

  Status Undo(const std::string& run_id, const nlohmann::json& undo) override {
    try {
      for (const auto& c : undo.at("containers")) {
        FL_RETURN_IF_ERROR(
            CheckOwned(run_id, c.at("id").get<std::string>(), c.at("cgroup").get<std::string>()));
      }
    } catch (const nlohmann::json::exception& e) {
      return InvalidArgument(std::string("malformed container.kill record: ") + e.what());
    }
    return OkStatus();
  }
};

// container.oom: the memory limit is lowered to the current use plus at least 1 MiB, the
// container's processes are made the OOM killer's first choice (oom_score_adj 1000), and an
// allocator joins the container's memory cgroup and allocates past the limit. The kernel then
// OOM-kills inside the container. On cgroup v2 the container's cgroup is also one OOM group
// (memory.oom.group, as the kubelet sets it): whichever task the killer picks, the allocator
// included (its resident set nears the limit and can outweigh a small process's +1000), the
// whole container dies with it. Revert kills the allocator, restores the limit, the OOM group
// setting and any surviving process's oom_score_adj.
struct OomState {
  std::string id;
  std::string cgroup;
  std::string limit_file;  // memory.limit_in_bytes (v1) or memory.max (v2)
  std::string old_limit;
  std::string old_oom_group;  // memory.oom.group before ("0" or "1"); empty on cgroup v1
  pid_t allocator = 0;
  std::uint64_t allocator_start = 0;
  std::map<pid_t, std::string> old_adj;

  nlohmann::json ToJson() const {
    nlohmann::json adj = nlohmann::json::object();
    for (const auto& [pid, value] : old_adj) adj[std::to_string(pid)] = value;
    return {{"id", id},
            {"cgroup", cgroup},
            {"limit_file", limit_file},
            {"old_limit", old_limit},
            {"old_oom_group", old_oom_group},
            {"allocator_pid", allocator},
            {"allocator_start", allocator_start},
            {"oom_score_adj", adj}};
  }
  static Result<OomState> FromJson(const std::string& run_id, const nlohmann::json& j) {
    OomState s;
    try {
      s.id = j.at("id").get<std::string>();
      s.cgroup = j.at("cgroup").get<std::string>();
      s.limit_file = j.at("limit_file").get<std::string>();
      s.old_limit = j.at("old_limit").get<std::string>();
      s.old_oom_group = j.value("old_oom_group", "");
      s.allocator = j.at("allocator_pid").get<pid_t>();
      s.allocator_start = j.at("allocator_start").get<std::uint64_t>();
      for (const auto& [pid, value] : j.at("oom_score_adj").items()) {
        s.old_adj[std::stoi(pid)] = value.get<std::string>();
      }
    } catch (const std::exception& e) {
      return InvalidArgument(std::string("malformed container.oom record: ") + e.what());
    }
    FL_RETURN_IF_ERROR(CheckOwned(run_id, s.id, s.cgroup));
    if (s.limit_file != "memory.limit_in_bytes" && s.limit_file != "memory.max") {
      return InvalidArgument("refusing to write " + s.limit_file);
    }
    if (s.old_oom_group != "" && s.old_oom_group != "0" && s.old_oom_group != "1") {
      return InvalidArgument("refusing to write memory.oom.group " + s.old_oom_group);
    }
    return s;
  }
};

bool InCgroup(pid_t pid, const std::string& cgroup) {
  for (pid_t p : ProcessesIn(cgroup)) {
    if (p == pid) return true;
  }
  return false;
}

Status UndoOom(const OomState& s) {
  if (s.allocator > 0 && StartTime(s.allocator) == s.allocator_start) {
    kill(s.allocator, SIGKILL);
    // Reaped here when it is our child; the orphan reaper or init takes it otherwise.
    for (int i = 0; i < 200 && kill(s.allocator, 0) == 0; ++i) {
      if (waitpid(s.allocator, nullptr, WNOHANG) == s.allocator) break;
      std::this_thread::sleep_for(5ms);
    }
  }
  const std::string dir = MemoryCgroupDir(s.cgroup);
  Status status = OkStatus();
  if (!dir.empty() && PathExists(dir)) {
    Status restored = WriteControlFile(dir + "/" + s.limit_file, s.old_limit);
    if (!restored.ok()) status = restored;
    if (!s.old_oom_group.empty()) {
      Status group = WriteControlFile(dir + "/memory.oom.group", s.old_oom_group);
      if (!group.ok()) status = group;
    }
  }
  for (const auto& [pid, value] : s.old_adj) {
    if (InCgroup(pid, s.cgroup)) {
      (void)WriteControlFile("/proc/" + std::to_string(pid) + "/oom_score_adj", value);
    }
  }
  return status;
}

// The allocator: busybox dd reading BYTES of zeros into one buffer, in the container's memory
// cgroup (joined before the exec). A program of its own, not a fork of the controller: a fork
// keeps the controller's pages in its resident set until it execs, which made it the OOM
// killer's choice over the container's processes. Only system calls after fork (the parent has
// threads).
pid_t StartAllocator(const std::string& busybox, const std::string& procs_file,
                     std::uint64_t bytes) {
  const std::string block = "bs=" + std::to_string(bytes);
  const char* argv[] = {busybox.c_str(), "dd",      "if=/dev/zero", "of=/dev/null",
                        block.c_str(),   "count=1", nullptr};
  const pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  char text[24];
  int n = 0;
  char digits[24];
  for (pid_t self = getpid(); self > 0; self /= 10)
    digits[n++] = static_cast<char>('0' + self % 10);
  for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
  const int fd = open(procs_file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, text, n) != n) _exit(3);
  close(fd);
  execv(busybox.c_str(), const_cast<char* const*>(argv));
  _exit(127);
}

class ContainerOom : public ContainerMechanism {
 public:
  ContainerOom() : ContainerMechanism("container.oom", "memory limit + allocator") {}
  Status Probe() override {
    if (MemoryCgroupDir("").empty()) return FailedPrecondition("no memory cgroup controller");
    if (FindExecutable("busybox").empty()) return FailedPrecondition("busybox not installed");
    return OkStatus();
  }

  Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                              Journal& journal) override {
    FL_RETURN_IF_ERROR(CheckTargets(params));
    std::vector<OomState> states;
    for (const auto& c : params.containers) {
      OomState s{.id = c.id, .cgroup = c.cgroup};
      const std::string dir = MemoryCgroupDir(c.cgroup);
      if (dir.empty() || !PathExists(dir))
        return Unavailable("container " + c.id + " has no memory cgroup");
      s.limit_file =
          PathExists(dir + "/memory.limit_in_bytes") ? "memory.limit_in_bytes" : "memory.max";
      FL_ASSIGN_OR_RETURN(std::string old_limit, ReadFile(dir + "/" + s.limit_file));
      s.old_limit = Trim(old_limit);
      if (auto group = ReadFile(dir + "/memory.oom.group"); group.ok()) {
        s.old_oom_group = Trim(*group);
      }
      for (pid_t pid : ProcessesIn(c.cgroup)) {
        auto adj = ReadFile("/proc/" + std::to_string(pid) + "/oom_score_adj");
        if (adj.ok()) s.old_adj[pid] = Trim(*adj);
      }
      states.push_back(std::move(s));
    }
    // The limit and oom_score_adj are journaled before they change. The allocator is not: its pid
    // exists only after the fork, and it needs no record, because it dies with this process
    // (PR_SET_PDEATHSIG) and lives in the container's cgroup, which the run's teardown and
    // `recover` empty anyway.
    nlohmann::json undo = nlohmann::json::array();
    for (const auto& s : states) undo.push_back(s.ToJson());
    FL_ASSIGN_OR_RETURN(std::uint64_t seq,
                        JournalFault(journal, params, mechanism_, {{"containers", undo}}));
    auto shared = std::make_shared<std::vector<OomState>>(std::move(states));
    auto fault = std::make_unique<JournaledFault>(journal, seq, [shared] {
      Status last = OkStatus();
      for (const auto& s : *shared) {
        Status undone = UndoOom(s);
        if (!undone.ok()) last = undone;
      }
      return last;
    });
    for (auto& s : *shared) {
      Status applied = Apply(s);
      if (!applied.ok()) {
        (void)fault->Revert();
        return std::move(applied).error().With("pushing container " + s.id + " to OOM");
      }
    }
    return std::unique_ptr<ActiveFault>(std::move(fault));
  }

  Status Undo(const std::string& run_id, const nlohmann::json& undo) override {
    try {
      for (const auto& entry : undo.at("containers")) {
        FL_ASSIGN_OR_RETURN(OomState s, OomState::FromJson(run_id, entry));
        FL_RETURN_IF_ERROR(UndoOom(s));
      }
    } catch (const nlohmann::json::exception& e) {
      return InvalidArgument(std::string("malformed container.oom record: ") + e.what());
    }
    return OkStatus();
  }

 private:
  static Status Apply(OomState& s) {
    const std::string dir = MemoryCgroupDir(s.cgroup);
    FL_ASSIGN_OR_RETURN(CgroupMemory memory, ReadCgroupMemory(s.cgroup));
    // The kernel adds oom_score_adj in units of the limit's whole thousands of pages: below 1000
    // pages (4 MB) adj 1000 counts for nothing, and the allocator, by then the largest task, was
    // killed instead. A limit of whole thousands of pages makes adj 1000 outweigh any task that
    // fits in it, the allocator included.
    const std::uint64_t step = 1000 * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    const std::uint64_t limit = ((memory.usage_bytes + (1u << 20)) / step + 1) * step;
    const std::uint64_t old = std::strtoull(s.old_limit.c_str(), nullptr, 10);
    if (s.old_limit == "max" || old == 0 || limit < old) {
      FL_RETURN_IF_ERROR(WriteControlFile(dir + "/" + s.limit_file, std::to_string(limit)));
    }
    for (const auto& [pid, value] : s.old_adj) {
      (void)WriteControlFile("/proc/" + std::to_string(pid) + "/oom_score_adj", "1000");
    }
    if (!s.old_oom_group.empty()) {
      FL_RETURN_IF_ERROR(WriteControlFile(dir + "/memory.oom.group", "1"));
    }
    s.allocator =
        StartAllocator(FindExecutable("busybox"), dir + "/cgroup.procs", 2 * limit + (16u << 20));
    if (s.allocator < 0) return ErrnoError("cannot start the allocator", errno);
    s.allocator_start = StartTime(s.allocator);
    return OkStatus();
  }
};

}  // namespace

std::vector<std::unique_ptr<FaultMechanism>> MakeContainerMechanisms() {
  std::vector<std::unique_ptr<FaultMechanism>> out;
  out.push_back(std::make_unique<ContainerKill>());
  out.push_back(std::make_unique<ContainerOom>());
  return out;
}

Result<std::uint64_t> OomKillCount(const std::string& cgroup) {
  const std::string dir = MemoryCgroupDir(cgroup);
  for (const char* file : {"/memory.oom_control", "/memory.events"}) {
    auto text = ReadFile(dir + file);
    if (!text.ok()) continue;
    std::istringstream lines(*text);
    std::string key;
    std::uint64_t value = 0;
    while (lines >> key >> value) {
      if (key == "oom_kill") return value;
    }
  }
  return FailedPrecondition("no oom_kill counter for cgroup " + cgroup);
}

}  // namespace faultline::chaos
