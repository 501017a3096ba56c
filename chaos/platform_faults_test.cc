#include "chaos/platform_faults.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "chaos/registry.h"
#include "harness/core/files.h"

namespace faultline::chaos {
namespace {

// A test double of a node's platform daemon: it records the calls made to it and answers from a
// script (how many pings and starts fail before one succeeds; whether it restarts).
class ScriptedDaemonDouble : public PlatformDaemon {
 public:
  const std::string& name() const override { return name_; }
  const std::string& node() const override { return node_; }
  Status Kill() override {
    calls.push_back("kill");
    return OkStatus();
  }
  Status Restart() override {
    calls.push_back("restart");
    if (!restarts) return Unavailable("exited while starting");
    return OkStatus();
  }
  Status Ping(Nanos) override {
    calls.push_back("ping");
    if (pings_failing > 0) {
      --pings_failing;
      return Unavailable("connection refused");
    }
    return OkStatus();
  }
  Status StartOne(const std::string& container, Nanos) override {
    calls.push_back("start " + container.substr(container.rfind('-') + 1));
    started.push_back(container);
    if (starts_failing > 0) {
      --starts_failing;
      return Unavailable("containerd is not ready");
    }
    return OkStatus();
  }
  std::vector<std::string> ContainerCgroups() const override { return {}; }

  std::vector<std::string> calls;
  std::vector<std::string> started;
  int pings_failing = 0;
  int starts_failing = 0;
  bool restarts = true;

 private:
  std::string name_ = "dockerd";
  std::string node_ = "node-1";
};

class PlatformFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/fl-platform-faults-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_ = dir;
    setenv("FAULTLINE_STATE_DIR", root_.c_str(), 1);
    auto journal = Journal::Open("pf1");
    ASSERT_TRUE(journal.ok()) << journal.error().ToString();
    journal_ = std::move(*journal);
  }
  void TearDown() override {
    journal_.reset();
    unsetenv("FAULTLINE_STATE_DIR");
    (void)RemoveTree(root_);
  }
  FaultParams Params(const std::string& kind) {
    FaultParams params;
    params.run_id = "pf1";
    params.kind = kind;
    params.nodes.push_back({"node-1", "", "eth0", "198.18.0.2", "faultline/pf1/node-1"});
    params.daemons.push_back(&daemon_);
    return params;
  }
  std::size_t Outstanding() {
    auto entries = ReadOutstanding(journal_->run_dir() + "/journal");
    std::size_t faults = 0;
    for (const auto& entry : entries.ok() ? *entries : std::vector<JournalEntry>{}) {
      if (entry.kind == kFaultJournalKind) ++faults;
    }
    return faults;
  }

  std::string root_;
  std::unique_ptr<Journal> journal_;
  ScriptedDaemonDouble daemon_;
};

TEST_F(PlatformFaultsTest, RestartKillsStartsAgainAndMeasuresUntilAStartSucceeds) {
  daemon_.pings_failing = 2;
  daemon_.starts_failing = 1;
  auto mechanism = MechanismFor("platform.daemon_restart");
  ASSERT_NE(mechanism, nullptr);
  auto active = mechanism->Inject(Params("platform.daemon_restart"), *journal_);
  ASSERT_TRUE(active.ok()) << active.error().ToString();
  EXPECT_EQ(Outstanding(), 1u);
  ASSERT_TRUE((*active)->Revert().ok());
  EXPECT_EQ(Outstanding(), 0u);
  // The recovery is measured on a thread of its own; the report waits for it.
  reports::FaultRecord record;
  (*active)->Report(record);
  EXPECT_EQ(daemon_.calls, (std::vector<std::string>{"kill", "restart", "ping", "ping", "ping",
                                                     "start 0", "start 1"}))
      << "restarted at once; the revert has nothing left to do";
  // Each attempt is a new container of the run's.
  ASSERT_EQ(daemon_.started.size(), 2u);
  EXPECT_EQ(daemon_.started[0].rfind("fl-pf1-recovery-", 0), 0u);
  EXPECT_NE(daemon_.started[0], daemon_.started[1]);

  ASSERT_EQ(record.daemons.size(), 1u);
  const reports::DaemonOutcome& outcome = record.daemons[0];
  EXPECT_EQ(outcome.node, "node-1");
  EXPECT_EQ(outcome.daemon, "dockerd");
  EXPECT_GT(outcome.killed_ns, 0);
  EXPECT_GE(outcome.restarted_ns, outcome.killed_ns);
  ASSERT_TRUE(outcome.api_answered_s && outcome.start_succeeded_s);
  EXPECT_GE(*outcome.start_succeeded_s, *outcome.api_answered_s);
  ASSERT_TRUE(record.recovery_time_s);
  EXPECT_EQ(*record.recovery_time_s, *outcome.start_succeeded_s);
  EXPECT_TRUE(outcome.error.empty()) << outcome.error;
}

