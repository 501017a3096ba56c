#include "harness/core/journal.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "harness/core/files.h"

namespace faultline {
namespace {

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/fl-journal-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_ = dir;
    setenv("FAULTLINE_STATE_DIR", root_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("FAULTLINE_STATE_DIR");
    (void)RemoveTree(root_);
  }
  std::string root_;
};

TEST_F(JournalTest, OutstandingEntriesAreThoseNotReleased) {
  auto journal = Journal::Open("abc123");
  ASSERT_TRUE(journal.ok()) << journal.error().ToString();
  auto a = (*journal)->Acquire("container", {{"id", "fl-abc123-x"}});
  auto b = (*journal)->Acquire(journal_kind::kCgroup, {{"path", "faultline/abc123"}});
  ASSERT_TRUE(a.ok() && b.ok());
  (*journal)->Release(*a);

  auto outstanding = ReadOutstanding(root_ + "/runs/abc123/journal");
  ASSERT_TRUE(outstanding.ok());
  ASSERT_EQ(outstanding->size(), 2u);  // the run dir itself, then the cgroup
  EXPECT_EQ((*outstanding)[0].kind, journal_kind::kDir);
  EXPECT_EQ((*outstanding)[1].kind, journal_kind::kCgroup);
  EXPECT_EQ((*outstanding)[1].data["path"], "faultline/abc123");
}

TEST_F(JournalTest, LockTellsLiveRunsFromDeadOnes) {
  const std::string run_dir = root_ + "/runs/live1";
  {
    auto journal = Journal::Open("live1");
    ASSERT_TRUE(journal.ok());
    EXPECT_TRUE(RunIsLive(run_dir));
  }
  // The journal object is gone (as after a crash): the directory stays, the lock is free.
  EXPECT_TRUE(PathExists(run_dir + "/journal"));
  EXPECT_FALSE(RunIsLive(run_dir));
}

TEST_F(JournalTest, TornLastLineIsIgnored) {
  auto journal = Journal::Open("torn");
  ASSERT_TRUE(journal.ok());
  ASSERT_TRUE((*journal)->Acquire(journal_kind::kCgroup, {{"path", "faultline/torn"}}).ok());
  std::ofstream(root_ + "/runs/torn/journal", std::ios::app) << "{\"seq\":3,\"op\":\"acq";
  auto outstanding = ReadOutstanding(root_ + "/runs/torn/journal");
  ASSERT_TRUE(outstanding.ok());
  EXPECT_EQ(outstanding->size(), 2u);
}

TEST_F(JournalTest, CloseRemovesTheRunDirectoryWhenEverythingWasReleased) {
  auto journal = Journal::Open("closing");
  ASSERT_TRUE(journal.ok());
  auto seq = (*journal)->Acquire(journal_kind::kCgroup, {{"path", "faultline/closing"}});
  ASSERT_TRUE(seq.ok());
  (*journal)->Release(*seq);
  ASSERT_TRUE((*journal)->Close().ok());
  EXPECT_FALSE(PathExists(root_ + "/runs/closing"));
}

TEST_F(JournalTest, CloseKeepsTheJournalWhileResourcesRemain) {
  auto journal = Journal::Open("leftover");
  ASSERT_TRUE(journal.ok());
  ASSERT_TRUE((*journal)->Acquire(journal_kind::kCgroup, {{"path", "faultline/leftover"}}).ok());
  Status closed = (*journal)->Close();
  ASSERT_FALSE(closed.ok());
  EXPECT_NE(closed.error().message.find("faultline recover"), std::string::npos);
  EXPECT_TRUE(PathExists(root_ + "/runs/leftover/journal"));
  EXPECT_FALSE(RunIsLive(root_ + "/runs/leftover"));  // recover may take over
}

TEST_F(JournalTest, ARunIdInUseIsRefusedAndNothingIsRemoved) {
  auto first = Journal::Open("same");
  ASSERT_TRUE(first.ok());
  auto second = Journal::Open("same");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(PathExists(root_ + "/runs/same/journal"));
}

}  // namespace
}  // namespace faultline
