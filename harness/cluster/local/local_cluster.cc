#include "harness/cluster/local/local_cluster.h"

#include "harness/cluster/addressing.h"
#include "harness/cluster/node_cgroup.h"
#include "harness/core/systemd.h"

namespace faultline::cluster {

const char* CgroupDriverName(CgroupDriver driver) {
  return driver == CgroupDriver::kSystemd ? "systemd" : "cgroupfs";
}

Result<std::unique_ptr<LocalCluster>> LocalCluster::Create(const std::string& id,
                                                           const std::string& cgroup,
                                                           CgroupDriver driver, Journal& journal) {
  std::unique_ptr<LocalCluster> cluster(new LocalCluster(driver, &journal));
  Node node;
  node.name = "local";
  node.cgroup = cgroup;
  if (driver == CgroupDriver::kSystemd) {
    const std::string unit = OwnerSliceName(id);
    FL_ASSIGN_OR_RETURN(cluster->slice_seq_,
                        journal.Acquire(journal_kind::kSlice, {{"unit", unit}}));
    cluster->slice_ = unit;
    auto slice = CreateNodeSlice(unit, "faultline run " + id + ", node local", {});
    if (!slice.ok()) {
      (void)cluster->Teardown();
      return std::move(slice).error();
    }
    node.cgroup = *slice;
  }
  cluster->nodes_.push_back(std::move(node));
  return cluster;
}

LocalCluster::~LocalCluster() {
  (void)Teardown();
}

Status LocalCluster::Teardown() {
  if (slice_.empty()) return OkStatus();
  FL_RETURN_IF_ERROR(StopSlice(slice_));
  journal_->Release(slice_seq_);
  slice_.clear();
  return OkStatus();
}

const Node* FindNode(const Cluster& cluster, const std::string& name) {
  for (const auto& node : cluster.nodes()) {
    if (node.name == name) return &node;
  }
  return nullptr;
}

}  // namespace faultline::cluster
