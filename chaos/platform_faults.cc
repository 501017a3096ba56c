#include "chaos/platform_faults.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include "chaos/cgroup_control.h"
#include "chaos/fault_journal.h"
#include "harness/core/clock.h"

namespace faultline::chaos {
namespace {

using namespace std::chrono_literals;

constexpr auto kPoll = 10ms;
constexpr auto kCallTimeout = 2s;
constexpr auto kStartTimeout = 10s;

// The platform's containers with processes now: cgroup -> its processes.
std::map<std::string, std::vector<pid_t>> Running(const PlatformDaemon& daemon) {
  std::map<std::string, std::vector<pid_t>> running;
  for (const std::string& cgroup : daemon.ContainerCgroups()) {
    std::vector<pid_t> pids = ProcessesIn(cgroup);
    if (pids.empty()) continue;
    std::sort(pids.begin(), pids.end());
    running[cgroup] = std::move(pids);
  }
  return running;
}

double SecondsSince(std::int64_t from_ns) {
  return static_cast<double>(BootNowNs() - from_ns) / 1e9;
}

// One node's daemon through one occurrence.
struct DaemonRun {
  PlatformDaemon* daemon = nullptr;
  reports::DaemonOutcome outcome;
  std::map<std::string, std::vector<pid_t>> before;
  std::thread measuring;

  Status Kill() {
    before = Running(*daemon);
    outcome.running_before = static_cast<std::uint32_t>(before.size());
    Status killed = daemon->Kill();
    if (!killed.ok()) {
      outcome.error = "kill: " + killed.error().ToString();
      return killed;
    }
    outcome.killed_ns = BootNowNs();
    return OkStatus();
  }

  // Starts the daemon again, and measures its recovery on a thread of its own, so the fault's
  // timeline (and the other nodes) need not wait for it.
  Status Restart(const std::string& probe) {
    Status restarted = daemon->Restart();
    if (!restarted.ok()) {
      outcome.error = "restart: " + restarted.error().ToString();
      return restarted;
    }
    outcome.restarted_ns = BootNowNs();
    measuring = std::thread([this, probe] { MeasureRecovery(probe); });
    return OkStatus();
  }

  void Join() {
    if (measuring.joinable()) measuring.join();
  }

 private:
  // API answered, a new container started (named PROBE-<attempt>), then which of the containers
  // that ran before the kill still run.
  void MeasureRecovery(const std::string& probe) {
    const std::int64_t from = outcome.restarted_ns;
    const auto deadline = std::chrono::steady_clock::now() + kDaemonRecoveryLimit;
    Status answered = Unavailable("not asked");
    while (!(answered = daemon->Ping(kCallTimeout)).ok()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        outcome.error = "its API did not answer within 60 s: " + answered.error().ToString();
        return;
      }
      std::this_thread::sleep_for(kPoll);
    }
    outcome.api_answered_s = SecondsSince(from);
    Status started = Unavailable("not tried");
    for (int attempt = 0;
         !(started = daemon->StartOne(probe + "-" + std::to_string(attempt), kStartTimeout)).ok();
         ++attempt) {
      if (std::chrono::steady_clock::now() >= deadline) {
        outcome.error = "no container started within 60 s: " + started.error().ToString();
        return;
      }
      std::this_thread::sleep_for(kPoll);
    }
    outcome.start_succeeded_s = SecondsSince(from);
    const auto after = Running(*daemon);
    for (const auto& [cgroup, pids] : before) {
      auto now = after.find(cgroup);
      if (now == after.end()) continue;
      const bool same = std::any_of(pids.begin(), pids.end(), [&](pid_t pid) {
        return std::binary_search(now->second.begin(), now->second.end(), pid);
      });
      if (same) ++outcome.survived;
    }
    outcome.lost = outcome.running_before - outcome.survived;
  }
};

class DaemonFault : public ActiveFault {
 public:
  DaemonFault(Journal& journal, std::uint64_t seq, const std::vector<PlatformDaemon*>& daemons,
              std::string probe)
      : journal_(journal), seq_(seq), runs_(daemons.size()), probe_(std::move(probe)) {
    for (std::size_t i = 0; i < daemons.size(); ++i) {
      runs_[i].daemon = daemons[i];
      runs_[i].outcome.node = daemons[i]->node();
      runs_[i].outcome.daemon = daemons[i]->name();
    }
  }
  ~DaemonFault() override {
    (void)Revert();
    for (DaemonRun& run : runs_) run.Join();
  }

