// network.partition and network.loss: tagged iptables rules on the nodes' INPUT chains. Drops
// on INPUT are silent for the sender (on OUTPUT the sending socket would see EPERM).
#include <cstdio>

#include "chaos/network/iptables_rules.h"
#include "chaos/network/network_faults.h"
#include "chaos/support/netns_command.h"
#include "chaos/support/ownership.h"
#include "chaos/support/recorded_fault.h"

namespace faultline::chaos {
namespace {

class IptablesFault : public NamedMechanism {
 public:
  using NamedMechanism::NamedMechanism;

  Status Probe() override {
    // The same kind of rule, in a namespace that vanishes with the probe.
    std::vector<std::string> argv = {"iptables", "-w", "5", "-A", "INPUT"};
    const auto spec = TaggedSpec(ProbeMatch(), "fl-probe", {"DROP"});
    argv.insert(argv.end(), spec.begin(), spec.end());
    FL_ASSIGN_OR_RETURN(bool works, RunSucceeds(InThrowawayNetns(argv)));
    if (!works) return FailedPrecondition("iptables cannot add " + mechanism_ + " rules");
    return OkStatus();
  }

  Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                              Journal& journal) override {
    FL_ASSIGN_OR_RETURN(std::vector<IptablesRule> rules, Rules(params));
    return InjectRecorded(params, journal, mechanism_,
                          {{"type", "iptables"}, {"rules", RulesToJson(rules)}}, UndoNetworkRecord,
                          [&](std::vector<HelperProcess>&) -> Status {
                            for (const auto& rule : rules) FL_RETURN_IF_ERROR(InsertRule(rule));
                            return OkStatus();
                          });
  }

 protected:
  virtual std::vector<std::string> ProbeMatch() const = 0;
  virtual Result<std::vector<IptablesRule>> Rules(const FaultParams& params) const = 0;
};

class Partition : public IptablesFault {
 public:
  Partition() : IptablesFault("network.partition", "iptables DROP by source address") {}

 protected:
  std::vector<std::string> ProbeMatch() const override {
    return {"-i", "lo", "-s", "198.18.0.1/32"};
  }

  Result<std::vector<IptablesRule>> Rules(const FaultParams& params) const override {
    if (params.groups.size() < 2) return InvalidArgument("a partition needs at least two groups");
    std::vector<NodeRef> all;
    for (const auto& group : params.groups) {
      FL_RETURN_IF_ERROR(CheckNodes(params.run_id, group));
      for (const auto& node : group) {
        for (const auto& seen : all) {
          if (seen.name == node.name) {
            return InvalidArgument("node " + node.name + " is in two partition groups");
          }
        }
        all.push_back(node);
      }
    }
    const std::string tag = NewFaultTag(params.run_id, "partition");
    std::vector<IptablesRule> rules;
    for (size_t g = 0; g < params.groups.size(); ++g) {
      for (const auto& node : params.groups[g]) {
        for (size_t other = 0; other < params.groups.size(); ++other) {
          if (other == g) continue;
          for (const auto& peer : params.groups[other]) {
            rules.push_back(
                {node.netns, "filter", "INPUT",
                 TaggedSpec({"-i", node.link, "-s", peer.address + "/32"}, tag, {"DROP"})});
          }
        }
      }
    }
    return rules;
  }
};

class Loss : public IptablesFault {
 public:
  Loss() : IptablesFault("network.loss", "iptables statistic (arriving packets)") {}

 protected:
  std::vector<std::string> ProbeMatch() const override { return Match("lo", 0.5); }

  Result<std::vector<IptablesRule>> Rules(const FaultParams& params) const override {
    if (!(params.probability > 0 && params.probability <= 1)) {
      return InvalidArgument("loss probability must be in (0, 1]");
    }
    FL_RETURN_IF_ERROR(CheckNodes(params.run_id, params.nodes));
    const std::string tag = NewFaultTag(params.run_id, "loss");
    std::vector<IptablesRule> rules;
    for (const auto& node : params.nodes) {
      rules.push_back({node.netns, "filter", "INPUT",
                       TaggedSpec(Match(node.link, params.probability), tag, {"DROP"})});
    }
    return rules;
  }

 private:
  static std::vector<std::string> Match(const std::string& link, double probability) {
    char p[32];
    std::snprintf(p, sizeof p, "%.6f", probability);
    return {"-i", link, "-m", "statistic", "--mode", "random", "--probability", p};
  }
};

}  // namespace

std::unique_ptr<FaultMechanism> MakePartitionMechanism() {
  return std::make_unique<Partition>();
}

std::unique_ptr<FaultMechanism> MakeLossMechanism() {
  return std::make_unique<Loss>();
}

}  // namespace faultline::chaos
