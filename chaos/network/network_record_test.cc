// Record validation and argv building, without root: undo must refuse whatever a run does not
// own before running anything.
#include <gtest/gtest.h>

#include "chaos/network/iptables_rules.h"
#include "chaos/network/mechanisms.h"
#include "chaos/network/network_faults.h"
#include "chaos/network/tc_filter.h"
#include "chaos/network/tc_qdisc.h"
#include "chaos/node/node_faults.h"
#include "harness/core/journal.h"

namespace faultline::chaos {
namespace {

nlohmann::json Record(nlohmann::json undo) {
  return {{"kind", "network.loss"}, {"mechanism", "m"}, {"expires_ns", 0}, {"undo", undo}};
}

IptablesRule LossRule(const std::string& netns, const std::string& tag) {
  return {netns, "filter", "INPUT",
          TaggedSpec({"-i", "eth0", "-m", "statistic", "--mode", "random", "--probability", "0.1"},
                     tag, {"DROP"})};
}

TEST(IptablesRulesTest, SpecCarriesTheTagBeforeTheTarget) {
  const auto spec = TaggedSpec({"-s", "198.18.0.3/32"}, "fl-r1-x-00000001", {"DROP"});
  EXPECT_EQ(spec, (std::vector<std::string>{"-s", "198.18.0.3/32", "-m", "comment", "--comment",
                                            "fl-r1-x-00000001", "-j", "DROP"}));
  EXPECT_EQ(RuleTag(spec), "fl-r1-x-00000001");
  EXPECT_EQ(RuleTag({"-j", "DROP"}), "");
}

TEST(IptablesRulesTest, ArgvInsertsAtTheTopInsideTheNamespace) {
  const auto rule = LossRule("/run/netns/fl-r1-node-1", "fl-r1-loss-00000001");
  const auto argv = IptablesArgv(rule, "-I");
  ASSERT_GE(argv.size(), 11u);
  EXPECT_EQ(std::vector<std::string>(argv.begin(), argv.begin() + 11),
            (std::vector<std::string>{"nsenter", "--net=/run/netns/fl-r1-node-1", "--", "iptables",
                                      "-w", "5", "-t", "filter", "-I", "INPUT", "1"}));
  const auto check = IptablesArgv(rule, "-C");
  EXPECT_EQ(check[8], "-C");
  EXPECT_EQ(check[10], "-i");  // no position for a check
}

TEST(IptablesRulesTest, RoundTripAndRefusals) {
  const auto rule = LossRule("/run/netns/fl-r1-node-1", "fl-r1-loss-00000001");
  auto parsed = RulesFromJson("r1", RulesToJson({rule}));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->at(0), rule);

  EXPECT_FALSE(RulesFromJson("r2", RulesToJson({rule})).ok());  // another run's
  EXPECT_FALSE(
      RulesFromJson("r1", RulesToJson({LossRule("/proc/1/ns/net", "fl-r1-loss-00000001")})).ok());
  EXPECT_FALSE(
      RulesFromJson("r1", RulesToJson({LossRule("/run/netns/fl-r1-n", "fl-r2-loss-00000001")}))
          .ok());
  auto untagged = rule;
  untagged.spec = {"-j", "DROP"};
  EXPECT_FALSE(RulesFromJson("r1", RulesToJson({untagged})).ok());
  auto smuggled = rule;
  smuggled.spec.insert(smuggled.spec.begin(), {"-F"});
  EXPECT_FALSE(RulesFromJson("r1", RulesToJson({smuggled})).ok());
  auto chain = rule;
  chain.chain = "DOCKER";
  EXPECT_FALSE(RulesFromJson("r1", RulesToJson({chain})).ok());
  EXPECT_FALSE(RulesFromJson("r1", nlohmann::json::array({{{"netns", 3}}})).ok());
}

TEST(TcQdiscTest, OnlyOwnedHandlesInTheRunsNamespaces) {
  const OwnedQdisc q{"/run/netns/fl-r1-node-1", "eth0", "fa17:"};
  EXPECT_TRUE(QdiscsFromJson("r1", QdiscsToJson({q})).ok());
  EXPECT_FALSE(QdiscsFromJson("r2", QdiscsToJson({q})).ok());
  EXPECT_FALSE(QdiscsFromJson("r1", QdiscsToJson({{q.netns, "eth0", "1:"}})).ok());
  for (const char* foreign : {"fa00:", "FA17:", "fa1:", "fa170:", "fb17:", "fa17"}) {
    EXPECT_FALSE(IsOwnedHandle(foreign)) << foreign;
  }
  for (int i = 0; i < 300; ++i) {
    const std::string picked = PickOwnedHandle("fa17:");
    EXPECT_TRUE(IsOwnedHandle(picked)) << picked;
    EXPECT_NE(picked, "fa17:");
  }
  EXPECT_FALSE(QdiscsFromJson("r1", QdiscsToJson({{q.netns, "eth0 root", "fa18:"}})).ok());
}

TEST(TcQdiscTest, TbfBurstIsTenMillisecondsAndAtLeastTwoFrames) {
  EXPECT_EQ(TbfArgs(80'000'000), (std::vector<std::string>{"tbf", "rate", "80000000bit", "burst",
                                                           "100000", "latency", "100ms"}));
  EXPECT_EQ(TbfArgs(1'000'000)[4], "3028");
}

TEST(UndoRecordTest, RefusesWhatTheRunDoesNotOwnBeforeTouchingAnything) {
  const auto foreign = Record(
      {{"type", "iptables"},
       {"rules", RulesToJson({LossRule("/run/netns/fl-other-node-1", "fl-other-loss-00000001")})}});
  const Status refused = UndoNetworkRecord("r1", foreign);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);

