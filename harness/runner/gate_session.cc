#include "harness/runner/gate_session.h"

#include <cmath>

#include "harness/measure/summary.h"

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
    return InvalidArgument("--step: step '" + request.step +
                           "' is not a recorded start step (the gate measures start_latency)");
  }
  FL_ASSIGN_OR_RETURN(reports::SequentialGate gate,
                      reports::SequentialGate::Create(request.config));
  GateSession session(request, std::move(gate));
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
  out.metric = "start_latency";
  out.seed = request.seed;
  out.tolerance = request.config.tolerance;
  out.detection = request.config.detection;
  out.alpha = request.config.alpha;
  out.max_quads = request.config.max_quads;
  out.ratio = std::nan("");
  out.high = INFINITY;
  return session;
}

std::optional<Execution> GateSession::Next() {
  if (decided()) return std::nullopt;
  if (slot_ == 0) order_ = schedule_.Next();
  Execution execution;
  execution.repetition = static_cast<std::uint32_t>(gate_.quads() * 4 + slot_);
  execution.step = step_;
  execution.target = reports::RunsCandidate(order_, slot_) ? candidate_ : base_;
  return execution;
}

void GateSession::SlotDone(const std::vector<double>& values) {
  if (decided()) return;
  if (values.empty()) {
    Stop("slot " + std::to_string(slot_ + 1) + " of quad " + std::to_string(gate_.quads() + 1) +
         " had no successful start");
    return;
  }
  medians_[static_cast<std::size_t>(slot_)] = measure::Summarize(values).p50;
  if (++slot_ < 4) return;
  slot_ = 0;
  auto contrast = reports::QuadContrast(order_, medians_);
  if (!contrast.ok()) {
    Stop("quad " + std::to_string(gate_.quads() + 1) + ": " + contrast.error().message);
    return;
  }
  const reports::GateVerdict verdict = gate_.Add(*contrast);
  outcome_.quads.push_back(
      {reports::QuadOrderName(order_), {medians_.begin(), medians_.end()}, *contrast});
  const reports::RatioInterval estimate = gate_.Estimate();
  outcome_.ratio = estimate.ratio;
  outcome_.low = estimate.low;
  outcome_.high = estimate.high;
  outcome_.fail_evidence = gate_.FailEvidence();
  outcome_.pass_evidence = gate_.PassEvidence();
  if (verdict != reports::GateVerdict::kContinue) {
    outcome_.verdict = reports::GateVerdictName(verdict);
  }
  if (request_.on_quad) request_.on_quad(outcome_);
}

void GateSession::Stop(const std::string& reason) {
  if (decided()) return;
  outcome_.verdict = reports::GateVerdictName(reports::GateVerdict::kInconclusive);
  outcome_.reason = reason;
}

}  // namespace faultline::runner
