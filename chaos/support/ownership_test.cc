#include "chaos/support/ownership.h"

#include <gtest/gtest.h>

#include "chaos/support/netns_command.h"
#include "chaos/support/recorded_fault.h"

namespace faultline::chaos {
namespace {

TEST(OwnershipTest, TagsCarryTheRunIdAndAreFresh) {
  const std::string a = NewFaultTag("r1", "loss");
  const std::string b = NewFaultTag("r1", "loss");
  EXPECT_EQ(a.rfind("fl-r1-loss-", 0), 0u) << a;
  EXPECT_NE(a, b);
  EXPECT_TRUE(IsRunTag("r1", a));
  EXPECT_FALSE(IsRunTag("r2", a));
  EXPECT_FALSE(IsRunTag("r1", "fl-r1-"));
  EXPECT_FALSE(IsRunTag("r1", "fl-r1-loss-0000 0000"));
  EXPECT_FALSE(IsRunTag("", "fl--loss-00000000"));
}

TEST(OwnershipTest, NamespacesMustBeTheRuns) {
  EXPECT_TRUE(IsRunNetns("r1", "/run/netns/fl-r1-node-1"));
  EXPECT_FALSE(IsRunNetns("r1", "/run/netns/fl-r2-node-1"));
  EXPECT_FALSE(IsRunNetns("r1", "/run/netns/fl-r1"));
  EXPECT_FALSE(IsRunNetns("r1", "fl-r1-node-1"));
  EXPECT_FALSE(IsRunNetns("r1", "/run/netns/fl-r1-x/../../proc/1/ns/net"));
  EXPECT_FALSE(IsRunNetns("r1", "/proc/1/ns/net"));
}

TEST(OwnershipTest, CgroupsMustBeBelowTheRuns) {
  EXPECT_TRUE(IsRunCgroup("r1", "faultline/r1/node-1"));
  EXPECT_FALSE(IsRunCgroup("r1", "faultline/r1"));
  EXPECT_FALSE(IsRunCgroup("r1", "faultline/r1/"));
  EXPECT_FALSE(IsRunCgroup("r1", "faultline/r10/node-1"));
  EXPECT_FALSE(IsRunCgroup("r1", "faultline/r1/../../system.slice"));
  EXPECT_FALSE(IsRunCgroup("r1", "/faultline/r1/node-1"));
}

TEST(OwnershipTest, CgroupsMayBeBelowTheRunsSlice) {
  EXPECT_TRUE(IsRunCgroup("r1", "faultline_r1.slice/faultline_r1-node\\x2d1.slice"));
  EXPECT_FALSE(IsRunCgroup("r1", "faultline_r1.slice"));
  EXPECT_FALSE(IsRunCgroup("r1", "faultline_r10.slice/faultline_r10-node\\x2d1.slice"));
  EXPECT_FALSE(IsRunCgroup("r1", "faultline_r1.slice/../system.slice"));
}

TEST(OwnershipTest, LinkNames) {
  EXPECT_TRUE(IsLinkName("eth0"));
  EXPECT_TRUE(IsLinkName("fl-ab12-n1"));
  EXPECT_FALSE(IsLinkName(""));
  EXPECT_FALSE(IsLinkName("a-name-longer-than-15"));
  EXPECT_FALSE(IsLinkName("eth0 root"));
}

TEST(NetnsCommandTest, ArgvEntersTheNamespaceWithoutAShell) {
  EXPECT_EQ(InNetns("/run/netns/fl-r-n", {"tc", "qdisc"}),
            (std::vector<std::string>{"nsenter", "--net=/run/netns/fl-r-n", "--", "tc", "qdisc"}));
  EXPECT_EQ(InThrowawayNetns({"tc"}), (std::vector<std::string>{"unshare", "--net", "--", "tc"}));
}

TEST(CheckNodesTest, AddressesMustBeInTheBenchmarkRange) {
  NodeRef node{"node-1", "/run/netns/fl-r1-node-1", "eth0", "198.18.0.2", "faultline/r1/node-1"};
  EXPECT_TRUE(CheckNodes("r1", {node}).ok());
  node.address = "198.19.255.254";
  EXPECT_TRUE(CheckNodes("r1", {node}).ok());
  for (const char* outside : {"198.20.0.1", "10.0.0.1", "198.18.0.2/24", "::1", ""}) {
    node.address = outside;
    const Status checked = CheckNodes("r1", {node});
    ASSERT_FALSE(checked.ok()) << outside;
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
  }
  node.address = "198.18.0.2";
  node.netns = "/run/netns/other";
  EXPECT_FALSE(CheckNodes("r1", {node}).ok());
  EXPECT_FALSE(CheckNodes("r1", {}).ok());
}

}  // namespace
}  // namespace faultline::chaos
