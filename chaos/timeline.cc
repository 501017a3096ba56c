#include "chaos/timeline.h"

#include <algorithm>
#include <limits>

#include "chaos/registry.h"
#include "harness/core/clock.h"

namespace faultline::chaos {
namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
// How often a wait looks at the cancel flag.
constexpr auto kCancelPoll = std::chrono::milliseconds(20);

}  // namespace

Timeline::Timeline(std::vector<TimelineFault> faults, Journal& journal, std::uint64_t seed,
                   const std::atomic<bool>* cancel)
    : faults_(std::move(faults)),
      next_index_(faults_.size(), 0),
      journal_(journal),
      seed_(seed),
      cancel_(cancel) {}

Timeline::~Timeline() {
  if (thread_.joinable()) (void)Stop();
}

void Timeline::Start(std::int64_t origin_ns) {
  origin_ns_ = origin_ns;
  if (faults_.empty()) return;
  thread_ = std::thread([this] { Loop(); });
}

std::vector<reports::FaultRecord> Timeline::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  const char* ended_by = cancel_ && cancel_->load() ? "cancelled" : "scope_end";
  for (Applied& applied : applied_) Revert(applied, ended_by);
  applied_.clear();
  // What the faults measured themselves, some of it still being measured after their revert.
  for (Applied& finished : finished_) {
    for (auto& active : finished.active) active->Report(finished.record);
    done_.push_back(std::move(finished.record));
  }
  finished_.clear();
  std::sort(done_.begin(), done_.end(),
            [](const auto& a, const auto& b) { return a.scheduled_ns < b.scheduled_ns; });
  return std::move(done_);
}

void Timeline::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_ && !(cancel_ && cancel_->load())) {
    const std::int64_t now = BootNowNs();
    // Reverts due first: an occurrence never outlives its TTL because another one is injected.
    for (auto it = applied_.begin(); it != applied_.end();) {
      if (it->revert_at_ns <= now) {
        Revert(*it, "ttl");
        it = applied_.erase(it);
      } else {
        ++it;
      }
    }
    std::int64_t next = kNever;
    for (std::size_t i = 0; i < faults_.size(); ++i) {
      auto o = NthOccurrence(faults_[i].timing, faults_[i].number, next_index_[i], seed_);
      if (!o) continue;
      const std::int64_t at = origin_ns_ + o->inject_at.count();
      if (at <= now) {
        ++next_index_[i];
        Inject(faults_[i], *o);
        next = now;  // look again at once: time passed while injecting
        break;
      }
      next = std::min(next, at);
    }
    for (const Applied& a : applied_) next = std::min(next, a.revert_at_ns);
    if (next <= BootNowNs()) continue;
    const auto wait =
        std::min<std::int64_t>(next - BootNowNs(), std::chrono::nanoseconds(kCancelPoll).count());
    wake_.wait_for(lock, std::chrono::nanoseconds(wait));
  }
  // Ctrl-C: off at once, not when the workload has wound down.
  if (cancel_ && cancel_->load()) {
    for (Applied& applied : applied_) Revert(applied, "cancelled");
    applied_.clear();
  }
}

void Timeline::Inject(TimelineFault& fault, const Occurrence& occurrence) {
  Applied applied;
  applied.record = fault.record;
  applied.record.kind = fault.kind;
  applied.record.occurrence = occurrence.index;
  applied.record.scheduled_ns = origin_ns_ + occurrence.inject_at.count();
  applied.record.jitter_ns = occurrence.jitter.count();
  applied.record.inject_ns = BootNowNs();
  applied.revert_at_ns = origin_ns_ + occurrence.revert_at.count();
  auto fail = [&](const Error& error) {
    applied.record.ok = false;
    applied.record.error = error.ToString();
    applied.record.ended_by = "failed";
    // Whatever part was applied comes off again at once.
    for (auto& active : applied.active) (void)active->Revert();
    applied.record.revert_ns = BootNowNs();
    finished_.push_back(std::move(applied));
  };
  std::unique_ptr<FaultMechanism> mechanism = MechanismFor(fault.kind);
  if (!mechanism) return fail(InvalidArgument("no mechanism for fault kind " + fault.kind));
  applied.record.mechanism = mechanism->mechanism();
  auto resolved = fault.resolve(occurrence.index);
  if (!resolved.ok()) return fail(resolved.error());
  for (FaultParams& params : *resolved) {
    params.expires_ns = applied.revert_at_ns;
    for (const auto& node : params.nodes) applied.record.nodes.push_back(node.name);
    std::vector<std::vector<std::string>> cut;
    for (const auto& group : params.groups) {
      cut.emplace_back();
      for (const auto& node : group) {
        applied.record.nodes.push_back(node.name);
        cut.back().push_back(node.name);
      }
    }
    if (!cut.empty()) applied.record.cuts.push_back(std::move(cut));
    for (const auto& c : params.containers) applied.record.containers.push_back(c.id);
    auto active = mechanism->Inject(params, journal_);
    if (!active.ok()) return fail(active.error());
    applied.active.push_back(std::move(*active));
  }
  auto& nodes = applied.record.nodes;
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  applied_.push_back(std::move(applied));
  if (on_active_change) on_active_change(+1);
}

void Timeline::Revert(Applied& applied, const char* ended_by) {
  applied.record.ended_by = ended_by;
  for (auto& active : applied.active) {
    Status reverted = active->Revert();
    if (!reverted.ok()) {
      applied.record.ok = false;
      applied.record.error = "revert failed: " + reverted.error().ToString();
    }
  }
  applied.record.revert_ns = BootNowNs();
  finished_.push_back(std::move(applied));
  if (on_active_change) on_active_change(-1);
}

}  // namespace faultline::chaos
