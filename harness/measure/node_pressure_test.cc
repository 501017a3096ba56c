#include "harness/measure/node_pressure.h"

#include <gtest/gtest.h>

namespace faultline::measure {
namespace {

TEST(NodePressure, GrowthIsAShareOfTheWindow) {
  const std::map<std::string, PressureTotals> before = {
      {"cpu", {1'000, 0}}, {"memory", {0, 0}}, {"io", {500, std::nullopt}}};
  const std::map<std::string, PressureTotals> after = {
      {"cpu", {251'000, 0}}, {"memory", {100'000, 50'000}}, {"io", {500, std::nullopt}}};
  // A 1 s window: 250 ms of CPU stall is a quarter of it.
  const auto shares = StalledShares(before, after, 1'000'000'000);
  EXPECT_DOUBLE_EQ(shares.at("cpu.some"), 0.25);
  EXPECT_DOUBLE_EQ(shares.at("cpu.full"), 0.0);
  EXPECT_DOUBLE_EQ(shares.at("memory.some"), 0.1);
  EXPECT_DOUBLE_EQ(shares.at("memory.full"), 0.05);
  EXPECT_DOUBLE_EQ(shares.at("io.some"), 0.0);
  EXPECT_FALSE(shares.contains("io.full"));  // the kernel kept none
}

TEST(NodePressure, SharesStayWithinTheWindow) {
  // Totals read a little after the window closed can exceed it; a reset cgroup shrinks them.
  const auto over = StalledShares({{"cpu", {0, {}}}}, {{"cpu", {2'000'000, {}}}}, 1'000'000'000);
  EXPECT_DOUBLE_EQ(over.at("cpu.some"), 1.0);
  const auto shrunk = StalledShares({{"cpu", {50, {}}}}, {{"cpu", {10, {}}}}, 1'000'000'000);
  EXPECT_DOUBLE_EQ(shrunk.at("cpu.some"), 0.0);
  EXPECT_TRUE(StalledShares({{"cpu", {0, {}}}}, {{"cpu", {1, {}}}}, 0).empty());
}

}  // namespace
}  // namespace faultline::measure
