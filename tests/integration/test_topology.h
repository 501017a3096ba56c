// A virtual cluster built by a test the way the cluster module builds one: per node a network
// namespace fl-<run>-node-N with a veth to a bridge in its own namespace, an address in
// 198.18.0.0/24 and a cgroup faultline/<run>/node-N. Everything is journaled in the run's
// journal and removed by Destroy().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chaos/fault.h"
#include "harness/core/journal.h"
#include "harness/core/result.h"

namespace faultline::testing {

class TestTopology {
 public:
  // Opens the run's journal (under $FAULTLINE_STATE_DIR) and builds NODES nodes.
  static Result<std::unique_ptr<TestTopology>> Create(int nodes);
  ~TestTopology();

  // Removes namespaces and cgroups, then closes the journal. Error when something stayed.
  Status Destroy();

  const std::string& run_id() const { return run_id_; }
  Journal& journal() { return *journal_; }
  const std::vector<chaos::NodeRef>& nodes() const { return nodes_; }
  chaos::FaultParams Params(const std::string& kind) const;

 private:
  std::string run_id_;
  std::unique_ptr<Journal> journal_;
  std::vector<chaos::NodeRef> nodes_;
  std::vector<std::pair<std::uint64_t, std::string>> namespaces_;  // journal seq, name
  std::uint64_t cgroup_seq_ = 0;
  bool destroyed_ = false;
};

// A socket created inside the network namespace at NETNS (from a thread that entered it).
int SocketIn(const std::string& netns, int type);

struct Arrivals {
  int distinct = 0;   // sequence numbers seen
  int received = 0;   // datagrams, copies included
  int corrupted = 0;  // datagrams whose payload differs from what was sent
};
// Sends COUNT numbered 64-byte UDP datagrams from FROM to TO and counts what arrives.
Result<Arrivals> CountArrivals(const chaos::NodeRef& from, const chaos::NodeRef& to, int count);

// Sends COUNT numbered UDP datagrams from FROM to TO and counts how many arrive.
Result<int> CountDelivered(const chaos::NodeRef& from, const chaos::NodeRef& to, int count);

// Round-trip times (ns) of COUNT UDP request/response exchanges from CLIENT to an echo server
// on SERVER; a lost exchange is skipped after 1 s.
Result<std::vector<std::int64_t>> RoundTrips(const chaos::NodeRef& client,
                                             const chaos::NodeRef& server, int count);

// TCP goodput (bits/s) from SENDER to RECEIVER, measured at the receiver over [SKIP, SECONDS].
Result<double> TcpGoodput(const chaos::NodeRef& sender, const chaos::NodeRef& receiver,
                          double skip_seconds, double seconds);

// iptables rules and qdiscs of the node that mention TEXT (empty when clean).
std::string RulesAndQdiscsMentioning(const chaos::NodeRef& node, const std::string& text);

}  // namespace faultline::testing
