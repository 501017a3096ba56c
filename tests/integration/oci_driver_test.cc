// The OCI driver against real runc: lifecycle, cgroup placement, copy-on-write rootfs, errors.
#include "harness/drivers/oci/oci_driver.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <thread>

#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/core/process.h"
#include "harness/images/image.h"
#include "tests/integration/oci_fixture.h"

namespace faultline::drivers::oci {
namespace {

class OciDriverTest : public testing::OciFixture {
 protected:
  OciDriverTest() : OciFixture("drvtest1") {}
};

TEST_F(OciDriverTest, LifecycleWithSpansAndItsOwnCgroup) {
  Created created =
      driver_->Create(Spec("fl-drvtest1-a", {"sleep", "60"}), std::chrono::seconds(30));
  ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
  ASSERT_TRUE(created.container);
  EXPECT_GT(created.create.duration_ns(), 0);
  EXPECT_GE(created.create.start_ns, created.prepare.end_ns);
  auto& container = *created.container;
  EXPECT_EQ(*container.State(std::chrono::seconds(10)), ContainerStatus::kCreated);

  OpResult start = container.Start(std::chrono::seconds(30));
  ASSERT_TRUE(start.status.ok()) << start.status.error().ToString();
  EXPECT_EQ(*container.State(std::chrono::seconds(10)), ContainerStatus::kRunning);
  EXPECT_EQ(container.Identity().cgroup, "faultline/drvtest1/fl-drvtest1-a");
  EXPECT_TRUE(CgroupExists(container.Identity().cgroup));
  auto memory = ReadCgroupMemory(container.Identity().cgroup);
  ASSERT_TRUE(memory.ok());
  EXPECT_GT(memory->usage_bytes, 0u);

  OpResult killed = container.Kill(SIGKILL, std::chrono::seconds(10));
  EXPECT_TRUE(killed.status.ok()) << killed.status.error().ToString();
  OpResult removed = container.Delete(std::chrono::seconds(30));
  EXPECT_TRUE(removed.status.ok()) << removed.status.error().ToString();
  EXPECT_FALSE(CgroupExists(container.Identity().cgroup));
  EXPECT_FALSE(PathExists(journal_->run_dir() + "/containers/fl-drvtest1-a"));
}

// A target's resources become the container's cgroup limits, read back from the kernel's files
// in whichever cgroup version the host has.
TEST_F(OciDriverTest, ResourcesAreTheContainersCgroupLimits) {
  ContainerSpec spec = Spec("fl-drvtest1-limits", {"sleep", "60"});
  spec.resources.cpus = 0.5;
  spec.resources.memory_bytes = 64ull << 20;
  spec.resources.pids = 32;
  Created created = driver_->Run(spec, std::chrono::seconds(30));
  ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
  const std::string cgroup = created.container->Identity().cgroup;
  // The first of FILES found in any hierarchy, trimmed.
  auto read = [&cgroup](std::initializer_list<const char*> files) -> std::string {
    for (const auto& root : CgroupHierarchies()) {
      for (const char* file : files) {
        auto text = ReadFile(root + "/" + cgroup + "/" + file);
        if (!text.ok()) continue;
        std::string value = *text;
        while (!value.empty() && value.back() == '\n') value.pop_back();
        return value;
      }
    }
    return "missing";
  };
  EXPECT_EQ(read({"memory.max", "memory.limit_in_bytes"}), "67108864");
  EXPECT_EQ(read({"pids.max"}), "32");
  if (DetectCgroupMode() == CgroupMode::kV2) {
    EXPECT_EQ(read({"cpu.max"}), "50000 100000");
  } else {
    EXPECT_EQ(read({"cpu.cfs_quota_us"}), "50000");
    EXPECT_EQ(read({"cpu.cfs_period_us"}), "100000");
  }
  EXPECT_TRUE(created.container->Delete(std::chrono::seconds(30)).status.ok());
}

// security: default gives Docker's confinement, unconfined the same without the seccomp filter;
// read from the container's init in /proc.
TEST_F(OciDriverTest, ContainersAreConfinedAsDockersUnlessUnconfined) {
  auto unconfined_driver = OpenDriver(scenario::Security::kUnconfined);
  ASSERT_TRUE(unconfined_driver);
  for (const bool unconfined : {false, true}) {
    OciDriver& driver = unconfined ? *unconfined_driver : *driver_;
    const std::string id = unconfined ? "fl-drvtest1-u" : "fl-drvtest1-d";
    Created created = driver.Create(Spec(id, {"sleep", "60"}), std::chrono::seconds(30));
    ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
    ASSERT_TRUE(created.container->Start(std::chrono::seconds(30)).status.ok());
    const pid_t init = created.container->Identity().init_pid;
    ASSERT_GT(init, 0);
    EXPECT_EQ(testing::ProcStatusField(init, "CapEff"), testing::kDefaultCapEff) << id;
    EXPECT_EQ(testing::ProcStatusField(init, "Seccomp"), unconfined ? "0" : "2") << id;
    EXPECT_EQ(testing::ProcStatusField(init, "NoNewPrivs"), "0") << id;
    EXPECT_TRUE(created.container->Kill(SIGKILL, std::chrono::seconds(10)).status.ok());
    EXPECT_TRUE(created.container->Delete(std::chrono::seconds(30)).status.ok());
  }
}

TEST_F(OciDriverTest, WritesStayInTheContainersOwnLayer) {
  Created created =
      driver_->Run(Spec("fl-drvtest1-b", {"sh", "-c", "echo hi > /etc/written; sleep 60"}),
                   std::chrono::seconds(30));
  ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
  const std::string upper = journal_->run_dir() + "/containers/fl-drvtest1-b/upper/etc/written";
  for (int i = 0; i < 100 && !PathExists(upper); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(PathExists(upper));
  EXPECT_FALSE(PathExists(lower_ + "/etc/written"));  // the shared image is untouched
  EXPECT_TRUE(created.container->Delete(std::chrono::seconds(30)).status.ok());
}

TEST_F(OciDriverTest, FailureCarriesTheRuntimesWords) {
  Created created =
      driver_->Create(Spec("fl-drvtest1-c", {"/no/such/binary"}), std::chrono::seconds(30));
  ASSERT_TRUE(created.container);
  ASSERT_FALSE(created.create.status.ok());
  EXPECT_NE(created.create.status.error().message.find("/no/such/binary"), std::string::npos)
      << created.create.status.error().message;
  // Deleting what failed to create still cleans up everything prepared for it.
  EXPECT_TRUE(created.container->Delete(std::chrono::seconds(30)).status.ok());
  EXPECT_FALSE(PathExists(journal_->run_dir() + "/containers/fl-drvtest1-c"));
}

TEST_F(OciDriverTest, EveryContainerIsJournaledUntilDeleted) {
  Created created = driver_->Create(Spec("fl-drvtest1-d", {"true"}), std::chrono::seconds(30));
  auto outstanding = ReadOutstanding(journal_->run_dir() + "/journal");
  ASSERT_TRUE(outstanding.ok());
  ASSERT_FALSE(outstanding->empty());
  EXPECT_EQ(outstanding->back().kind, drivers::oci::kContainerRecord);
  EXPECT_EQ(outstanding->back().data["id"], "fl-drvtest1-d");
  EXPECT_TRUE(created.container->Delete(std::chrono::seconds(30)).status.ok());
  outstanding = ReadOutstanding(journal_->run_dir() + "/journal");
  ASSERT_TRUE(outstanding.ok());
  EXPECT_NE(outstanding->back().kind, drivers::oci::kContainerRecord);
}

// A test that fails between Create and Delete leaves a running container and its rootfs mount:
// the fixture removes them from the journal (as recover would) before it deletes the state
// directory, so no mount outlives the test.
TEST_F(OciDriverTest, AContainerAFailedTestLeftIsRemovedWithItsMount) {
  Created created =
      driver_->Create(Spec("fl-drvtest1-left", {"sleep", "60"}), std::chrono::seconds(30));
  ASSERT_TRUE(created.create.status.ok()) << created.create.status.error().ToString();
  ASSERT_TRUE(created.container->Start(std::chrono::seconds(30)).status.ok());
  created.container.reset();
  ASSERT_FALSE(testing::Leftovers(state_).empty());
  RecoverLeftovers();
  // The run's cgroup is the fixture's own to remove (TearDown), not a record's.
  for (const std::string& left : testing::Leftovers(state_)) {
    EXPECT_EQ(left.rfind("cgroup ", 0), 0u) << left;
  }
  const std::string mounts = testing::Slurp("/proc/self/mountinfo");
  EXPECT_EQ(mounts.find(state_ + "/"), std::string::npos) << mounts;
}

}  // namespace
}  // namespace faultline::drivers::oci
