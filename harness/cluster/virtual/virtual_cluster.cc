#include "harness/cluster/virtual/virtual_cluster.h"

#include "harness/cluster/addressing.h"
#include "harness/cluster/node_cgroup.h"
#include "harness/cluster/resources.h"
#include "harness/core/cgroup.h"
#include "harness/core/files.h"
#include "harness/core/systemd.h"

namespace faultline::cluster {
namespace {

// Undoes a resource of any kind a virtual cluster journals.
Status Undo(const std::string& kind, const nlohmann::json& data, const std::string& id) {
  if (kind == journal_kind::kCgroup) return RemoveCgroupTree(data.at("path").get<std::string>());
  return UndoClusterResource(kind, data, id);
}

}  // namespace

Result<std::unique_ptr<VirtualCluster>> VirtualCluster::Create(const std::string& id,
                                                               const VirtualClusterSpec& spec,
                                                               Journal& journal) {
  if (spec.nodes < 1 || spec.nodes > kMaxNodes) {
    return InvalidArgument("a virtual cluster has 1.." + std::to_string(kMaxNodes) +
                           " nodes, not " + std::to_string(spec.nodes));
  }
  if (id.empty() || id.size() > 8) {
    return InvalidArgument("cluster id '" + id + "' must have 1..8 characters");
  }
  std::unique_ptr<VirtualCluster> cluster(new VirtualCluster(id, &journal));
  if (Status built = cluster->Build(spec); !built.ok()) {
    (void)cluster->Teardown();
    return std::move(built).error().With("building virtual cluster fl-" + id);
  }
  return cluster;
}

Status VirtualCluster::Own(const std::string& kind, nlohmann::json data) {
  FL_ASSIGN_OR_RETURN(std::uint64_t seq, journal_->Acquire(kind, data));
  owned_.push_back({seq, kind, std::move(data)});
  return OkStatus();
}

Status VirtualCluster::Build(const VirtualClusterSpec& spec) {
  FL_ASSIGN_OR_RETURN(SubnetLease lease, LeaseSubnet(id_, *journal_));
  owned_.push_back(
      {lease.seq, journal_kind::kSubnet, {{"path", lease.path}, {"index", lease.index}}});
  subnet_index_ = lease.index;
  cgroup_driver_ = spec.cgroup_driver;
  if (cgroup_driver_ == CgroupDriver::kSystemd) {
    // The cluster's own slice first: stopping it stops every node's.
    const std::string unit = OwnerSliceName(id_);
    FL_RETURN_IF_ERROR(Own(journal_kind::kSlice, {{"unit", unit}}));
    FL_RETURN_IF_ERROR(CreateNodeSlice(unit, "faultline cluster " + id_, {}).status());
  }

  const std::string bridge_ns = BridgeNetnsName(id_);
  FL_RETURN_IF_ERROR(Own(journal_kind::kNetns, {{"name", bridge_ns}}));
  FL_RETURN_IF_ERROR(RunIp({"netns", "add", bridge_ns}));
  FL_RETURN_IF_ERROR(RunIp({"-n", bridge_ns, "link", "set", "lo", "up"}));
  const std::string bridge = BridgeName(id_);
  FL_RETURN_IF_ERROR(Own(journal_kind::kBridge, {{"netns", bridge_ns}, {"name", bridge}}));
  FL_RETURN_IF_ERROR(RunIp({"-n", bridge_ns, "link", "add", bridge, "type", "bridge"}));
  FL_RETURN_IF_ERROR(RunIp({"-n", bridge_ns, "link", "set", bridge, "up"}));
  for (int number = 1; number <= spec.nodes; ++number) {
    FL_RETURN_IF_ERROR(BuildNode(number, spec));
  }
  return OkStatus();
}

Status VirtualCluster::BuildNode(int number, const VirtualClusterSpec& spec) {
  Node node;
  node.name = NodeName(number);
  const std::string netns = NodeNetnsName(id_, node.name);
  const std::string bridge_ns = BridgeNetnsName(id_);
  const std::string port = BridgePortName(id_, number);
  node.netns = NetnsPath(netns);
  node.link = kNodeLink;
  FL_ASSIGN_OR_RETURN(node.address, NodeAddress(subnet_index_, number));
  node.limits = spec.node;

  FL_RETURN_IF_ERROR(Own(journal_kind::kNetns, {{"name", netns}}));
  FL_RETURN_IF_ERROR(RunIp({"netns", "add", netns}));
  FL_RETURN_IF_ERROR(RunIp({"-n", netns, "link", "set", "lo", "up"}));
  // Both ends are created inside their namespaces: the pair never appears on the host.
  FL_RETURN_IF_ERROR(Own(journal_kind::kVeth, {{"netns", bridge_ns}, {"name", port}}));
  FL_RETURN_IF_ERROR(RunIp({"-n", netns, "link", "add", kNodeLink, "type", "veth", "peer", "name",
                            port, "netns", bridge_ns}));
  FL_RETURN_IF_ERROR(RunIp({"-n", netns, "addr", "add", node.address + "/24", "dev", kNodeLink}));
  FL_RETURN_IF_ERROR(RunIp({"-n", netns, "link", "set", kNodeLink, "up"}));
  FL_RETURN_IF_ERROR(
      RunIp({"-n", bridge_ns, "link", "set", port, "master", BridgeName(id_), "up"}));

  if (cgroup_driver_ == CgroupDriver::kSystemd) {
    const std::string unit = NodeSliceName(id_, node.name);
    FL_RETURN_IF_ERROR(Own(journal_kind::kSlice, {{"unit", unit}}));
    FL_ASSIGN_OR_RETURN(
        node.cgroup,
        CreateNodeSlice(unit, "faultline cluster " + id_ + ", " + node.name, node.limits));
  } else {
    node.cgroup = "faultline/" + id_ + "/" + node.name;
    FL_RETURN_IF_ERROR(Own(journal_kind::kCgroup, {{"path", node.cgroup}}));
    FL_RETURN_IF_ERROR(CreateNodeCgroup(node.cgroup, node.limits, DetectCgroupMode()));
  }
  nodes_.push_back(std::move(node));
  return OkStatus();
}

VirtualCluster::~VirtualCluster() {
  (void)Teardown();
}

Status VirtualCluster::Teardown() {
  Status status = OkStatus();
  // Newest first: cgroups, then veths and bridge, the namespaces, the subnet lease last.
  while (!owned_.empty()) {
    Owned owned = std::move(owned_.back());
    owned_.pop_back();
    Status undone = Undo(owned.kind, owned.data, id_);
    if (undone.ok()) {
      journal_->Release(owned.seq);
    } else if (status.ok()) {
      status = std::move(undone);
    }
  }
  if (journal_) RemoveFaultlineCgroupIfEmpty();
  return status;
}

std::string VirtualCluster::subnet() const {
  return subnet_index_ < 0 ? "" : SubnetCidr(subnet_index_);
}

nlohmann::json VirtualCluster::Describe() const {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& node : nodes_) {
    nlohmann::json n = {{"name", node.name},
                        {"netns", node.netns},
                        {"link", node.link},
                        {"address", node.address},
                        {"cgroup", node.cgroup}};
    if (node.limits.cpus) n["cpus"] = *node.limits.cpus;
    if (node.limits.memory_bytes) n["memory"] = *node.limits.memory_bytes;
    nodes.push_back(std::move(n));
  }
  return {{"id", id_},
          {"subnet", subnet()},
          {"subnet_index", subnet_index_},
          {"cgroup_driver", CgroupDriverName(cgroup_driver_)},
          {"nodes", nodes}};
}

