#include "harness/cluster/placement.h"

#include <gtest/gtest.h>

namespace faultline::cluster {
namespace {

const std::vector<std::string> kNodes = {"node-1", "node-2", "node-3"};

std::vector<std::size_t> PlaceMany(Placer& placer, int count) {
  std::vector<std::size_t> placed;
  for (int i = 0; i < count; ++i) {
    auto node = placer.Place();
    EXPECT_TRUE(node.ok()) << node.error().ToString();
    if (node.ok()) placed.push_back(*node);
  }
  return placed;
}

TEST(Placement, SpreadGoesRoundRobinAndRefillsTheLeastLoaded) {
  Placer placer(Placement::kSpread, kNodes, {});
  EXPECT_EQ(PlaceMany(placer, 6), (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
  placer.Release(1);
  EXPECT_EQ(*placer.Place(), 1u);  // the least loaded
}

TEST(Placement, BinpackFillsANodeToCapacityBeforeTheNext) {
  Placer placer(Placement::kBinpack, kNodes, {2, 2, 2});
  EXPECT_EQ(PlaceMany(placer, 5), (std::vector<std::size_t>{0, 0, 1, 1, 2}));
  placer.Release(0);
  EXPECT_EQ(*placer.Place(), 0u);  // room again on the first node
  EXPECT_EQ(*placer.Place(), 2u);
  auto full = placer.Place();
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kUnavailable);
}

TEST(Placement, SpreadSkipsFullNodes) {
  Placer placer(Placement::kSpread, kNodes, {1, std::nullopt, 1});
  EXPECT_EQ(PlaceMany(placer, 4), (std::vector<std::size_t>{0, 1, 2, 1}));
}

TEST(Placement, PinnedUsesTheNamedNodeOnly) {
  Placer placer(Placement::kPinned, kNodes, {std::nullopt, 1, std::nullopt});
  EXPECT_EQ(*placer.Place("node-2"), 1u);
  EXPECT_EQ(placer.Place("node-2").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(placer.Place("node-9").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(placer.Place().error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(placer.load(1), 1u);
}

TEST(Placement, CapacityIsTheTightestBound) {
  NodeLimits node{2.0, 1024ull * 1024 * 1024};
  scenario::Resources container;
  EXPECT_EQ(NodeCapacity(node, container, std::nullopt), std::nullopt);
  EXPECT_EQ(NodeCapacity(node, container, 7u), 7u);
  container.cpus = 0.5;
  EXPECT_EQ(NodeCapacity(node, container, std::nullopt), 4u);
  container.memory_bytes = 512ull * 1024 * 1024;
  EXPECT_EQ(NodeCapacity(node, container, std::nullopt), 2u);
  EXPECT_EQ(NodeCapacity(node, container, 1u), 1u);
  container.cpus = 0.3;  // 2 / 0.3 = 6.67: six fit
  container.memory_bytes.reset();
  EXPECT_EQ(NodeCapacity(node, container, std::nullopt), 6u);
}

}  // namespace
}  // namespace faultline::cluster
