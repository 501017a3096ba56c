// This host as a cluster of one node, "local": containers share the host's network namespace
// and live under the run's cgroup.
#pragma once

#include <memory>
#include <string>

#include "harness/cluster/cluster.h"

namespace faultline::cluster {

class LocalCluster : public Cluster {
 public:
  // CGROUP: the run's cgroup parent, "faultline/<run id>".
  explicit LocalCluster(const std::string& cgroup);
  const std::string& kind() const override { return kind_; }
  const std::vector<Node>& nodes() const override { return nodes_; }
  Status Teardown() override { return OkStatus(); }  // nothing of its own

 private:
  std::string kind_ = "local";
  std::vector<Node> nodes_;
};

}  // namespace faultline::cluster