  // Kills every node's daemon; with RESTART_NOW starts each again at once.
  Status Apply(bool restart_now) {
    for (DaemonRun& run : runs_) FL_RETURN_IF_ERROR(run.Kill());
    if (!restart_now) return OkStatus();
    restarted_ = true;
    return RestartAll();
  }

  // The daemons run again (their recovery may still be being measured).
  Status Revert() override {
    std::lock_guard lock(mu_);
    if (reverted_) return OkStatus();
    reverted_ = true;
    Status status = restarted_ ? OkStatus() : RestartAll();
    if (status.ok()) journal_.Release(seq_);
    return status;
  }

  // Waits for the recovery measurements (each bounded by kDaemonRecoveryLimit).
  void Report(reports::FaultRecord& record) override {
    std::vector<double> recovered;
    for (DaemonRun& run : runs_) {
      run.Join();
      record.daemons.push_back(run.outcome);
      if (run.outcome.start_succeeded_s) recovered.push_back(*run.outcome.start_succeeded_s);
    }
    // The slowest node; none when a node never recovered.
    if (recovered.size() == runs_.size() && !recovered.empty()) {
      record.recovery_time_s = *std::max_element(recovered.begin(), recovered.end());
    }
  }

 private:
  Status RestartAll() {
    Status status = OkStatus();
    for (DaemonRun& run : runs_) {
      if (run.outcome.killed_ns == 0 || run.outcome.restarted_ns != 0) continue;
      Status restarted = run.Restart(probe_ + "-" + run.daemon->node());
      if (status.ok()) status = restarted;
    }
    return status;
  }

  Journal& journal_;
  std::uint64_t seq_;
  std::vector<DaemonRun> runs_;  // never resized: each measuring thread holds its element
  std::string probe_;
  std::mutex mu_;
  bool restarted_ = false;
  bool reverted_ = false;
};

class DaemonMechanism : public FaultMechanism {
 public:
  DaemonMechanism(std::string kind, std::string mechanism, bool restart_now)
      : kind_(std::move(kind)), mechanism_(std::move(mechanism)), restart_now_(restart_now) {}
  const std::string& kind() const override { return kind_; }
  const std::string& mechanism() const override { return mechanism_; }
  // Needs nothing of the host beyond the platform the run starts (its driver's preflight).
  Status Probe() override { return OkStatus(); }

  Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                              Journal& journal) override {
    if (params.daemons.empty() || params.daemons.size() != params.nodes.size()) {
      return FailedPrecondition(kind_ + ": the target runs no platform daemon on these nodes");
    }
    nlohmann::json nodes = nlohmann::json::array();
    for (PlatformDaemon* daemon : params.daemons) nodes.push_back(daemon->node());
    FL_ASSIGN_OR_RETURN(std::uint64_t seq, JournalFault(journal, params, mechanism_,
                                                        {{"daemon", params.daemons.front()->name()},
                                                         {"nodes", nodes}}));
    // Containers started to show recovery carry the run id and the fault's time.
    auto fault = std::make_unique<DaemonFault>(
        journal, seq, params.daemons,
        "fl-" + params.run_id + "-recovery-" + std::to_string(BootNowNs() % 1000000000));
    Status applied = fault->Apply(restart_now_);
    if (!applied.ok()) return std::move(applied).error().With(kind_);
    return std::unique_ptr<ActiveFault>(std::move(fault));
  }

  // The daemon lives in a cgroup its platform journaled: `recover` stops the whole platform, so
  // a dead run's daemon fault leaves nothing to start again.
  Status Undo(const std::string&, const nlohmann::json& undo) override {
    if (!undo.contains("daemon") || !undo.contains("nodes")) {
      return InvalidArgument("malformed " + kind_ + " record: expected daemon and nodes");
    }
    return OkStatus();
  }

 private:
  std::string kind_;
  std::string mechanism_;
  bool restart_now_;
};

}  // namespace

std::vector<std::unique_ptr<FaultMechanism>> MakePlatformMechanisms() {
  std::vector<std::unique_ptr<FaultMechanism>> out;
  out.push_back(std::make_unique<DaemonMechanism>(
      "platform.daemon_kill", "daemon SIGKILL, started again at revert", false));
  out.push_back(std::make_unique<DaemonMechanism>("platform.daemon_restart",
                                                  "daemon SIGKILL and start again", true));
  return out;
}

}  // namespace faultline::chaos
