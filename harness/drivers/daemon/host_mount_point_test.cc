#include "harness/drivers/daemon/host_mount_point.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>

#include "harness/core/files.h"

namespace faultline::drivers {
namespace {

class HostMountPointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/fl-mountpoint-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_ = dir;
    setenv("FAULTLINE_STATE_DIR", root_.c_str(), 1);
    journal_ = std::move(Journal::Open("mp000001").value());
    point_ = root_ + "/point";
  }
  void TearDown() override {
    (void)journal_->Close();
    unsetenv("FAULTLINE_STATE_DIR");
    (void)RemoveTree(root_);
  }
  std::size_t RecordsOfMountPoints() {
    const std::vector<JournalEntry> entries =
        ReadOutstanding(journal_->run_dir() + "/journal").value();
    return std::count_if(entries.begin(), entries.end(), [&](const JournalEntry& entry) {
      return entry.kind == kHostMountPointRecord && entry.data["path"] == point_;
    });
  }

  std::string root_, point_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(HostMountPointTest, MadeOnceJournaledFirstAndRemovedByTheLastUser) {
  auto first = HostMountPoint::Acquire(point_, journal_.get());
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_TRUE(PathExists(point_));
  EXPECT_EQ(RecordsOfMountPoints(), 1u);
  auto second = HostMountPoint::Acquire(point_, journal_.get());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(RecordsOfMountPoints(), 1u);  // one record for the run, not one per node

  first->Release();  // the node that made it stops first: the other still binds over it
  EXPECT_TRUE(PathExists(point_));
  EXPECT_EQ(RecordsOfMountPoints(), 1u);
  second->Release();
  EXPECT_FALSE(PathExists(point_));
  EXPECT_EQ(RecordsOfMountPoints(), 0u);
}

TEST_F(HostMountPointTest, OneThatExistedIsNeitherJournaledNorRemoved) {
  ASSERT_TRUE(MakeDirs(point_, 0700).ok());
  {
    auto use = HostMountPoint::Acquire(point_, journal_.get());
    ASSERT_TRUE(use.ok());
    EXPECT_EQ(RecordsOfMountPoints(), 0u);
  }
  EXPECT_TRUE(PathExists(point_));
}

TEST_F(HostMountPointTest, WhatAnotherProgramPutThereStays) {
  {
    auto use = HostMountPoint::Acquire(point_, journal_.get());
    ASSERT_TRUE(use.ok());
    ASSERT_TRUE(WriteFileAtomic(point_ + "/theirs", "x").ok());
  }
  EXPECT_TRUE(PathExists(point_ + "/theirs"));
  EXPECT_EQ(RecordsOfMountPoints(), 0u);  // released: the directory is no longer ours
}

TEST_F(HostMountPointTest, RecoverRemovesOnlyThePlatformMountPoints) {
  ASSERT_TRUE(MakeDirs(point_, 0700).ok());
  Status refused = UndoHostMountPoint({{"path", point_}});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().ToString().find("refusing"), std::string::npos);
  EXPECT_TRUE(PathExists(point_));
}

}  // namespace
}  // namespace faultline::drivers
