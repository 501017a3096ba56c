#include "harness/runner/gate_session.h"

#include <algorithm>
#include <cmath>

#include "harness/measure/summary.h"
#include "reports/aggregate.h"

namespace faultline::runner {
namespace {

std::optional<std::size_t> TargetIndex(const Plan& plan, const std::string& name) {
  for (std::size_t t = 0; t < plan.targets.size(); ++t) {
    if (plan.targets[t].target->name == name) return t;
  }
  return std::nullopt;
}

}  // namespace

Result<GateSession> GateSession::Create(const Plan& plan, const GateRequest& request) {
  const auto base = TargetIndex(plan, request.base);
  const auto candidate = TargetIndex(plan, request.candidate);
  if (!base) return InvalidArgument("--base: no target named '" + request.base + "'");
  if (!candidate) {
    return InvalidArgument("--candidate: no target named '" + request.candidate + "'");
  }
  if (*base == *candidate) return InvalidArgument("--base and --candidate name one target");
  const scenario::Step* step = nullptr;
  for (const auto& s : plan.scenario->steps) {
    if (s.name == request.step) step = &s;
  }
  if (!step) return InvalidArgument("--step: no step named '" + request.step + "'");
  if (step->kind != scenario::Step::Kind::kStart || !step->record) {
    return InvalidArgument(
        "--step: step '" + request.step +
        "' is not a recorded start step (each slot of the gate is one run of it)");
  }
  std::vector<std::string> metrics = request.metrics;
  if (metrics.empty()) metrics = {"start_latency"};
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const std::string& metric = metrics[i];
    if (metric == "recovery_time") {
      const bool drilled =
          std::any_of(plan.scenario->faults.begin(), plan.scenario->faults.end(),
                      [&](const scenario::Fault& f) {
                        return f.step == request.step && f.kind.rfind("platform.", 0) == 0;
                      });
      if (!drilled) {
        return InvalidArgument("--metric: recovery_time needs a platform.* fault bound to step '" +
                               request.step + "' (its daemon's recovery is timed in each slot)");
      }
    } else if (metric != "start_latency" && (metric.rfind("op_latency.", 0) != 0 ||
                                             metric.size() == std::string("op_latency.").size())) {
      return InvalidArgument(
          "--metric: expected start_latency, op_latency.<operation> (a start step's samples) or "
          "recovery_time, got '" +
          metric + "'");
    }
    if (std::find(metrics.begin(), metrics.begin() + static_cast<std::ptrdiff_t>(i), metric) !=
        metrics.begin() + static_cast<std::ptrdiff_t>(i)) {
      return InvalidArgument("--metric: '" + metric + "' is gated twice");
    }
  }
  GateSession session(request);
  reports::GateConfig config = request.config;
  config.alpha = reports::BonferroniAlpha(request.config.alpha, static_cast<int>(metrics.size()));
  for (const std::string& metric : metrics) {
    FL_ASSIGN_OR_RETURN(reports::SequentialGate gate, reports::SequentialGate::Create(config));
    session.gates_.push_back(std::move(gate));
    reports::GateMetric outcome;
    outcome.metric = metric;
    outcome.alpha = config.alpha;
    outcome.ratio = std::nan("");
    outcome.high = INFINITY;
    session.outcome_.metrics.push_back(std::move(outcome));
  }
  session.medians_.resize(metrics.size());
  session.step_ = step;
  session.base_ = *base;
  session.candidate_ = *candidate;
  for (const Execution& execution : plan.executions) {
    const bool ours = execution.target == *base || execution.target == *candidate;
    if (execution.repetition == 0 && !execution.step->record && ours) {
      session.preamble_.push_back(execution);
    }
  }
  reports::GateOutcome& out = session.outcome_;
  out.base = request.base;
  out.candidate = request.candidate;
  out.step = request.step;
  out.seed = request.seed;
  out.tolerance = request.config.tolerance;
  out.detection = request.config.detection;
  out.alpha = request.config.alpha;
  out.max_quads = request.config.max_quads;
  return session;
}

