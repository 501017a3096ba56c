#include "probes/node_signals/node_signals_probe.h"

#include <bpf/btf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "node_signals.skel.h"
#include "probes/common/skeleton.h"
#include "probes/node_signals/node_signals.h"

namespace faultline::probes {
namespace {

EventKind KindOf(__u32 kind) {
  switch (kind) {
    case FL_SIGNAL_OOM_KILL: return EventKind::kOomKill;
    case FL_SIGNAL_TCP_RETRANSMIT: return EventKind::kTcpRetransmit;
    case FL_SIGNAL_PACKET_DROP: return EventKind::kPacketDrop;
    default: return EventKind::kSignalExit;
  }
}

}  // namespace

std::map<std::uint64_t, std::string> DropReasonNames() {
  std::map<std::uint64_t, std::string> names;
  btf* vmlinux = btf__load_vmlinux_btf();
  if (!vmlinux) return names;
  const int id = btf__find_by_name_kind(vmlinux, "skb_drop_reason", BTF_KIND_ENUM);
  if (id > 0) {
    const btf_type* type = btf__type_by_id(vmlinux, id);
    const struct btf_enum* values = btf_enum(type);
    constexpr const char* kPrefix = "SKB_DROP_REASON_";
    for (int i = 0; i < btf_vlen(type); ++i) {
      std::string name = btf__name_by_offset(vmlinux, values[i].name_off);
      if (name.rfind(kPrefix, 0) == 0) name.erase(0, std::strlen(kPrefix));
      names[static_cast<std::uint32_t>(values[i].val)] = name;
    }
  }
  btf__free(vmlinux);
  return names;
}

Result<std::unique_ptr<NodeSignalsProbe>> NodeSignalsProbe::Open(Sink sink) {
  std::unique_ptr<NodeSignalsProbe> probe(new NodeSignalsProbe());
  FL_ASSIGN_OR_RETURN(
      probe->skel_, LoadSkeleton<node_signals_bpf>(
                        node_signals_bpf__open, node_signals_bpf__load, node_signals_bpf__attach,
                        node_signals_bpf__destroy, [](node_signals_bpf*) {}, &probe->attach_mode_));
  probe->sink_ = std::move(sink);
  probe->drop_reasons_ = DropReasonNames();
  auto decode = [self = probe.get()](const void* data, std::size_t size) {
    if (size < sizeof(fl_signal_event)) return;
    const auto& raw = *static_cast<const fl_signal_event*>(data);
    ProbeEvent e;
    e.ts_ns = static_cast<std::int64_t>(raw.ts_ns);
    e.kind = KindOf(raw.kind);
    e.pid = raw.pid;
    e.pidns = raw.pidns;
    e.netns = raw.netns;
    e.arg = raw.arg;
    e.comm.assign(raw.comm, strnlen(raw.comm, sizeof raw.comm));
    self->sink_(std::move(e));
  };
  FL_ASSIGN_OR_RETURN(RingReader ring,
                      RingReader::Open(bpf_map__fd(probe->skel_->maps.events), std::move(decode)));
  probe->ring_ = std::make_unique<RingReader>(std::move(ring));
  return probe;
}

NodeSignalsProbe::~NodeSignalsProbe() {
  ring_.reset();
  if (skel_) node_signals_bpf__destroy(skel_);
}

Result<int> NodeSignalsProbe::Consume() {
  FL_ASSIGN_OR_RETURN(int records, ring_->Consume());
  FL_ASSIGN_OR_RETURN(int counters, ReadPacketCounts());
  return records + counters;
}

Result<int> NodeSignalsProbe::ReadPacketCounts() {
  const int fd = bpf_map__fd(skel_->maps.packet_counts);
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return ErrnoError("counting the possible CPUs", -cpus);
  std::vector<fl_packet_count> per_cpu(static_cast<std::size_t>(cpus));
  int grown = 0;
  fl_packet_key key{}, next{};
  const fl_packet_key* previous = nullptr;
  while (bpf_map_get_next_key(fd, previous, &next) == 0) {
    key = next;
    previous = &key;
    // A key is never deleted while the probe runs, so a failed lookup is a real error.
    if (bpf_map_lookup_elem(fd, &key, per_cpu.data()) != 0) {
      return ErrnoError("reading the packet counters", errno);
    }
    std::uint64_t total = 0, last_ns = 0;
    for (const fl_packet_count& c : per_cpu) {
      total += c.count;
      last_ns = std::max<std::uint64_t>(last_ns, c.last_ns);
    }
    std::uint64_t& reported = reported_[{key.kind, key.netns, key.reason}];
    if (total <= reported) continue;
    ProbeEvent e;
    e.ts_ns = static_cast<std::int64_t>(last_ns);
    e.kind = KindOf(key.kind);
    e.netns = key.netns;
    e.count = total - reported;
    if (e.kind == EventKind::kPacketDrop) {
      e.arg = key.reason;
      auto name = drop_reasons_.find(key.reason);
      e.text = name != drop_reasons_.end() ? name->second : std::to_string(key.reason);
    }
    reported = total;
    sink_(std::move(e));
    ++grown;
  }
  return grown;
}

std::uint64_t NodeSignalsProbe::ReserveFailures() const {
  return SumPerCpu(bpf_map__fd(skel_->maps.reserve_failures));
}

}  // namespace faultline::probes
