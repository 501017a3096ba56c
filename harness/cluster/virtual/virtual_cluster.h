// N nodes on one host. Each node is a network namespace (fl-<id>-node-<n>) with a veth pair to
// a Linux bridge that lives in its own namespace (fl-<id>-br), an address in a leased /24 of
// 198.18.0.0/15, loopback up, and no default route: nodes reach each other over the bridge
// and nothing else. Each node has a cgroup parent (faultline/<id>/node-<n>) with its CPU and
// memory limits. Every piece is journaled before it exists.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/cluster/cluster.h"
#include "harness/core/journal.h"

namespace faultline::cluster {

struct VirtualClusterSpec {
  int nodes = 1;
  NodeLimits node;
  CgroupDriver cgroup_driver = CgroupDriver::kCgroupfs;
};

class VirtualCluster : public Cluster {
 public:
  // Builds the cluster of owner ID (a run id, or a standing cluster's id), journaling in
  // JOURNAL, which must outlive it. On error, whatever was built is removed again.
  static Result<std::unique_ptr<VirtualCluster>> Create(const std::string& id,
                                                        const VirtualClusterSpec& spec,
                                                        Journal& journal);
  // A standing cluster from its state document (Describe()); Teardown leaves it standing.
  static Result<std::unique_ptr<VirtualCluster>> Attach(const nlohmann::json& state);

  ~VirtualCluster() override;
  const std::string& kind() const override { return kind_; }
  const std::vector<Node>& nodes() const override { return nodes_; }
  CgroupDriver cgroup_driver() const override { return cgroup_driver_; }
  Status Teardown() override;

  // Leaves everything standing (and journaled) when this object goes: `cluster up`.
  void KeepStanding() { owned_.clear(); }

  const std::string& id() const { return id_; }
  std::string subnet() const;
  // {id, subnet, subnet_index, cgroup_driver,
  //  nodes: [{name, netns, link, address, cgroup, cpus, memory}]}
  nlohmann::json Describe() const;

 private:
  VirtualCluster(std::string id, Journal* journal) : id_(std::move(id)), journal_(journal) {}
  Status Build(const VirtualClusterSpec& spec);
  Status BuildNode(int number, const VirtualClusterSpec& spec);
  // Journals one resource, then records it for teardown.
  Status Own(const std::string& kind, nlohmann::json data);

  struct Owned {
    std::uint64_t seq;
    std::string kind;
    nlohmann::json data;
  };
  std::string kind_ = "virtual";
  std::string id_;
  Journal* journal_;  // null when attached
  int subnet_index_ = -1;
  CgroupDriver cgroup_driver_ = CgroupDriver::kCgroupfs;
  std::vector<Node> nodes_;
  std::vector<Owned> owned_;  // in creation order
};

}  // namespace faultline::cluster
