// network.duplicate and network.corrupt: a tc BPF classifier (cls_bpf, direct action) on the
// egress of each faulted node's link, acting on each wire packet with the fault's probability.
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <functional>
#include <thread>

#include "chaos/network/network_faults.h"
#include "chaos/network/tc_filter.h"
#include "chaos/support/recorded_fault.h"

#if FAULTLINE_HAVE_BPF
#include <bpf/libbpf.h>

#include "tc_faults.skel.h"
#endif

namespace faultline::chaos {
namespace {

#if FAULTLINE_HAVE_BPF

// Runs FN on a thread inside the network namespace at NETNS, or inside a fresh one that
// vanishes with the thread when NETNS is empty (netlink sockets follow the thread's namespace).
Status InNetnsThread(const std::string& netns, const std::function<Status()>& fn) {
  Status result = OkStatus();
  std::thread worker([&] {
    if (netns.empty()) {
      if (unshare(CLONE_NEWNET) != 0) {
        result = ErrnoError("unshare(CLONE_NEWNET)", errno);
        return;
      }
    } else {
      const int fd = open(netns.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        result = ErrnoError("open " + netns, errno);
        return;
      }
      const int entered = setns(fd, CLONE_NEWNET);
      const int saved = errno;
      close(fd);
      if (entered != 0) {
        result = ErrnoError("setns " + netns, saved);
        return;
      }
    }
    result = fn();
  });
  worker.join();
  return result;
}

// The loaded classifier; the kernel keeps it while a filter holds it.
class Classifier {
 public:
  ~Classifier() { tc_faults_bpf__destroy(skel_); }
  Status Load(bool duplicate, double probability) {
    skel_ = tc_faults_bpf__open();
    if (!skel_) return ErrnoError("opening the tc BPF object", errno);
    skel_->rodata->threshold = static_cast<std::uint64_t>(std::ldexp(probability, 32));
    bpf_program__set_autoload(duplicate ? skel_->progs.fl_corrupt : skel_->progs.fl_duplicate,
                              false);
    if (const int rc = tc_faults_bpf__load(skel_); rc != 0) {
      return FailedPrecondition("loading the tc BPF program failed: " +
                                ErrnoError("bpf", -rc).message);
    }
    fd_ = bpf_program__fd(duplicate ? skel_->progs.fl_duplicate : skel_->progs.fl_corrupt);
    return OkStatus();
  }
  // Creates LINK's clsact qdisc when missing and attaches the program on its egress.
  Status Attach(const std::string& link, std::uint32_t priority) const {
    const unsigned ifindex = if_nametoindex(link.c_str());
    if (ifindex == 0) return ErrnoError("no link " + link, errno);
    bpf_tc_hook hook{};
    hook.sz = sizeof hook;
    hook.ifindex = static_cast<int>(ifindex);
    hook.attach_point = BPF_TC_EGRESS;
    if (const int rc = bpf_tc_hook_create(&hook); rc != 0 && rc != -EEXIST) {
      return ErrnoError("creating the clsact qdisc on " + link, -rc);
    }
    bpf_tc_opts opts{};
    opts.sz = sizeof opts;
    opts.handle = 1;
    opts.priority = priority;
    opts.prog_fd = fd_;
    if (const int rc = bpf_tc_attach(&hook, &opts); rc != 0) {
      return ErrnoError("attaching the tc BPF filter on " + link, -rc);
    }
    return OkStatus();
  }

 private:
  tc_faults_bpf* skel_ = nullptr;
  int fd_ = -1;
};

#endif  // FAULTLINE_HAVE_BPF

class TcBpfFault : public NamedMechanism {
 public:
  TcBpfFault(std::string kind, std::string mechanism, bool duplicate)
      : NamedMechanism(std::move(kind), std::move(mechanism)), duplicate_(duplicate) {}

  Status Probe() override {
#if FAULTLINE_HAVE_BPF
    Classifier classifier;
    FL_RETURN_IF_ERROR(classifier.Load(duplicate_, 0.5));
    return InNetnsThread("", [&] { return classifier.Attach("lo", 0xfa01); });
#else
    return FailedPrecondition("faultline was built without eBPF (FAULTLINE_BPF)");
#endif
  }

  Result<std::unique_ptr<ActiveFault>> Inject(const FaultParams& params,
                                              Journal& journal) override {
    if (!(params.probability > 0 && params.probability <= 1)) {
      return InvalidArgument(kind_ + " probability must be in (0, 1]");
    }
    FL_RETURN_IF_ERROR(CheckNodes(params.run_id, params.nodes));
#if FAULTLINE_HAVE_BPF
    Classifier classifier;
    FL_RETURN_IF_ERROR(classifier.Load(duplicate_, params.probability));
    std::vector<OwnedFilter> filters;
    for (const auto& node : params.nodes) {
      FL_ASSIGN_OR_RETURN(OwnedFilter filter, NewOwnedFilter(node.netns, node.link));
      filters.push_back(std::move(filter));
    }
    return InjectRecorded(params, journal, mechanism_,
                          {{"type", "tc_bpf"},
                           { "filters",
                             FiltersToJson(filters) }},
                          UndoNetworkRecord, [&](std::vector<HelperProcess>&) -> Status {
                            for (const auto& f : filters) {
                              FL_RETURN_IF_ERROR(SetSingleSegment(f));
                              FL_RETURN_IF_ERROR(InNetnsThread(
                                  f.netns, [&] { return classifier.Attach(f.link, f.priority); }));
                            }
                            return OkStatus();
                          });
#else
    (void)journal;
    return FailedPrecondition("faultline was built without eBPF (FAULTLINE_BPF)");
#endif
  }

 private:
  bool duplicate_;
};

}  // namespace

std::unique_ptr<FaultMechanism> MakeDuplicateMechanism() {
  return std::make_unique<TcBpfFault>("network.duplicate", "tc BPF on egress (bpf_clone_redirect)",
                                      true);
}

std::unique_ptr<FaultMechanism> MakeCorruptMechanism() {
  return std::make_unique<TcBpfFault>(
      "network.corrupt", "tc BPF on egress (last UDP/TCP payload byte flipped)", false);
}

}  // namespace faultline::chaos
