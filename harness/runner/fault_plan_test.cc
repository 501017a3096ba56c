#include "harness/runner/fault_plan.h"

#include <gtest/gtest.h>

namespace faultline::runner {
namespace {

using scenario::Fault;

std::vector<chaos::NodeRef> Nodes(int n) {
  std::vector<chaos::NodeRef> nodes;
  for (int i = 1; i <= n; ++i) nodes.push_back({"node-" + std::to_string(i), "", "", "", ""});
  return nodes;
}

std::vector<std::vector<std::string>> Names(
    const std::vector<std::vector<chaos::NodeRef>>& groups) {
  std::vector<std::vector<std::string>> out;
  for (const auto& group : groups) {
    out.emplace_back();
    for (const auto& node : group) out.back().push_back(node.name);
  }
  return out;
}

TEST(PartitionGroupsTest, IsolateCutsTheFirstNodeFromTheRest) {
  auto cuts = PartitionGroups(Fault::Partition::kIsolate, Nodes(3));
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(Names(cuts[0]),
            (std::vector<std::vector<std::string>>{{"node-1"}, {"node-2", "node-3"}}));
}

TEST(PartitionGroupsTest, MajorityMinorityPutsTheSmallerHalfFirst) {
  auto cuts = PartitionGroups(Fault::Partition::kMajorityMinority, Nodes(5));
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(Names(cuts[0]), (std::vector<std::vector<std::string>>{
                                {"node-1", "node-2"}, {"node-3", "node-4", "node-5"}}));
}

TEST(PartitionGroupsTest, RingCutsEveryPairOfNonNeighbours) {
  // 4 nodes on a ring: 1-3 and 2-4 are the only non-neighbours.
  auto cuts = PartitionGroups(Fault::Partition::kRing, Nodes(4));
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(Names(cuts[0]), (std::vector<std::vector<std::string>>{{"node-1"}, {"node-3"}}));
  EXPECT_EQ(Names(cuts[1]), (std::vector<std::vector<std::string>>{{"node-2"}, {"node-4"}}));
  // On 3 nodes everyone is a neighbour: nothing to cut.
  EXPECT_TRUE(PartitionGroups(Fault::Partition::kRing, Nodes(3)).empty());
}

TEST(PartitionGroupsTest, OneNodeCannotBePartitioned) {
  EXPECT_TRUE(PartitionGroups(Fault::Partition::kIsolate, Nodes(1)).empty());
}

TEST(PlanFaultsTest, ResolvesNamedNodesAndRejectsUnknownOnes) {
  scenario::Scenario s;
  Fault pause;
  pause.kind = "node.pause";
  pause.ttl = std::chrono::seconds(1);
  pause.nodes = {"node-2"};
  Fault ghost = pause;
  ghost.nodes = {"node-9"};
  Fault bound = pause;
  bound.step = "storm";
  s.faults = {pause, ghost, bound};
  chaos::ContainerRoster roster;
  const auto nodes = Nodes(3);
  auto planned = PlanFaults(s, std::nullopt, nodes, roster, "r1", 7, {}, nullptr);
  ASSERT_EQ(planned.size(), 2u);  // the step-bound one is planned with its step
  auto resolved = planned[0].resolve(0);
  ASSERT_TRUE(resolved.ok()) << resolved.error().ToString();
  ASSERT_EQ(resolved->size(), 1u);
  ASSERT_EQ((*resolved)[0].nodes.size(), 1u);
  EXPECT_EQ((*resolved)[0].nodes[0].name, "node-2");
  EXPECT_EQ((*resolved)[0].all_nodes.size(), 3u);
  EXPECT_FALSE(planned[1].resolve(0).ok());
  EXPECT_EQ(PlanFaults(s, std::string("storm"), nodes, roster, "r1", 7, {}, nullptr).size(), 1u);
}

TEST(PlanFaultsTest, PlatformFaultsActOnTheirTargetsDaemonAndOnlyInItsExecutions) {
  scenario::Scenario s;
  s.targets.resize(2);
  s.targets[0].name = "plain";
  s.targets[1].name = "restoring";
  Fault restart;
  restart.kind = "platform.daemon_restart";
  restart.ttl = std::chrono::seconds(1);
  restart.nodes = {"node-1", "node-2"};
  restart.step = "churn";  // acts on the daemon of whichever target the execution runs
  Fault only_restoring = restart;
  only_restoring.target = "restoring";
  s.faults = {restart, only_restoring};
  chaos::ContainerRoster roster;
  const auto nodes = Nodes(2);
  // Stands for the drivers' daemons: any non-null pointer, remembered by (target, node).
  std::vector<std::pair<std::string, std::string>> asked;
  int stand_in = 0;
  const DaemonLookup daemons = [&](const std::string& target, const std::string& node) {
    asked.emplace_back(target, node);
    return node == "node-2" && target == "plain"
               ? nullptr
               : reinterpret_cast<chaos::PlatformDaemon*>(&stand_in);
  };
  reports::FaultRecord scope;
  scope.step = "churn";
  scope.target = "restoring";
  auto planned = PlanFaults(s, std::string("churn"), nodes, roster, "r1", 7, scope, daemons);
  ASSERT_EQ(planned.size(), 2u);
  auto resolved = planned[0].resolve(0);
  ASSERT_TRUE(resolved.ok()) << resolved.error().ToString();
  EXPECT_EQ((*resolved)[0].daemons.size(), 2u);
  EXPECT_EQ(asked, (std::vector<std::pair<std::string, std::string>>{{"restoring", "node-1"},
                                                                     {"restoring", "node-2"}}));
  scope.target = "plain";
  planned = PlanFaults(s, std::string("churn"), nodes, roster, "r1", 7, scope, daemons);
  ASSERT_EQ(planned.size(), 1u) << "the fault naming 'restoring' is not in plain's executions";
  auto missing = planned[0].resolve(0);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "target plain runs no platform daemon on node-2");
}

}  // namespace
}  // namespace faultline::runner
