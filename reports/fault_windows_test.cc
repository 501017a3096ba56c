#include "reports/fault_windows.h"

#include <gtest/gtest.h>

namespace faultline::reports {
namespace {

TEST(FaultWindows, AbsentMeansNone) {
  auto read = ReadFaultWindows(nlohmann::json::parse(R"({"schema_version": 1})"));
  EXPECT_TRUE(read.windows.empty());
  EXPECT_TRUE(read.skipped.empty());
}

TEST(FaultWindows, ReadsEntriesAndSkipsMalformedOnesWithAReason) {
  auto read = ReadFaultWindows(nlohmann::json::parse(R"({"faults": [
    {"kind": "node.pause", "inject_ns": 100, "revert_ns": 250, "nodes": ["node-2"], "extra": 1},
    {"kind": "network.partition", "inject_ns": 300},
    {"inject_ns": 5},
    {"kind": "node.pause", "inject_ns": "soon"}
  ]})"));
  ASSERT_EQ(read.windows.size(), 2u);
  EXPECT_EQ(read.windows[0].kind, "node.pause");
  EXPECT_EQ(read.windows[0].inject_ns, 100);
  EXPECT_EQ(read.windows[0].revert_ns, 250);
  EXPECT_EQ(read.windows[0].nodes, std::vector<std::string>{"node-2"});
  EXPECT_FALSE(read.windows[1].revert_ns.has_value());
  EXPECT_EQ(read.skipped, (std::vector<std::string>{"faults[2]: no string `kind`",
                                                    "faults[3]: no integer `inject_ns`"}));
}

TEST(FaultWindows, WrongTypeIsReported) {
  auto read = ReadFaultWindows(nlohmann::json::parse(R"({"faults": {}})"));
  EXPECT_TRUE(read.windows.empty());
  ASSERT_EQ(read.skipped.size(), 1u);
  EXPECT_NE(read.skipped[0].find("expected an array"), std::string::npos);
}

}  // namespace
}  // namespace faultline::reports
