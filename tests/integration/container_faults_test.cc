// container.kill and container.oom against real runc containers, their effect checked from
// outside: the container's processes and runtime state, and the kernel's OOM kill counter.
#include "chaos/container_faults.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "chaos/cgroup_control.h"
#include "chaos/fault_journal.h"
#include "harness/core/clock.h"
#include "tests/integration/host_state.h"
#include "tests/integration/oci_fixture.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

class ContainerFaultsTest : public OciFixture {
 protected:
  ContainerFaultsTest() : OciFixture("cfault01") {}

  // A running `sleep 3600` container of this run.
  std::unique_ptr<drivers::Container> Sleeper(const std::string& name) {
    drivers::Created created = driver_->Create(Spec("fl-cfault01-" + name, {"sleep", "3600"}), 30s);
    EXPECT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
    if (created.container) {
      const auto started = created.container->Start(30s);
      EXPECT_TRUE(started.status.ok()) << started.status.error().ToString();
    }
    return std::move(created.container);
  }
  std::unique_ptr<chaos::FaultMechanism> Mechanism(const std::string& kind) {
    for (auto& m : chaos::MakeContainerMechanisms()) {
      if (m->kind() == kind) return std::move(m);
    }
    return nullptr;
  }
  chaos::FaultParams Params(const std::string& kind, const drivers::Container& c) {
    chaos::FaultParams params;
    params.run_id = run_id_;
    params.kind = kind;
    params.containers = {{c.id(), c.Identity().cgroup}};
    params.expires_ns = BootNowNs() + 60'000'000'000;
    return params;
  }
  std::size_t FaultRecords() {
    auto entries = ReadOutstanding(journal_->run_dir() + "/journal");
    EXPECT_TRUE(entries.ok());
    std::size_t n = 0;
    if (entries.ok()) {
      for (const auto& entry : *entries) n += entry.kind == chaos::kFaultJournalKind;
    }
    return n;
  }
  static bool Eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 250; ++i) {
      if (condition()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
};

TEST_F(ContainerFaultsTest, KillEndsEveryProcessOfTheContainerAndIsJournaledUntilReverted) {
  auto victim = Sleeper("kill"), bystander = Sleeper("stay");
  ASSERT_TRUE(victim && bystander);
  ASSERT_FALSE(chaos::ProcessesIn(victim->Identity().cgroup).empty());

  auto fault = Mechanism("container.kill")->Inject(Params("container.kill", *victim), *journal_);
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  EXPECT_EQ(FaultRecords(), 1u);
  EXPECT_TRUE(Eventually([&] { return chaos::ProcessesIn(victim->Identity().cgroup).empty(); }));
  EXPECT_TRUE(
      Eventually([&] { return *victim->State(10s) == drivers::ContainerStatus::kStopped; }));
  EXPECT_EQ(*bystander->State(10s), drivers::ContainerStatus::kRunning);
  EXPECT_FALSE(chaos::ProcessesIn(bystander->Identity().cgroup).empty());

  EXPECT_TRUE((*fault)->Revert().ok());
  EXPECT_EQ(FaultRecords(), 0u);
  EXPECT_TRUE(victim->Delete(30s).status.ok());
  EXPECT_TRUE(bystander->Delete(30s).status.ok());
}

// "PID COMM oom_score_adj=N" of each process, for a failure's message.
std::string Described(const std::vector<pid_t>& pids) {
  std::string out;
  for (pid_t pid : pids) {
    const std::string proc = "/proc/" + std::to_string(pid);
    out += std::to_string(pid) + " " + Slurp(proc + "/comm") +
           " oom_score_adj=" + Slurp(proc + "/oom_score_adj") + "; ";
  }
  return out;
}

TEST_F(ContainerFaultsTest, OomMakesTheKernelKillInsideTheContainerAndRevertRestoresTheLimit) {
  auto victim = Sleeper("oom");
  ASSERT_TRUE(victim);
  auto before = chaos::OomKillCount(victim->Identity().cgroup);
  if (!before.ok()) FL_SKIP_LACKING("root", before.error().ToString());
  const std::string dir = MemoryCgroupDir(victim->Identity().cgroup);
  const std::string limit_file =
      PathExists(dir + "/memory.limit_in_bytes") ? "/memory.limit_in_bytes" : "/memory.max";
  const auto limit_before = ReadFile(dir + limit_file);
  ASSERT_TRUE(limit_before.ok());

  auto fault = Mechanism("container.oom")->Inject(Params("container.oom", *victim), *journal_);
  ASSERT_TRUE(fault.ok()) << fault.error().ToString();
  EXPECT_EQ(FaultRecords(), 1u);
  // The kernel's own counter, and the container's process gone.
  EXPECT_TRUE(Eventually([&] {
    auto now = chaos::OomKillCount(victim->Identity().cgroup);
    return now.ok() && *now > *before;
  })) << "no OOM kill counted in "
      << dir << ": memory.events " << Slurp(dir + "/memory.events")
      << Slurp(dir + "/memory.oom_control") << ", limit " << Slurp(dir + limit_file)
      << ", processes " << chaos::ProcessesIn(victim->Identity().cgroup).size();
  EXPECT_TRUE(Eventually([&] { return *victim->State(10s) == drivers::ContainerStatus::kStopped; }))
      << "still in the container: " << Described(chaos::ProcessesIn(victim->Identity().cgroup));

  EXPECT_TRUE((*fault)->Revert().ok());
  EXPECT_EQ(FaultRecords(), 0u);
  EXPECT_EQ(*ReadFile(dir + limit_file), *limit_before);
  // The allocator is gone with the revert: nothing runs in the container's cgroup.
  EXPECT_TRUE(Eventually([&] { return chaos::ProcessesIn(victim->Identity().cgroup).empty(); }));
  EXPECT_TRUE(victim->Delete(30s).status.ok());
}

}  // namespace
}  // namespace faultline::testing
