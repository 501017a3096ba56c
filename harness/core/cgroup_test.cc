#include "harness/core/cgroup.h"

#include <gtest/gtest.h>

#include "harness/core/files.h"

namespace faultline {
namespace {

TEST(Pss, ReadFromTheRollupsPssLineInBytes) {
  const std::string rollup =
      "5621b6ec6000-7ffe171d0000 ---p 00000000 00:00 0                          [rollup]\n"
      "Rss:                1696 kB\n"
      "Pss:                 756 kB\n"
      "Pss_Dirty:           112 kB\n";
  EXPECT_EQ(PssOfRollup(rollup), 756u * 1024);
  EXPECT_EQ(PssOfRollup("Rss: 10 kB\n"), 0u);
}

TEST(Pss, ThisKernelsRollupOfThisProcessParses) {
  auto rollup = ReadFile("/proc/self/smaps_rollup");
  ASSERT_TRUE(rollup.ok()) << rollup.error().ToString();
  const std::uint64_t pss = PssOfRollup(*rollup);
  EXPECT_GT(pss, 100u * 1024) << *rollup;  // a test binary maps more than 100 KiB
  EXPECT_LT(pss, 4ull << 30);
}

// Directories standing in for the two kinds of hierarchy: the files, as the kernel makes them.
TEST(Cpuset, AV1ChildGetsItsParentsCpusAndMemsAndACgroup2ChildIsLeftEmpty) {
  char root[] = "/tmp/fl-cpuset-XXXXXX";
  ASSERT_NE(mkdtemp(root), nullptr);
  const std::string parent = std::string(root) + "/parent", child = parent + "/child";
  ASSERT_TRUE(MakeDirs(child).ok());
  ASSERT_TRUE(WriteFileAtomic(parent + "/cpuset.cpus", "0-1\n").ok());
  ASSERT_TRUE(WriteFileAtomic(parent + "/cpuset.mems", "0\n").ok());
  ASSERT_TRUE(WriteFileAtomic(child + "/cpuset.cpus", "\n").ok());
  ASSERT_TRUE(WriteFileAtomic(child + "/cpuset.mems", "").ok());
  ASSERT_TRUE(InheritV1Cpuset(parent, child).ok());
  EXPECT_EQ(*ReadFile(child + "/cpuset.cpus"), "0-1\n");
  EXPECT_EQ(*ReadFile(child + "/cpuset.mems"), "0\n");

  // cgroup2: the root has no cpuset.cpus at all, and an empty one below it means inherited.
  ASSERT_TRUE(RemoveTree(parent + "/cpuset.cpus").ok());
  ASSERT_TRUE(WriteFileAtomic(child + "/cgroup.controllers", "cpuset cpu memory\n").ok());
  ASSERT_TRUE(WriteFileAtomic(child + "/cpuset.cpus", "").ok());
  ASSERT_TRUE(InheritV1Cpuset(parent, child).ok());
  EXPECT_EQ(*ReadFile(child + "/cpuset.cpus"), "");

  // A v1 parent whose cpuset cannot be read is an error, not a child without CPUs.
  ASSERT_TRUE(RemoveTree(child + "/cgroup.controllers").ok());
  EXPECT_FALSE(InheritV1Cpuset(parent, child).ok());
  ASSERT_TRUE(RemoveTree(root).ok());
}

}  // namespace
}  // namespace faultline
