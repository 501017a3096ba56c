// How `faultline gate` tells its verdict: the live line after each quad, the console summary,
// a JUnit document and a Markdown table for a pull request.
#pragma once

#include <string>

#include "reports/gate_outcome.h"
#include "reports/result.h"

namespace faultline::reports {

// "quad 7 BAAB: B/A 1.012 [0.981, 1.046]  FAIL bet 2.1, PASS bet 14.0 of 100"; with several
// metrics, that for each.
std::string GateProgressLine(const GateOutcome& gate);

// The verdict in plain words, then each metric's ratio, bound, quads and verdict.
std::string RenderGateSummary(const GateOutcome& gate);

// One testsuite with one testcase per gated metric: a failure where it FAILed, skipped where it
// was left undecided.
std::string RenderGateJunit(const GateOutcome& gate, const RunContext& context);

// A table for a pull request comment.
std::string RenderGateMarkdown(const GateOutcome& gate, const RunContext& context);

}  // namespace faultline::reports
