#include "harness/runner/fault_plan.h"

#include <random>

namespace faultline::runner {
namespace {

Result<chaos::NodeRef> NodeNamed(const std::vector<chaos::NodeRef>& nodes,
                                 const std::string& name) {
  for (const auto& node : nodes) {
    if (node.name == name) return node;
  }
  return InvalidArgument("no node named " + name + " in this cluster");
}

chaos::FaultParams BaseParams(const scenario::Fault& fault,
                              const std::vector<chaos::NodeRef>& nodes, const std::string& run_id) {
  chaos::FaultParams p;
  p.run_id = run_id;
  p.kind = fault.kind;
  p.all_nodes = nodes;
  p.probability = fault.probability.value_or(0);
  p.delay = fault.delay.value_or(chaos::Nanos(0));
  p.jitter = fault.delay_jitter.value_or(chaos::Nanos(0));
  p.rate_bits_per_second = fault.rate_bits_per_second.value_or(0);
  p.workers = fault.workers.value_or(0);
  p.bytes = fault.memory_bytes.value_or(fault.size_bytes.value_or(0));
  return p;
}

}  // namespace

std::vector<std::vector<std::vector<chaos::NodeRef>>> PartitionGroups(
    scenario::Fault::Partition partition, const std::vector<chaos::NodeRef>& nodes) {
  using P = scenario::Fault::Partition;
  std::vector<std::vector<std::vector<chaos::NodeRef>>> out;
  const std::size_t n = nodes.size();
  if (n < 2) return out;
  if (partition == P::kIsolate || partition == P::kMajorityMinority) {
    const std::size_t split = partition == P::kIsolate ? 1 : n / 2;
    out.push_back({std::vector<chaos::NodeRef>(nodes.begin(), nodes.begin() + split),
                   std::vector<chaos::NodeRef>(nodes.begin() + split, nodes.end())});
  } else if (partition == P::kRing) {
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = i + 2; j < n; ++j) {
        if (i == 0 && j == n - 1) continue;  // neighbours across the ring's seam
        out.push_back({{nodes[i]}, {nodes[j]}});
      }
    }
  }
  return out;
}

std::vector<chaos::TimelineFault> PlanFaults(const scenario::Scenario& scenario,
                                             const std::optional<std::string>& step,
                                             const std::vector<chaos::NodeRef>& nodes,
                                             chaos::ContainerRoster& roster,
                                             const std::string& run_id, std::uint64_t seed,
                                             const reports::FaultRecord& record,
                                             const DaemonLookup& daemons) {
  std::vector<chaos::TimelineFault> out;
  for (std::size_t i = 0; i < scenario.faults.size(); ++i) {
    const scenario::Fault& fault = scenario.faults[i];
    if (fault.step != step) continue;
    if (step && fault.target && *fault.target != record.target) continue;
    // Whose daemon a platform fault acts on: the one it names, else the step's target, else the
    // scenario's only one (the loader saw to that).
    std::string target = fault.target ? *fault.target : record.target;
    if (target.empty() && !scenario.targets.empty()) target = scenario.targets.front().name;
    chaos::TimelineFault entry;
    entry.kind = fault.kind;
    entry.number = static_cast<std::uint32_t>(i);
    entry.timing = {fault.at, fault.ttl, fault.every, fault.jitter};
    entry.record = record;
    entry.record.params = fault.written;
    const std::uint32_t number = entry.number;
    const bool platform = fault.kind.rfind("platform.", 0) == 0;
    entry.resolve = [&fault, &nodes, &roster, run_id, seed, number, platform, target,
                     daemons](std::uint32_t occurrence) -> Result<std::vector<chaos::FaultParams>> {
      chaos::FaultParams params = BaseParams(fault, nodes, run_id);
      for (const auto& name : fault.nodes) {
        FL_ASSIGN_OR_RETURN(chaos::NodeRef node, NodeNamed(nodes, name));
        params.nodes.push_back(node);
        if (!platform) continue;
        chaos::PlatformDaemon* daemon = daemons ? daemons(target, name) : nullptr;
        if (!daemon) {
          return FailedPrecondition("target " + target + " runs no platform daemon on " + name);
        }
        params.daemons.push_back(daemon);
      }
      if (fault.containers > 0) {
        std::mt19937_64 random(seed ^ (std::uint64_t{number} << 32) ^ occurrence);
        params.containers = roster.Pick(fault.containers, random);
        if (params.containers.empty()) {
          return Unavailable("no running container to act on when the fault was due");
        }
      }
      if (!fault.between.empty()) {
        for (const auto& names : fault.between) {
          std::vector<chaos::NodeRef> group;
          for (const auto& name : names) {
            FL_ASSIGN_OR_RETURN(chaos::NodeRef node, NodeNamed(nodes, name));
            group.push_back(node);
          }
          params.groups.push_back(std::move(group));
        }
      }
      if (fault.partition == scenario::Fault::Partition::kNone) {
        return std::vector<chaos::FaultParams>{params};
      }
      std::vector<chaos::FaultParams> all;
      for (auto& groups : PartitionGroups(fault.partition, nodes)) {
        chaos::FaultParams one = params;
        one.groups = std::move(groups);
        all.push_back(std::move(one));
      }
      if (all.empty()) return InvalidArgument("partition needs at least two nodes");
      return all;
    };
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace faultline::runner
