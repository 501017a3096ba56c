#include "probes/probe_set.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#if FAULTLINE_HAVE_BPF
#include "probes/container_start/container_start_probe.h"
#include "probes/node_signals/node_signals_probe.h"
#endif

namespace faultline::probes {

struct ProbeSet::Loaded {
#if FAULTLINE_HAVE_BPF
  std::unique_ptr<ContainerStartProbe> start;
  std::unique_ptr<NodeSignalsProbe> signals;
#endif
};

namespace {

bool SwitchedOffByEnv() {
  const char* value = std::getenv(kProbesEnv);
  return value && (!std::strcmp(value, "off") || !std::strcmp(value, "0"));
}

}  // namespace

bool ProbesBuiltIn() {
  return FAULTLINE_HAVE_BPF;
}

std::unique_ptr<ProbeSet> ProbeSet::Start(const ProbeSetOptions& options) {
  std::unique_ptr<ProbeSet> set(new ProbeSet());
  set->options_ = options;
  set->loaded_ = std::make_unique<Loaded>();
  if (options.disabled) {
    set->reason_ = "probes switched off";
  } else if (SwitchedOffByEnv()) {
    set->reason_ = std::string("probes switched off by ") + kProbesEnv;
  } else if (!FAULTLINE_HAVE_BPF) {
    set->reason_ =
        "built without eBPF support (FAULTLINE_BPF off: no clang, bpftool, libbpf or BTF)";
  } else if (geteuid() != 0) {
    set->reason_ = "eBPF needs root";
  }
#if FAULTLINE_HAVE_BPF
  if (set->reason_.empty()) {
    ProbeSet* self = set.get();
    auto sink = [self](ProbeEvent&& e) { self->Accept(std::move(e)); };
    auto start = ContainerStartProbe::Open(
        {options.roots, options.daemon_roots, options.host_mode, options.runtimes, options.helpers},
        sink);
    if (!start.ok()) {
      set->reason_ = "container_start probe: " + start.error().ToString();
    } else {
      set->loaded_->start = std::move(*start);
      set->attach_ = set->loaded_->start->attach_mode();
      if (options.node_signals) {
        auto signals = NodeSignalsProbe::Open(sink);
        if (!signals.ok()) {
          set->reason_ = "node_signals probe: " + signals.error().ToString();
          set->loaded_->start.reset();
        } else {
          set->loaded_->signals = std::move(*signals);
        }
      }
    }
  }
#endif
  set->active_ = set->reason_.empty();
  if (set->active_) set->poller_ = std::thread([self = set.get()] { self->Poll(); });
  return set;
}

ProbeSet::~ProbeSet() {
  Stop();
}

void ProbeSet::Accept(ProbeEvent&& event) {
  // Called with mu_ held (from Flush).
  ++events_count_;
  if (options_.on_event) options_.on_event(event);
  if (options_.keep_events) events_.push_back(std::move(event));
}

void ProbeSet::Flush() {
  std::lock_guard lock(mu_);
#if FAULTLINE_HAVE_BPF
  if (loaded_->start) (void)loaded_->start->Consume();
  if (loaded_->signals) (void)loaded_->signals->Consume();
#endif
}

void ProbeSet::Poll() {
  std::unique_lock lock(wake_mu_);
  while (!stop_) {
    wake_.wait_for(lock, options_.poll_interval, [this] { return stop_; });
    lock.unlock();
    Flush();
    if (options_.on_polled) options_.on_polled();
    lock.lock();
  }
}

std::vector<ProbeEvent> ProbeSet::Events(std::size_t from) const {
  std::lock_guard lock(mu_);
  if (from >= events_.size()) return {};
  return {events_.begin() + static_cast<std::ptrdiff_t>(from), events_.end()};
}

ProbeStats ProbeSet::Stats() const {
  std::lock_guard lock(mu_);
  ProbeStats stats;
  stats.mode = active_ ? "ebpf" : "degraded";
  stats.reason = reason_;
  stats.attach = attach_;
  stats.events = events_count_;
  stats.drops = final_drops_;
#if FAULTLINE_HAVE_BPF
  if (loaded_->start) stats.drops += loaded_->start->ReserveFailures();
  if (loaded_->signals) stats.drops += loaded_->signals->ReserveFailures();
#endif
  return stats;
}

void ProbeSet::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (poller_.joinable()) poller_.join();
  Flush();
  std::lock_guard lock(mu_);
#if FAULTLINE_HAVE_BPF
  if (loaded_->start) final_drops_ += loaded_->start->ReserveFailures();
  if (loaded_->signals) final_drops_ += loaded_->signals->ReserveFailures();
  loaded_->start.reset();
  loaded_->signals.reset();
#endif
}

}  // namespace faultline::probes
