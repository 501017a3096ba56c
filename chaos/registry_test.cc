#include "chaos/registry.h"

#include <gtest/gtest.h>

#include <set>

#include "chaos/cgroup_control.h"

namespace faultline::chaos {
namespace {

TEST(Registry, EveryKindHasOneMechanismAndKnownRequirements) {
  std::set<std::string> kinds;
  for (const auto& m : AllMechanisms()) {
    EXPECT_TRUE(kinds.insert(m->kind()).second) << "two mechanisms for " << m->kind();
    EXPECT_NE(FindFaultKind(m->kind()), nullptr) << m->kind() << " has no requirements entry";
  }
  for (const char* kind : {"node.kill", "node.pause", "container.kill", "container.oom",
                           "network.partition", "network.loss", "network.delay",
                           "network.bandwidth", "node.cpu_stress", "node.disk_fill"}) {
    EXPECT_NE(MechanismFor(kind), nullptr) << kind;
  }
  EXPECT_EQ(MechanismFor("node.explode"), nullptr);
}

TEST(Registry, RequirementsPerKind) {
  EXPECT_EQ(FindFaultKind("network.loss")->required, std::vector<std::string>{"probability"});
  EXPECT_EQ(FindFaultKind("network.partition")->target, FaultTarget::kGroups);
  EXPECT_EQ(FindFaultKind("container.oom")->target, FaultTarget::kContainers);
  EXPECT_EQ(FindFaultKind("nope"), nullptr);
}

TEST(Ownership, OnlyTheRunsOwnCgroups) {
  EXPECT_TRUE(OwnedByRun("faultline/abc", "abc"));
  EXPECT_TRUE(OwnedByRun("faultline/abc/node-1", "abc"));
  EXPECT_FALSE(OwnedByRun("faultline/abcd", "abc"));
  EXPECT_FALSE(OwnedByRun("faultline/abc/../xyz", "abc"));
  EXPECT_FALSE(OwnedByRun("system.slice", "abc"));
  EXPECT_TRUE(OwnedByRun("faultline_abc.slice", "abc"));
  EXPECT_TRUE(OwnedByRun("faultline_abc.slice/faultline_abc-local.slice", "abc"));
  EXPECT_FALSE(OwnedByRun("faultline_abcd.slice", "abc"));
  EXPECT_FALSE(OwnedByRun("faultline_abc.slice/../system.slice", "abc"));
  EXPECT_FALSE(OwnedByRun("faultline/abc", ""));
}

// The undo dispatch refuses records that name what the run does not own, before touching
// anything (these records would thaw or write into foreign cgroups).
TEST(UndoFaultRecord, RefusesForeignOrMalformedRecords) {
  struct Case {
    const char* label;
    nlohmann::json data;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"not an object", nlohmann::json::array(), "malformed fault record"},
      {"no undo", {{"mechanism", "cgroup freezer"}}, "malformed fault record"},
      {"unknown mechanism",
       {{"mechanism", "rm -rf"}, {"undo", nlohmann::json::object()}},
       "unknown mechanism 'rm -rf'"},
      {"foreign cgroup",
       {{"mechanism", "cgroup freezer"},
        {"undo", {{"interface", "v1"}, {"cgroups", {"system.slice"}}}}},
       "refusing to touch cgroup system.slice"},
      {"other run's cgroup",
       {{"kind", "node.kill"},
        {"mechanism", "cgroup freeze-kill-thaw"},
        {"undo", {{"interface", "v2"}, {"cgroups", {"faultline/other/node-1"}}}}},
       "refusing to touch cgroup faultline/other/node-1"},
      {"climbing out",
       {{"mechanism", "cgroup freezer"},
        {"undo", {{"interface", "v1"}, {"cgroups", {"faultline/run1/../../init.scope"}}}}},
       "refusing to touch cgroup"},
      {"bad interface",
       {{"mechanism", "cgroup freezer"},
        {"undo", {{"interface", "v3"}, {"cgroups", {"faultline/run1"}}}}},
       "unknown freezer interface 'v3'"},
      {"foreign container",
       {{"mechanism", "cgroup sigkill"},
        {"undo", {{"containers", {{{"id", "web-1"}, {"cgroup", "faultline/run1/web-1"}}}}}}},
       "refusing to touch container web-1"},
      {"oom record writing another file",
       {{"mechanism", "memory limit + allocator"},
        {"undo",
         {{"containers",
           {{{"id", "fl-run1-a"},
             {"cgroup", "faultline/run1/fl-run1-a"},
             {"limit_file", "../../memory.limit_in_bytes"},
             {"old_limit", "1"},
             {"allocator_pid", 0},
             {"allocator_start", 0},
             {"oom_score_adj", nlohmann::json::object()}}}}}}},
       "refusing to write ../../memory.limit_in_bytes"},
      {"oom record with a strange OOM group value",
       {{"mechanism", "memory limit + allocator"},
        {"undo",
         {{"containers",
           {{{"id", "fl-run1-a"},
             {"cgroup", "faultline/run1/fl-run1-a"},
             {"limit_file", "memory.max"},
             {"old_limit", "max"},
             {"old_oom_group", "1\n+memory"},
             {"allocator_pid", 0},
             {"allocator_start", 0},
             {"oom_score_adj", nlohmann::json::object()}}}}}}},
       "refusing to write memory.oom.group"},
      {"network rule in a foreign namespace",
       {{"mechanism", "iptables statistic"},
        {"undo",
         {{"type", "iptables"},
          {"rules",
           {{{"netns", "/run/netns/other"},
             {"table", "filter"},
             {"chain", "INPUT"},
             {"spec", {"-j", "DROP"}}}}}}}},
       "not owned by run run1"},
  };
  for (const auto& c : cases) {
    Status status = UndoFaultRecord("run1", c.data);
    ASSERT_FALSE(status.ok()) << c.label;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument) << c.label;
    EXPECT_NE(status.error().message.find(c.message), std::string::npos)
        << c.label << ": " << status.error().message;
  }
}

TEST(UndoFaultRecord, ContainerKillOfTheRunNeedsNothingUndone) {
  nlohmann::json data = {
      {"mechanism", "cgroup sigkill"},
      {"undo", {{"containers", {{{"id", "fl-run1-a"}, {"cgroup", "faultline/run1/fl-run1-a"}}}}}}};
  EXPECT_TRUE(UndoFaultRecord("run1", data).ok());
}

}  // namespace
}  // namespace faultline::chaos
