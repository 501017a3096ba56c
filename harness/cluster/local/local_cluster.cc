#include "harness/cluster/local/local_cluster.h"

namespace faultline::cluster {

LocalCluster::LocalCluster(const std::string& cgroup) {
  Node node;
  node.name = "local";
  node.cgroup = cgroup;
  nodes_.push_back(std::move(node));
}

const Node* FindNode(const Cluster& cluster, const std::string& name) {
  for (const auto& node : cluster.nodes()) {
    if (node.name == name) return &node;
  }
  return nullptr;
}

}  // namespace faultline::cluster