TEST_F(PlatformFaultsTest, KillLeavesTheDaemonDownUntilTheRevert) {
  auto mechanism = MechanismFor("platform.daemon_kill");
  ASSERT_NE(mechanism, nullptr);
  auto active = mechanism->Inject(Params("platform.daemon_kill"), *journal_);
  ASSERT_TRUE(active.ok()) << active.error().ToString();
  EXPECT_EQ(daemon_.calls, std::vector<std::string>{"kill"});
  ASSERT_TRUE((*active)->Revert().ok());
  EXPECT_TRUE((*active)->Revert().ok()) << "a second revert is a no-op";
  EXPECT_EQ(Outstanding(), 0u);
  reports::FaultRecord record;
  (*active)->Report(record);
  EXPECT_EQ(daemon_.calls, (std::vector<std::string>{"kill", "restart", "ping", "start 0"}));
  ASSERT_EQ(record.daemons.size(), 1u);
  EXPECT_TRUE(record.daemons[0].start_succeeded_s);
}

TEST_F(PlatformFaultsTest, AFailedRestartIsReportedAndStaysJournaled) {
  daemon_.restarts = false;
  auto mechanism = MechanismFor("platform.daemon_kill");
  auto active = mechanism->Inject(Params("platform.daemon_kill"), *journal_);
  ASSERT_TRUE(active.ok());
  Status reverted = (*active)->Revert();
  ASSERT_FALSE(reverted.ok());
  EXPECT_NE(reverted.error().ToString().find("exited while starting"), std::string::npos);
  reports::FaultRecord record;
  (*active)->Report(record);
  ASSERT_EQ(record.daemons.size(), 1u);
  EXPECT_NE(record.daemons[0].error.find("restart"), std::string::npos);
  EXPECT_FALSE(record.daemons[0].api_answered_s);
  EXPECT_FALSE(record.recovery_time_s) << "a node that never recovered has no recovery time";
  EXPECT_EQ(Outstanding(), 1u) << "left for recover";
}

TEST_F(PlatformFaultsTest, NoDaemonOnTheNodeIsARecordedFailureWithNothingJournaled) {
  FaultParams params = Params("platform.daemon_kill");
  params.daemons.clear();
  auto active = MechanismFor("platform.daemon_kill")->Inject(params, *journal_);
  ASSERT_FALSE(active.ok());
  EXPECT_EQ(active.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(Outstanding(), 0u);
}

TEST_F(PlatformFaultsTest, RecoverAcceptsTheRecordAndNothingElse) {
  EXPECT_TRUE(UndoFaultRecord("pf1", {{"kind", "platform.daemon_kill"},
                                      {"mechanism", "daemon SIGKILL, started again at revert"},
                                      {"undo", {{"daemon", "dockerd"}, {"nodes", {"node-1"}}}}})
                  .ok());
  EXPECT_FALSE(UndoFaultRecord("pf1", {{"kind", "platform.daemon_kill"},
                                       {"mechanism", "daemon SIGKILL, started again at revert"},
                                       {"undo", nlohmann::json::object()}})
                   .ok());
}

}  // namespace
}  // namespace faultline::chaos
