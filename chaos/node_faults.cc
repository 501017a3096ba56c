#include "chaos/node_faults.h"

#include "chaos/cgroup_control.h"
#include "chaos/fault_journal.h"
#include "chaos/node_state.h"

namespace faultline::chaos {
namespace {

// What both node faults undo from: the freezer interface and the node cgroups.
struct NodeUndo {
  FreezerInterface interface = FreezerInterface::kV1;
  std::vector<std::string> cgroups;

  nlohmann::json ToJson() const {
    return {{"interface", FreezerInterfaceName(interface)}, {"cgroups", cgroups}};
  }
  static Result<NodeUndo> FromJson(const std::string& run_id, const nlohmann::json& undo) {
    NodeUndo out;
    try {
      FL_ASSIGN_OR_RETURN(out.interface,
                          ParseFreezerInterface(undo.at("interface").get<std::string>()));
      out.cgroups = undo.at("cgroups").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
      return InvalidArgument(std::string("malformed node fault record: ") + e.what());
    }
    for (const auto& cgroup : out.cgroups) {
      if (!OwnedByRun(cgroup, run_id)) {
        return InvalidArgument("refusing to touch cgroup " + cgroup + ": not run " + run_id + "'s");
      }
    }
    return out;
  }
};

Result<NodeUndo> NodeTargets(const FaultParams& params) {
  if (params.nodes.empty()) return InvalidArgument(params.kind + " needs at least one node");
  FL_ASSIGN_OR_RETURN(FreezerInterface interface, HostFreezer());
  NodeUndo undo{interface, {}};
  for (const NodeRef& node : params.nodes) {
    if (!OwnedByRun(node.cgroup, params.run_id)) {
      return InvalidArgument("node " + node.name + ": cgroup " + node.cgroup + " is not run " +
                             params.run_id + "'s");
    }
    undo.cgroups.push_back(node.cgroup);
  }
  return undo;
}

Status ThawAll(const NodeUndo& undo) {
  Status last = OkStatus();
  for (const auto& cgroup : undo.cgroups) {
    Status thawed = Thaw(undo.interface, cgroup);
    if (!thawed.ok()) last = thawed;
  }
  return last;
}

class NodeMechanism : public FaultMechanism {
 public:
  NodeMechanism(std::string kind, std::string mechanism)
      : kind_(std::move(kind)), mechanism_(std::move(mechanism)) {}
  const std::string& kind() const override { return kind_; }
  const std::string& mechanism() const override { return mechanism_; }
  Status Probe() override {
    return HostFreezer().ok() ? OkStatus() : Status(HostFreezer().error());
  }

 protected:
  std::string kind_;
  std::string mechanism_;
};

class NodePause : public NodeMechanism {
 public:
  NodePause() : NodeMechanism("node.pause", "cgroup freezer") {}

  Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                              Journal& journal) override {
    FL_ASSIGN_OR_RETURN(NodeUndo undo, NodeTargets(params));
    FL_ASSIGN_OR_RETURN(std::uint64_t seq,
                        JournalFault(journal, params, mechanism_, undo.ToJson()));
    auto fault = std::make_unique<JournaledFault>(journal, seq, [undo] { return ThawAll(undo); });
    for (const auto& cgroup : undo.cgroups) {
      Status frozen = Freeze(undo.interface, cgroup);
      if (!frozen.ok()) {
        (void)fault->Revert();
        return std::move(frozen).error().With("freezing " + cgroup);
      }
    }
    return std::unique_ptr<ActiveFault>(std::move(fault));
  }

  Status Undo(const std::string& run_id, const nlohmann::json& record) override {
    FL_ASSIGN_OR_RETURN(NodeUndo undo, NodeUndo::FromJson(run_id, record));
    return ThawAll(undo);
  }
};

// What KillAll does on this host: cgroup2's cgroup.kill, or freeze, SIGKILL each, thaw in the
// v1 freezer.
std::string NodeKillMechanism() {
  auto interface = HostFreezer();
  return interface.ok() && *interface == FreezerInterface::kV2 ? "cgroup.kill"
                                                               : "cgroup freeze-kill-thaw";
}

class NodeKill : public NodeMechanism {
 public:
  NodeKill() : NodeMechanism("node.kill", NodeKillMechanism()) {}

  Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                              Journal& journal) override {
    FL_ASSIGN_OR_RETURN(NodeUndo undo, NodeTargets(params));
    FL_ASSIGN_OR_RETURN(std::uint64_t seq,
                        JournalFault(journal, params, mechanism_, undo.ToJson()));
    auto fault = std::make_unique<JournaledFault>(journal, seq, [undo] {
      Status thawed = ThawAll(undo);
      if (thawed.ok()) {
        for (const auto& cgroup : undo.cgroups) MarkNodeUp(cgroup);
      }
      return thawed;
    });
    // Down first, so nothing new is placed on the node while its processes die.
    for (const auto& cgroup : undo.cgroups) MarkNodeDown(cgroup, "node killed (node.kill)");
    for (const auto& cgroup : undo.cgroups) {
      auto killed = KillAll(undo.interface, cgroup);
      if (!killed.ok()) {
        (void)fault->Revert();
        return std::move(killed).error().With("killing the processes of " + cgroup);
      }
    }
    return std::unique_ptr<ActiveFault>(std::move(fault));
  }

  Status Undo(const std::string& run_id, const nlohmann::json& record) override {
    FL_ASSIGN_OR_RETURN(NodeUndo undo, NodeUndo::FromJson(run_id, record));
    FL_RETURN_IF_ERROR(ThawAll(undo));
    for (const auto& cgroup : undo.cgroups) MarkNodeUp(cgroup);
    return OkStatus();
  }
};

}  // namespace

std::vector<std::unique_ptr<FaultMechanism>> MakeNodeMechanisms() {
  std::vector<std::unique_ptr<FaultMechanism>> out;
  out.push_back(std::make_unique<NodeKill>());
  out.push_back(std::make_unique<NodePause>());
  return out;
}

}  // namespace faultline::chaos
