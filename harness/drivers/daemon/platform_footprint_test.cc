#include "harness/drivers/daemon/platform_footprint.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "harness/core/files.h"

namespace faultline::drivers {
namespace {

class PlatformFootprintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/fl-footprint-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_ = dir;
    setenv("FAULTLINE_STATE_DIR", root_.c_str(), 1);
    journal_ = std::move(Journal::Open("fp000001").value());
  }
  void TearDown() override {
    (void)journal_->Close();
    unsetenv("FAULTLINE_STATE_DIR");
    (void)RemoveTree(root_);
  }
  std::vector<JournalEntry> Outstanding() {
    return ReadOutstanding(journal_->run_dir() + "/journal").value();
  }

  std::string root_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(PlatformFootprintTest, ClaimJournalsTheRecordThenBothCgroupsBeforeTheDirectory) {
  const std::string dir = journal_->run_dir() + "/p-node-1";
  PlatformFootprint footprint(journal_.get(), {"node-1", "", "faultline/fp000001/node-1", ""},
                              "fp000001", "dk", dir);
  EXPECT_EQ(footprint.platform_cgroup(), "faultline/fp000001/node-1/fl-fp000001-dk-platform");
  EXPECT_EQ(footprint.containers_cgroup(), "faultline/fp000001/node-1/fl-fp000001-dk-containers");
  EXPECT_FALSE(footprint.claimed());
  ASSERT_TRUE(footprint.Claim("test.platform", {{"made_x", true}}).ok());
  EXPECT_TRUE(footprint.claimed());
  EXPECT_TRUE(PathExists(dir));

  const auto entries = Outstanding();
  // The run directory, then the footprint's three: recover (newest first) kills the cgroups'
  // processes before it removes the platform's directory.
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[1].kind, "test.platform");
  EXPECT_EQ(entries[1].data,
            (nlohmann::json{{"made_x", true}, {"dir", dir}, {"target", "dk"}, {"node", "node-1"}}));
  EXPECT_EQ(entries[2].kind, journal_kind::kCgroup);
  EXPECT_EQ(entries[2].data["path"], footprint.platform_cgroup());
  EXPECT_EQ(entries[3].kind, journal_kind::kCgroup);
  EXPECT_EQ(entries[3].data["path"], footprint.containers_cgroup());
}

TEST_F(PlatformFootprintTest, RemoveReleasesTheRecordsOnlyOnceTheDirectoryWent) {
  const std::string dir = journal_->run_dir() + "/p-local";
  PlatformFootprint footprint(journal_.get(), {"local", "", "faultline/fp000001", ""}, "fp000001",
                              "dk", dir);
  EXPECT_TRUE(footprint.Remove().ok());  // nothing claimed: nothing to do
  ASSERT_TRUE(footprint.Claim("test.platform", {}).ok());

  std::string asked;
  Status failed = footprint.Remove([&](const std::string& path) -> Status {
    asked = path;
    return Unavailable("still busy");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(asked, dir);
  EXPECT_EQ(Outstanding().size(), 4u);  // kept for recover
  EXPECT_TRUE(footprint.claimed());

  EXPECT_TRUE(footprint.Remove().ok());
  EXPECT_FALSE(PathExists(dir));
  EXPECT_EQ(Outstanding().size(), 1u);  // the run directory's own entry
  EXPECT_FALSE(footprint.claimed());
}

TEST_F(PlatformFootprintTest, RecoverRemovesOnlyARecordedDirectoryInsideTheRun) {
  const std::string run_dir = journal_->run_dir();
  ASSERT_TRUE(MakeDirs(run_dir + "/d-node-1").ok());
  const nlohmann::json inside = {{"dir", run_dir + "/d-node-1"}};
  auto dir = RecordedPlatformDir(inside, "fp000001", run_dir, "docker platform");
  ASSERT_TRUE(dir.ok()) << dir.error().ToString();
  EXPECT_EQ(*dir, run_dir + "/d-node-1");
  auto outside = RecordedPlatformDir({{"dir", root_}}, "fp000001", run_dir, "docker platform");
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(outside.error().message.find("docker platform " + root_), std::string::npos);
  EXPECT_FALSE(RecordedPlatformDir(inside, "", run_dir, "docker platform").ok());
}

}  // namespace
}  // namespace faultline::drivers
