// network.bandwidth (tbf) and network.delay (netem where the kernel has it, else the NFQUEUE
// delayer on the receiving side).
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "chaos/network/iptables_rules.h"
#include "chaos/network/network_faults.h"
#include "chaos/network/tc_qdisc.h"
#include "chaos/support/helper_process.h"
#include "chaos/support/netns_command.h"
#include "chaos/support/ownership.h"
#include "chaos/support/recorded_fault.h"
#include "harness/core/clock.h"
#include "harness/core/files.h"

namespace faultline::chaos {
namespace {

// NFQUEUE queue number of the delayer; queues are per network namespace.
constexpr const char* kDelayQueue = "64023";
constexpr auto kDelayerReadyTimeout = std::chrono::seconds(5);

std::string Micros(Nanos value) {
  return std::to_string(value.count() / 1000) + "us";
}

// One root qdisc per node, each under a handle unlike the link's current root.
Result<std::vector<OwnedQdisc>> NewQdiscs(const std::vector<NodeRef>& nodes) {
  std::vector<OwnedQdisc> qdiscs;
  for (const auto& node : nodes) {
    FL_ASSIGN_OR_RETURN(std::string root, RootHandle(node.netns, node.link));
    qdiscs.push_back({node.netns, node.link, PickOwnedHandle(root)});
  }
  return qdiscs;
}

class Bandwidth : public NamedMechanism {
 public:
  Bandwidth() : NamedMechanism("network.bandwidth", "tbf qdisc (sending side)") {}

  Status Probe() override {
    FL_ASSIGN_OR_RETURN(bool works,
                        RunSucceeds(InThrowawayNetns({"tc", "qdisc", "add", "dev", "lo", "root",
                                                      "handle", "fa01:", "tbf", "rate", "1mbit",
                                                      "burst", "10kb", "latency", "50ms"})));
    if (!works) return FailedPrecondition("the kernel has no tbf qdisc (sch_tbf)");
    return OkStatus();
  }

  Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                              Journal& journal) override {
    if (params.rate_bits_per_second < 8000) {
      return InvalidArgument("bandwidth rate must be at least 8000 bit/s");
    }
    FL_RETURN_IF_ERROR(CheckNodes(params.run_id, params.nodes));
    FL_ASSIGN_OR_RETURN(std::vector<OwnedQdisc> qdiscs, NewQdiscs(params.nodes));
    return InjectRecorded(
        params, journal, mechanism_, {{"type", "tc_qdisc"}, {"qdiscs", QdiscsToJson(qdiscs)}},
        UndoNetworkRecord, [&](std::vector<HelperProcess>&) -> Status {
          for (const auto& q : qdiscs) {
            FL_RETURN_IF_ERROR(AddRootQdisc(q, TbfArgs(params.rate_bits_per_second)));
          }
          return OkStatus();
        });
  }
};

class Delay : public NamedMechanism {
 public:
  explicit Delay(DelayVia via)
      : NamedMechanism("network.delay", "netem, else NFQUEUE delayer"), via_(via) {}

  Status Probe() override {
    bool netem = false;
    if (via_ == DelayVia::kNetemWhereAvailable) {
      FL_ASSIGN_OR_RETURN(
          netem, RunSucceeds(InThrowawayNetns({"tc", "qdisc", "add", "dev", "lo", "root", "handle",
                                               "fa01:", "netem", "delay", "1ms"})));
    }
    use_netem_ = netem;
    probed_ = true;
    if (netem) {
      mechanism_ = "netem qdisc (sending side)";
      return OkStatus();
    }
    mechanism_ = via_ == DelayVia::kDelayer ? "NFQUEUE delayer" : "NFQUEUE delayer (no sch_netem)";
    const std::string delayer = DelayerPath();
    if (delayer.empty()) {
      return FailedPrecondition("no sch_netem, and faultline-delayer was not found");
    }
    FL_ASSIGN_OR_RETURN(
        bool rule,
        RunSucceeds(InThrowawayNetns({"iptables", "-w", "5", "-A", "INPUT", "-i", "lo", "-j",
                                      "NFQUEUE", "--queue-num", kDelayQueue, "--queue-bypass"})));
    if (!rule) return FailedPrecondition("no sch_netem, and iptables has no NFQUEUE target");
    FL_ASSIGN_OR_RETURN(bool binds, RunSucceeds(InThrowawayNetns({delayer, "--probe"})));
    if (!binds) return FailedPrecondition("no sch_netem, and the delayer cannot bind a queue");
    return OkStatus();
  }

  Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                              Journal& journal) override {
    if (params.delay.count() <= 0 || params.jitter.count() < 0) {
      return InvalidArgument("delay must be positive and jitter not negative");
    }
    FL_RETURN_IF_ERROR(CheckNodes(params.run_id, params.nodes));
    if (!probed_) FL_RETURN_IF_ERROR(Probe());
    return use_netem_ ? InjectNetem(params, journal) : InjectDelayer(params, journal);
  }

