// What `faultline gate` decided and how: the result document's `gate` section.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace faultline::reports {

struct GateQuad {
  std::string order;            // "ABBA" | "BAAB"
  std::vector<double> medians;  // each slot's median of the metric, in execution order (s)
  double contrast = 0;          // (ln B1 + ln B2 - ln A1 - ln A2) / 2

  bool operator==(const GateQuad&) const = default;
};

// One gated metric's sequential test.
struct GateMetric {
  std::string metric;           // "start_latency" | "op_latency.<op>"
  double alpha = 0;             // its share of the gate's alpha (Bonferroni over the gated metrics)
  std::vector<GateQuad> quads;  // those it used: every quad run, up to its own verdict
  std::string verdict;          // "pass" | "fail"; empty while undecided
  // B / A (Hodges-Lehmann) and its anytime-valid confidence sequence at level 1 - alpha; 0 and
  // +infinity (written as null) mark an open side.
  double ratio = 0, low = 0, high = 0;
  double fail_evidence = 1, pass_evidence = 1;  // the bets' wealth; a side decides at 1/alpha

  bool operator==(const GateMetric&) const = default;
};

struct GateOutcome {
  std::string base, candidate;  // target names: A and B
  std::string step;             // the gated step: each slot is one execution of it
  std::uint64_t seed = 0;       // of the quad orders
  double tolerance = 0, detection = 0;
  double alpha = 0;  // of the whole gate: a wrong verdict on any metric
  int max_quads = 0;
  int quads = 0;  // run
  // FAIL as soon as one metric FAILs, PASS once every one has PASSed.
  std::vector<GateMetric> metrics;
  std::string verdict;  // "pass" | "fail" | "inconclusive"
  std::string reason;   // why the run stopped short of a verdict and the cap, when it did

  bool operator==(const GateOutcome&) const = default;
};

}  // namespace faultline::reports
