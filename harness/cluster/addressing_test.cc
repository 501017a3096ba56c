#include "harness/cluster/addressing.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <set>

#include "harness/core/files.h"

namespace faultline::cluster {
namespace {

TEST(Addressing, SubnetsCoverTheBenchmarkRangeWithoutOverlap) {
  EXPECT_EQ(SubnetCidr(0), "198.18.0.0/24");
  EXPECT_EQ(SubnetCidr(255), "198.18.255.0/24");
  EXPECT_EQ(SubnetCidr(256), "198.19.0.0/24");
  EXPECT_EQ(SubnetCidr(kSubnetCount - 1), "198.19.255.0/24");
  std::set<std::string> all;
  for (int i = 0; i < kSubnetCount; ++i) all.insert(SubnetCidr(i));
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kSubnetCount));
}

TEST(Addressing, NodeAddressesStayInTheirSubnet) {
  EXPECT_EQ(*NodeAddress(0, 1), "198.18.0.1");
  EXPECT_EQ(*NodeAddress(300, 3), "198.19.44.3");
  EXPECT_FALSE(NodeAddress(0, 0).ok());
  EXPECT_FALSE(NodeAddress(0, kMaxNodes + 1).ok());
  EXPECT_FALSE(NodeAddress(kSubnetCount, 1).ok());
  EXPECT_FALSE(NodeAddress(-1, 1).ok());
}

TEST(Addressing, NamesCarryTheIdAndFitInterfaceNames) {
  EXPECT_EQ(NodeNetnsName("0a1b2c3d", "node-2"), "fl-0a1b2c3d-node-2");
  EXPECT_EQ(BridgeNetnsName("0a1b2c3d"), "fl-0a1b2c3d-br");
  EXPECT_EQ(NetnsPath("fl-0a1b2c3d-br"), "/run/netns/fl-0a1b2c3d-br");
  // Linux interface names have at most 15 characters.
  EXPECT_LE(BridgePortName("ffffffff", kMaxNodes).size(), 15u);
  EXPECT_LE(BridgeName("ffffffff").size(), 15u);
}

TEST(Addressing, PreferredSubnetDependsOnTheId) {
  EXPECT_EQ(PreferredSubnet("00000000"), 0);
  EXPECT_EQ(PreferredSubnet("00000201"), 1);  // 513 mod 512
  EXPECT_LT(PreferredSubnet("ffffffff"), kSubnetCount);
}

class LeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/fl-lease-XXXXXX";
    root_ = mkdtemp(pattern);
    setenv("FAULTLINE_STATE_DIR", root_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("FAULTLINE_STATE_DIR");
    (void)RemoveTree(root_);
  }
  std::string root_;
};

TEST_F(LeaseTest, ConcurrentClustersGetDistinctJournaledSubnets) {
  auto a = Journal::Open("00000007");
  auto b = Journal::Open("00000207");  // the same preferred subnet (7)
  ASSERT_TRUE(a.ok() && b.ok());
  auto first = LeaseSubnet("00000007", **a);
  auto second = LeaseSubnet("00000207", **b);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(first->index, 7);
  EXPECT_EQ(second->index, 8);
  EXPECT_EQ(*ReadFile(first->path), "00000007");
  auto journaled = ReadOutstanding((*a)->run_dir() + "/journal");
  ASSERT_TRUE(journaled.ok());
  ASSERT_EQ(journaled->size(), 2u);  // the run directory and the lease
  EXPECT_EQ((*journaled)[1].kind, journal_kind::kSubnet);

  // Only the holder may release a lease.
  EXPECT_FALSE(ReleaseSubnetLease(first->path, "00000207").ok());
  EXPECT_TRUE(PathExists(first->path));
  EXPECT_TRUE(ReleaseSubnetLease(first->path, "00000007").ok());
  EXPECT_FALSE(PathExists(first->path));
  EXPECT_TRUE(ReleaseSubnetLease(first->path, "00000007").ok());  // idempotent
  EXPECT_TRUE(ReleaseSubnetLease(second->path, "00000207").ok());
}

}  // namespace
}  // namespace faultline::cluster