 private:
  Result<std::unique_ptr<ActiveFault>> InjectNetem(const FaultParams& params, Journal& journal) {
    FL_ASSIGN_OR_RETURN(std::vector<OwnedQdisc> qdiscs, NewQdiscs(params.nodes));
    std::vector<std::string> args = {"netem", "delay", Micros(params.delay)};
    if (params.jitter.count() > 0) args.push_back(Micros(params.jitter));
    return InjectRecorded(params, journal, mechanism_,
                          {{"type", "tc_qdisc"}, {"qdiscs", QdiscsToJson(qdiscs)}},
                          UndoNetworkRecord, [&](std::vector<HelperProcess>&) -> Status {
                            for (const auto& q : qdiscs) FL_RETURN_IF_ERROR(AddRootQdisc(q, args));
                            return OkStatus();
                          });
  }

  // One delayer per node, in a cgroup of its own below the run's, bound to the node's queue
  // before the rule sends packets to it.
  Result<std::unique_ptr<ActiveFault>> InjectDelayer(const FaultParams& params, Journal& journal) {
    const std::string delayer = DelayerPath();
    if (delayer.empty()) return FailedPrecondition("faultline-delayer was not found");
    const std::string tag = NewFaultTag(params.run_id, "delay");
    std::vector<IptablesRule> rules;
    std::vector<std::string> cgroups;
    for (const auto& node : params.nodes) {
      rules.push_back({node.netns, "filter", "INPUT",
                       TaggedSpec({"-i", node.link}, tag,
                                  {"NFQUEUE", "--queue-num", kDelayQueue, "--queue-bypass"})});
      cgroups.push_back("faultline/" + params.run_id + "/" + tag + "-" + node.name);
    }
    nlohmann::json undo = {
        {"type", "nfqueue_delay"}, {"rules", RulesToJson(rules)}, {"cgroups", cgroups}};
    return InjectRecorded(
        params, journal, mechanism_, std::move(undo), UndoNetworkRecord,
        [&](std::vector<HelperProcess>& helpers) -> Status {
          for (size_t i = 0; i < params.nodes.size(); ++i) {
            FL_RETURN_IF_ERROR(CreateChildCgroup(cgroups[i]));
            std::vector<std::string> argv = {delayer,
                                             "--netns",
                                             params.nodes[i].netns,
                                             "--queue",
                                             kDelayQueue,
                                             "--delay-ns",
                                             std::to_string(params.delay.count()),
                                             "--jitter-ns",
                                             std::to_string(params.jitter.count())};
            if (params.expires_ns > 0) {
              argv.insert(argv.end(), {"--until-boot-ns", std::to_string(params.expires_ns)});
            }
            FL_ASSIGN_OR_RETURN(HelperProcess helper,
                                StartHelper({argv, cgroups[i], kDelayerReadyTimeout}));
            helpers.push_back(std::move(helper));
            FL_RETURN_IF_ERROR(InsertRule(rules[i]));
          }
          return OkStatus();
        });
  }

  const DelayVia via_;
  bool probed_ = false;
  bool use_netem_ = false;
};

}  // namespace

std::string DelayerPath() {
#ifdef FAULTLINE_DELAYER_BUILD_PATH
  return FindCompanion("faultline-delayer", "FAULTLINE_DELAYER", FAULTLINE_DELAYER_BUILD_PATH);
#else
  return FindCompanion("faultline-delayer", "FAULTLINE_DELAYER", nullptr);
#endif
}

std::unique_ptr<FaultMechanism> MakeBandwidthMechanism() {
  return std::make_unique<Bandwidth>();
}

std::unique_ptr<FaultMechanism> MakeDelayMechanism(DelayVia via) {
  return std::make_unique<Delay>(via);
}

}  // namespace faultline::chaos