  const auto delayer = Record({{"type", "nfqueue_delay"},
                               {"rules", nlohmann::json::array()},
                               {"cgroups", {"faultline/r1/../../system.slice"}}});
  EXPECT_FALSE(UndoNetworkRecord("r1", delayer).ok());
  const auto stress = Record({{"type", "stress_cgroup"}, {"cgroups", {"faultline/r1/node-1"}}});
  EXPECT_FALSE(UndoNodeRecord("r1", stress).ok());  // the node itself, not a stress cgroup
  const auto fill = Record({{"type", "fill_file"}, {"paths", {"/etc/passwd"}}});
  EXPECT_FALSE(UndoNodeRecord("r1", fill).ok());
  const auto climbing =
      Record({{"type", "fill_file"}, {"paths", {RunsDir() + "/r1/fl-r1-fill-00000000-n/../../x"}}});
  EXPECT_FALSE(UndoNodeRecord("r1", climbing).ok());
  EXPECT_FALSE(UndoNetworkRecord("r1", {{"kind", "network.loss"}}).ok());
}

TEST(UndoRecordTest, GoneResourcesAreUndoneAlready) {
  // The namespace, cgroup and file do not exist: nothing to run, and success (idempotent).
  const auto rules =
      Record({{"type", "iptables"},
              {"rules", RulesToJson({LossRule("/run/netns/fl-r1-gone", "fl-r1-loss-00000001")})}});
  EXPECT_TRUE(UndoNetworkRecord("r1", rules).ok());
  const auto qdisc =
      Record({{"type", "tc_qdisc"},
              {"qdiscs", QdiscsToJson({{"/run/netns/fl-r1-gone", "eth0", "fa18:"}})}});
  EXPECT_TRUE(UndoNetworkRecord("r1", qdisc).ok());
  const auto fill =
      Record({{"type", "fill_file"}, {"paths", {RunsDir() + "/r1/fl-r1-fill-00000000-node-1"}}});
  EXPECT_TRUE(UndoNetworkOrNodeLoadRecord("r1", fill).ok());
  const auto other = Record({{"type", "freezer"}});
  const Status unknown = UndoNetworkOrNodeLoadRecord("r1", other);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST(StressArgvTest, WorkersBytesAndTheSafetyTimeout) {
  EXPECT_EQ(StressArgv("node.cpu_stress", 2, 0, 30),
            (std::vector<std::string>{"stress-ng", "--quiet", "--cpu", "2", "--timeout", "30s"}));
  EXPECT_EQ(StressArgv("node.memory_stress", 2, 100 << 20, 0),
            (std::vector<std::string>{"stress-ng", "--quiet", "--vm", "2", "--vm-bytes",
                                      std::to_string(50 << 20), "--vm-keep"}));
}

TEST(MechanismsTest, EveryKindOnceWithADescription) {
  auto all = MakeNetworkMechanisms();
  std::set<std::string> kinds;
  for (const auto& m : all) {
    EXPECT_FALSE(m->mechanism().empty()) << m->kind();
    kinds.insert(m->kind());
  }
  EXPECT_EQ(kinds,
            (std::set<std::string>{"network.partition", "network.loss", "network.bandwidth",
                                   "network.delay", "network.duplicate", "network.corrupt",
                                   "node.cpu_stress", "node.memory_stress", "node.disk_fill"}));
}

TEST(TcFilterRecordTest, RoundTripAndRefusals) {
  const OwnedFilter filter{"/run/netns/fl-r1-node-1", "eth0", 0xfa07, true, 65535};
  auto parsed = FiltersFromJson("r1", FiltersToJson({filter}));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->at(0).priority, 0xfa07u);
  EXPECT_TRUE(parsed->at(0).created_clsact);
  EXPECT_EQ(parsed->at(0).gso_max_segs, 65535u);

  EXPECT_FALSE(FiltersFromJson("r2", FiltersToJson({filter})).ok());  // another run's
  auto foreign = filter;
  foreign.priority = 1;  // not a priority faultline gives out
  EXPECT_FALSE(FiltersFromJson("r1", FiltersToJson({foreign})).ok());
  auto bad_link = filter;
  bad_link.link = "eth0 root";
  EXPECT_FALSE(FiltersFromJson("r1", FiltersToJson({bad_link})).ok());
  EXPECT_FALSE(FiltersFromJson("r1", nlohmann::json::array({{{"netns", "x"}}})).ok());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(IsOwnedPriority(PickOwnedPriority()));
}

TEST(TcFilterRecordTest, UndoRefusesForeignFiltersBeforeTouchingAnything) {
  const OwnedFilter filter{"/run/netns/fl-r2-node-1", "eth0", 0xfa07, true, 65535};
  nlohmann::json record = Record({{"type", "tc_bpf"}, {"filters", FiltersToJson({filter})}});
  Status undone = UndoNetworkOrNodeLoadRecord("r1", record);
  ASSERT_FALSE(undone.ok());
  EXPECT_EQ(undone.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace faultline::chaos
