// Network fault mechanisms acting inside the nodes' network namespaces.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "chaos/fault.h"

namespace faultline::chaos {

// network.partition: every node drops what arrives on its link from nodes of other groups
// (iptables DROP on INPUT, silent for the sender). 100% between groups, nothing within one.
std::unique_ptr<FaultMechanism> MakePartitionMechanism();
// network.loss: each packet arriving on a node's link is dropped with the fault's probability
// (iptables statistic on INPUT).
std::unique_ptr<FaultMechanism> MakeLossMechanism();
// network.bandwidth: what a node sends through its link is limited to the rate (tbf, owned
// handle).
std::unique_ptr<FaultMechanism> MakeBandwidthMechanism();
// network.delay: netem on the link where the kernel has it, else packets arriving on the link
// are held by faultline-delayer (NFQUEUE, with --queue-bypass so a dead delayer black-holes
// nothing). kDelayer uses the delayer even where netem exists, to compare the two on one kernel.
enum class DelayVia { kNetemWhereAvailable, kDelayer };
std::unique_ptr<FaultMechanism> MakeDelayMechanism(DelayVia via = DelayVia::kNetemWhereAvailable);
// network.duplicate: each packet a node sends through its link is sent twice with the fault's
// probability (tc BPF on egress, bpf_clone_redirect).
std::unique_ptr<FaultMechanism> MakeDuplicateMechanism();
// network.corrupt: the last payload byte of each UDP/TCP packet a node sends through its link
// is flipped with the fault's probability (tc BPF on egress; checksums untouched).
std::unique_ptr<FaultMechanism> MakeCorruptMechanism();

// Where faultline-delayer is: $FAULTLINE_DELAYER, beside the running binary, the build tree,
// then PATH. Empty when nowhere.
std::string DelayerPath();

// Undoes a network fault from its journal record's data alone (recover, the watchdog),
// refusing anything RUN_ID does not own. NotFound for records of other mechanisms.
Status UndoNetworkRecord(const std::string& run_id, const nlohmann::json& data);

}  // namespace faultline::chaos