std::optional<Execution> GateSession::Next() {
  if (decided()) return std::nullopt;
  if (slot_ == 0) order_ = schedule_.Next();
  Execution execution;
  execution.repetition = static_cast<std::uint32_t>(outcome_.quads * 4 + slot_);
  execution.step = step_;
  execution.target = reports::RunsCandidate(order_, slot_) ? candidate_ : base_;
  return execution;
}

void GateSession::SlotDone(const std::vector<reports::Sample>& samples,
                           const std::vector<reports::FaultRecord>& faults) {
  if (decided()) return;
  const std::string where =
      "slot " + std::to_string(slot_ + 1) + " of quad " + std::to_string(outcome_.quads + 1);
  for (std::size_t m = 0; m < gates_.size(); ++m) {
    if (!outcome_.metrics[m].verdict.empty()) continue;  // decided: it bets no more
    std::vector<double> values;
    if (outcome_.metrics[m].metric == "start_latency") {
      const std::optional<double> joined = reports::JoinRate(samples);
      if (joined && *joined < reports::kMinJoinRate) {
        Stop(where + ": only " + std::to_string(std::lround(*joined * 100)) +
             "% of its starts have kernel phases (at least " +
             std::to_string(std::lround(reports::kMinJoinRate * 100)) +
             "% needed): the start_latency of the rest is unknown");
        return;
      }
    }
    if (outcome_.metrics[m].metric == "recovery_time") {
      for (const reports::FaultRecord& fault : faults) {
        if (fault.recovery_time_s) values.push_back(*fault.recovery_time_s);
      }
    }
    for (const reports::Sample& sample : samples) {
      if (sample.ok && reports::SampleMetric(sample) == outcome_.metrics[m].metric) {
        values.push_back(static_cast<double>(reports::LatencyNs(sample)) / 1e9);
      }
    }
    if (values.empty()) {
      Stop(where + " had no successful sample of " + outcome_.metrics[m].metric);
      return;
    }
    medians_[m][static_cast<std::size_t>(slot_)] = measure::Summarize(values).p50;
  }
  if (++slot_ < 4) return;
  slot_ = 0;
  ++outcome_.quads;
  for (std::size_t m = 0; m < gates_.size(); ++m) {
    reports::GateMetric& metric = outcome_.metrics[m];
    if (!metric.verdict.empty()) continue;
    auto contrast = reports::QuadContrast(order_, medians_[m]);
    if (!contrast.ok()) {
      Stop("quad " + std::to_string(outcome_.quads) + ", " + metric.metric + ": " +
           contrast.error().message);
      return;
    }
    const reports::GateVerdict verdict = gates_[m].Add(*contrast);
    metric.quads.push_back(
        {reports::QuadOrderName(order_), {medians_[m].begin(), medians_[m].end()}, *contrast});
    const reports::RatioInterval estimate = gates_[m].Estimate();
    metric.ratio = estimate.ratio;
    metric.low = estimate.low;
    metric.high = estimate.high;
    metric.fail_evidence = gates_[m].FailEvidence();
    metric.pass_evidence = gates_[m].PassEvidence();
    if (verdict != reports::GateVerdict::kContinue) {
      metric.verdict = reports::GateVerdictName(verdict);
    }
  }
  Decide();
  if (request_.on_quad) request_.on_quad(outcome_);
}

void GateSession::Decide() {
  bool all_pass = true, capped = false;
  for (const reports::GateMetric& metric : outcome_.metrics) {
    if (metric.verdict == "fail") {
      outcome_.verdict = metric.verdict;
      return;
    }
    all_pass = all_pass && metric.verdict == "pass";
    capped = capped || metric.verdict == "inconclusive";
  }
  if (all_pass) {
    outcome_.verdict = "pass";
  } else if (capped) {
    outcome_.verdict = "inconclusive";
  }
}

void GateSession::Stop(const std::string& reason) {
  if (decided()) return;
  outcome_.verdict = reports::GateVerdictName(reports::GateVerdict::kInconclusive);
  outcome_.reason = reason;
}

}  // namespace faultline::runner
