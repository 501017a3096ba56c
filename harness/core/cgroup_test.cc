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

}  // namespace
}  // namespace faultline