Result<std::unique_ptr<VirtualCluster>> VirtualCluster::Attach(const nlohmann::json& state) {
  try {
    std::unique_ptr<VirtualCluster> cluster(
        new VirtualCluster(state.at("id").get<std::string>(), nullptr));
    cluster->subnet_index_ = state.at("subnet_index").get<int>();
    if (state.value("cgroup_driver", "") == "systemd") {
      cluster->cgroup_driver_ = CgroupDriver::kSystemd;
    }
    for (const auto& n : state.at("nodes")) {
      Node node;
      node.name = n.at("name").get<std::string>();
      node.netns = n.at("netns").get<std::string>();
      node.link = n.at("link").get<std::string>();
      node.address = n.at("address").get<std::string>();
      node.cgroup = n.at("cgroup").get<std::string>();
      if (n.contains("cpus")) node.limits.cpus = n["cpus"].get<double>();
      if (n.contains("memory")) node.limits.memory_bytes = n["memory"].get<std::uint64_t>();
      if (!PathExists(node.netns)) {
        return FailedPrecondition("node " + node.name + " of cluster fl-" + cluster->id_ +
                                  " has no network namespace " + node.netns);
      }
      cluster->nodes_.push_back(std::move(node));
    }
    return cluster;
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("unreadable cluster state: ") + e.what());
  }
}

}  // namespace faultline::cluster
