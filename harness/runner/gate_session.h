// The quads of `faultline gate`: which target each slot runs (one execution of the gated step
// per slot, in ABBA or BAAB order by the seeded coin), each slot summarised by the median of
// each gated metric, and one sequential test per metric at its Bonferroni share of alpha. The
// gate FAILs as soon as one metric FAILs and PASSes once every one has PASSed, so a wrong
// verdict on any metric has probability at most alpha; the run ends as soon as it is certain.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/result.h"
#include "harness/runner/plan.h"
#include "reports/gate_outcome.h"
#include "reports/result.h"
#include "reports/sequential_gate.h"

namespace faultline::runner {

struct GateRequest {
  std::string base, candidate;  // target names: A and B
  std::string step;             // the gated step: a start step
  // "start_latency" or "op_latency.<op>" of the step's samples, or "recovery_time" of the
  // platform.* faults bound to it (timed while the slot runs); empty: start_latency alone.
  std::vector<std::string> metrics;
  reports::GateConfig config;  // alpha: of the whole gate
  std::uint64_t seed = 0;      // of the quad orders
  // After every quad, with the outcome so far: the progress line.
  std::function<void(const reports::GateOutcome&)> on_quad;
};

class GateSession {
 public:
  // InvalidArgument when PLAN lacks REQUEST's targets or step, the step is not a start step,
  // the two targets are one, a metric is not a start step's, or the configuration is out of
  // range.
  static Result<GateSession> Create(const Plan& plan, const GateRequest& request);

  // The slot to run next, or nothing once the run is decided or stopped. Its repetition is the
  // slot's number in the run (quad * 4 + slot).
  std::optional<Execution> Next();
  // The samples and faults of the slot Next() gave. A slot without a value of a metric still
  // undecided stops the gate: a median of nothing decides nothing.
  void SlotDone(const std::vector<reports::Sample>& samples,
                const std::vector<reports::FaultRecord>& faults = {});
  // Ends it short of a verdict: inconclusive, with REASON (Ctrl-C, a failed slot).
  void Stop(const std::string& reason);

  const reports::GateOutcome& outcome() const { return outcome_; }
  bool decided() const { return !outcome_.verdict.empty(); }
  // The steps that record nothing (warm-ups), run once per target before the quads; other
  // recorded steps do not run.
  const std::vector<Execution>& preamble() const { return preamble_; }

 private:
  explicit GateSession(const GateRequest& request) : request_(request), schedule_(request.seed) {}
  // The metrics' verdicts together, once each has taken the quad.
  void Decide();

  GateRequest request_;
  reports::QuadSchedule schedule_;
  std::vector<reports::SequentialGate> gates_;  // one per metric, as outcome_.metrics
  const scenario::Step* step_ = nullptr;
  std::size_t base_ = 0, candidate_ = 0;  // plan target indexes
  std::vector<Execution> preamble_;
  reports::QuadOrder order_ = reports::QuadOrder::kAbba;
  int slot_ = 0;                                // of the quad under way
  std::vector<std::array<double, 4>> medians_;  // per metric, of the quad under way
  reports::GateOutcome outcome_;
};

}  // namespace faultline::runner
