#include "harness/cluster/node_cgroup.h"

#include <gtest/gtest.h>

namespace faultline::cluster {
namespace {

TEST(NodeCgroupLimits, V1WritesCfsQuotaAndMemoryLimit) {
  auto writes = V1LimitWrites("/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory",
                              "faultline/0a1b2c3d/node-1", {1.5, 268435456});
  EXPECT_EQ(
      writes,
      (std::vector<CgroupWrite>{
          {"/sys/fs/cgroup/cpu,cpuacct/faultline/0a1b2c3d/node-1/cpu.cfs_period_us", "100000"},
          {"/sys/fs/cgroup/cpu,cpuacct/faultline/0a1b2c3d/node-1/cpu.cfs_quota_us", "150000"},
          {"/sys/fs/cgroup/memory/faultline/0a1b2c3d/node-1/memory.limit_in_bytes", "268435456"},
      }));
  EXPECT_TRUE(V1LimitWrites("/c", "/m", "faultline/x/node-1", {}).empty());
}

TEST(NodeCgroupLimits, V2EnablesControllersDownToTheNodeThenWritesMax) {
  auto writes = V2LimitWrites("/sys/fs/cgroup", "faultline/0a1b2c3d/node-2", {0.25, 1048576});
  EXPECT_EQ(writes,
            (std::vector<CgroupWrite>{
                {"/sys/fs/cgroup/cgroup.subtree_control", "+cpu +memory"},
                {"/sys/fs/cgroup/faultline/cgroup.subtree_control", "+cpu +memory"},
                {"/sys/fs/cgroup/faultline/0a1b2c3d/cgroup.subtree_control", "+cpu +memory"},
                {"/sys/fs/cgroup/faultline/0a1b2c3d/node-2/cpu.max", "25000 100000"},
                {"/sys/fs/cgroup/faultline/0a1b2c3d/node-2/memory.max", "1048576"},
            }));
}

// The node's own memory.current and cpu.stat exist before any container runs on it, limits or
// not: the controllers are handed down all the same.
TEST(NodeCgroupLimits, V2EnablesBothControllersWithOneLimitOrNone) {
  auto writes = V2LimitWrites("/cg", "faultline/x/node-1", {std::nullopt, 4096});
  ASSERT_EQ(writes.size(), 4u);
  EXPECT_EQ(writes[0], (CgroupWrite{"/cg/cgroup.subtree_control", "+cpu +memory"}));
  EXPECT_EQ(writes[3], (CgroupWrite{"/cg/faultline/x/node-1/memory.max", "4096"}));
  EXPECT_EQ(V2LimitWrites("/cg", "faultline/x/node-1", {}),
            (std::vector<CgroupWrite>{
                {"/cg/cgroup.subtree_control", "+cpu +memory"},
                {"/cg/faultline/cgroup.subtree_control", "+cpu +memory"},
                {"/cg/faultline/x/cgroup.subtree_control", "+cpu +memory"},
            }));
}

}  // namespace
}  // namespace faultline::cluster
