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

TEST(Pressure, TheSomeAndFullTotalsAreRead) {
  auto both = ParsePressure(
      "some avg10=1.82 avg60=19.33 avg300=32.33 total=6940208788\n"
      "full avg10=0.00 avg60=0.00 avg300=0.00 total=12\n");
  ASSERT_TRUE(both.ok()) << both.error().ToString();
  EXPECT_EQ(*both, (PressureTotals{6940208788u, 12u}));
  auto some_only = ParsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n");
  ASSERT_TRUE(some_only.ok());
  EXPECT_EQ(*some_only, (PressureTotals{5u, std::nullopt}));
  EXPECT_FALSE(ParsePressure("").ok());
}

// This process's own cgroup in the cgroup2 hierarchy, as /proc/self/cgroup names it.
TEST(Pressure, ThisKernelsPressureOfThisProcesssCgroupParses) {
  if (Cgroup2Root().empty()) GTEST_SKIP() << "SKIPPED: no cgroup2 hierarchy (pure v1 host)";
  auto self = ReadFile("/proc/self/cgroup");
  ASSERT_TRUE(self.ok());
  const auto at = self->find("0::/");
  ASSERT_NE(at, std::string::npos) << *self;
  std::string rel = self->substr(at + 4, self->find('\n', at) - at - 4);
  auto pressure = ReadCgroupPressure(rel);
  if (!pressure.ok() && !PathExists("/proc/pressure/cpu")) {
    GTEST_SKIP() << "SKIPPED: the kernel keeps no pressure stall information";
  }
  ASSERT_TRUE(pressure.ok()) << pressure.error().ToString();
  EXPECT_EQ(pressure->size(), 3u);
  EXPECT_TRUE(pressure->at("memory").full_us.has_value());
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
