// This host as a cluster of one node, "local": containers share the host's network namespace
// and live under the run's cgroup, or under the systemd cgroup driver in the run's own slice.
#pragma once

#include <memory>
#include <string>

#include "harness/cluster/cluster.h"
#include "harness/core/journal.h"

namespace faultline::cluster {

class LocalCluster : public Cluster {
 public:
  // The node of run ID: under cgroupfs, its containers go below CGROUP (the run's cgroup,
  // "faultline/<id>"); under systemd, into slice faultline_<id>.slice, journaled in JOURNAL
  // (which must outlive the cluster) before it is started.
  static Result<std::unique_ptr<LocalCluster>> Create(const std::string& id,
                                                      const std::string& cgroup,
                                                      CgroupDriver driver, Journal& journal);
  ~LocalCluster() override;

  const std::string& kind() const override { return kind_; }
  const std::vector<Node>& nodes() const override { return nodes_; }
  CgroupDriver cgroup_driver() const override { return driver_; }
  // Stops the slice of the systemd driver; nothing else is the cluster's own. Idempotent.
  Status Teardown() override;

 private:
  LocalCluster(CgroupDriver driver, Journal* journal) : driver_(driver), journal_(journal) {}

  std::string kind_ = "local";
  CgroupDriver driver_;
  Journal* journal_;
  std::string slice_;  // started and journaled under seq slice_seq_
  std::uint64_t slice_seq_ = 0;
  std::vector<Node> nodes_;
};

}  // namespace faultline::cluster
