#include "probes/container_start/container_start_probe.h"

#include <cerrno>
#include <cstring>

#include "container_start.skel.h"
#include "probes/common/skeleton.h"
#include "probes/container_start/container_start.h"

namespace faultline::probes {
namespace {

EventKind KindOf(__u32 kind) {
  switch (kind) {
    case FL_START_RUNTIME_EXEC: return EventKind::kRuntimeExec;
    case FL_START_CGROUP_MKDIR: return EventKind::kCgroupMkdir;
    case FL_START_NAMESPACES: return EventKind::kNamespaces;
    case FL_START_PID1_FORK: return EventKind::kPid1Fork;
    case FL_START_LISTEN: return EventKind::kListen;
    case FL_START_EXIT: return EventKind::kExit;
    case FL_START_HELPER_EXEC: return EventKind::kHelperExec;
    default: return EventKind::kExec;
  }
}

std::string Bounded(const char* text, std::size_t max) {
  return std::string(text, strnlen(text, max));
}

ProbeEvent Decode(const fl_start_event& raw) {
  ProbeEvent e;
  e.ts_ns = static_cast<std::int64_t>(raw.ts_ns);
  e.kind = KindOf(raw.kind);
  e.session = raw.session;
  e.pid = raw.pid;
  e.ppid = raw.ppid;
  e.pidns = raw.pidns;
  e.arg = raw.arg;
  e.pid1 = raw.kind == FL_START_EXEC && (raw.arg & FL_FLAG_PID1);
  e.comm = Bounded(raw.comm, sizeof raw.comm);
  const std::size_t len = std::min<std::size_t>(raw.text_len, sizeof raw.text);
  if (e.kind == EventKind::kRuntimeExec || e.kind == EventKind::kHelperExec) {
    // NUL-separated argv: the tail of a runtime's (the first token may be cut), the head of a
    // helper's (the last may be).
    std::size_t at = 0;
    while (at < len) {
      std::size_t end = at;
      while (end < len && raw.text[end]) ++end;
      e.args.emplace_back(raw.text + at, end - at);
      at = end + 1;
    }
  } else {
    e.text = Bounded(raw.text, len);
  }
  return e;
}

}  // namespace

Result<std::unique_ptr<ContainerStartProbe>> ContainerStartProbe::Open(
    const ContainerStartOptions& options, Sink sink) {
  if (options.runtimes.size() > FL_MAX_RUNTIMES) {
    return InvalidArgument("at most " + std::to_string(FL_MAX_RUNTIMES) + " runtime names");
  }
  if (options.helpers.size() > FL_MAX_HELPERS) {
    return InvalidArgument("at most " + std::to_string(FL_MAX_HELPERS) + " helper names");
  }
  std::unique_ptr<ContainerStartProbe> probe(new ContainerStartProbe());
  auto configure = [&](container_start_bpf* skel) {
    skel->rodata->host_mode = options.host_mode;
    for (std::size_t r = 0; r < options.runtimes.size(); ++r) {
      std::strncpy(const_cast<char*>(skel->rodata->runtime_comms[r]), options.runtimes[r].c_str(),
                   FL_COMM_LEN - 1);
    }
    for (std::size_t h = 0; h < options.helpers.size(); ++h) {
      std::strncpy(const_cast<char*>(skel->rodata->helper_comms[h]), options.helpers[h].c_str(),
                   FL_COMM_LEN - 1);
    }
  };
  FL_ASSIGN_OR_RETURN(probe->skel_, LoadSkeleton<container_start_bpf>(
                                        container_start_bpf__open, container_start_bpf__load,
                                        container_start_bpf__attach, container_start_bpf__destroy,
                                        configure, &probe->attach_mode_));
  for (pid_t root : options.roots) FL_RETURN_IF_ERROR(probe->AddRoot(root, false));
  for (pid_t root : options.daemon_roots) FL_RETURN_IF_ERROR(probe->AddRoot(root, true));
  FL_ASSIGN_OR_RETURN(
      RingReader ring,
      RingReader::Open(bpf_map__fd(probe->skel_->maps.events),
                       [sink = std::move(sink)](const void* data, std::size_t size) {
                         if (size < sizeof(fl_start_event)) return;
                         sink(Decode(*static_cast<const fl_start_event*>(data)));
                       }));
  probe->ring_ = std::make_unique<RingReader>(std::move(ring));
  return probe;
}

ContainerStartProbe::~ContainerStartProbe() {
  ring_.reset();
  if (skel_) container_start_bpf__destroy(skel_);
}

Status ContainerStartProbe::AddRoot(pid_t tgid, bool descendants) {
  // The values of the program's ROOT_CHILDREN and ROOT_DESCENDANTS.
  const __u32 key = static_cast<__u32>(tgid), value = descendants ? 2 : 1;
  if (bpf_map__update_elem(skel_->maps.roots, &key, sizeof key, &value, sizeof value, BPF_ANY)) {
    return ErrnoError("cannot seed session root " + std::to_string(tgid), errno);
  }
  return OkStatus();
}

Result<int> ContainerStartProbe::Consume() {
  return ring_->Consume();
}

std::uint64_t ContainerStartProbe::ReserveFailures() const {
  return SumPerCpu(bpf_map__fd(skel_->maps.reserve_failures));
}

}  // namespace faultline::probes
