#include "reports/gate_report.h"

#include <cmath>
#include <cstdio>

#include "reports/escape.h"

namespace faultline::reports {
namespace {

std::string Number(double value, const char* format = "%.3f") {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "+inf" : "-inf";
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// "B/A 1.012 [0.981, 1.046]"; the bound is open on both sides for the first dozen quads or so
// (a quad can at most double a bet, and the bound's bets must reach 2/alpha).
std::string Ratio(const GateOutcome& gate) {
  const std::string bound = gate.low <= 0 && std::isinf(gate.high)
                                ? "bound still open"
                                : "[" + Number(gate.low) + ", " + Number(gate.high) + "]";
  return "B/A " + Number(gate.ratio) + " " + bound;
}

std::string Percent(double fraction) {
  return Number(fraction * 100, "%.3g") + "%";
}

std::string Verdict(const GateOutcome& gate) {
  if (gate.verdict == "pass") return "PASS";
  if (gate.verdict == "fail") return "FAIL";
  if (gate.verdict == "inconclusive") return "INCONCLUSIVE";
  return "UNDECIDED";
}

// What the verdict says, in words.
std::string Meaning(const GateOutcome& gate) {
  if (gate.verdict == "pass") {
    return "the candidate is shown slower by less than " + Percent(gate.detection);
  }
  if (gate.verdict == "fail") {
    return "the candidate is shown slower by more than " + Percent(gate.tolerance);
  }
  if (!gate.reason.empty()) return gate.reason;
  return "neither shown after " + std::to_string(gate.quads.size()) + " quads (the cap)";
}

}  // namespace

std::string GateProgressLine(const GateOutcome& gate) {
  const std::string order = gate.quads.empty() ? "" : " " + gate.quads.back().order;
  return "quad " + std::to_string(gate.quads.size()) + order + ": " + Ratio(gate) + "  FAIL bet " +
         Number(gate.fail_evidence, "%.3g") + ", PASS bet " + Number(gate.pass_evidence, "%.3g") +
         " of " + Number(1 / gate.alpha, "%.3g");
}

std::string RenderGateSummary(const GateOutcome& gate) {
  return "gate " + gate.step + "/" + gate.metric + ": " + Verdict(gate) + ": " + Meaning(gate) +
         "\n  " + Ratio(gate) + " (A " + gate.base + ", B " + gate.candidate +
         "; anytime-valid at " + Percent(1 - gate.alpha) + ")\n  quads " +
         std::to_string(gate.quads.size()) + " of at most " + std::to_string(gate.max_quads) +
         ", seed " + std::to_string(gate.seed) + ", tolerance " + Percent(gate.tolerance) +
         ", detection " + Percent(gate.detection) + "\n";
}

std::string RenderGateJunit(const GateOutcome& gate, const RunContext& context) {
  const std::string suite = "faultline.gate." + context.scenario_name;
  const bool failed = gate.verdict == "fail",
             skipped = gate.verdict != "fail" && gate.verdict != "pass";
  const std::string message = Verdict(gate) + ": " + Meaning(gate) + "; " + Ratio(gate) + ", " +
                              std::to_string(gate.quads.size()) + " quads";
  std::string body;
  if (failed) {
    body = "      <failure type=\"regressed\" message=\"" + XmlEscape(message) + "\">" +
           XmlEscape(RenderGateSummary(gate)) + "</failure>\n";
  } else if (skipped) {
    body = "      <skipped message=\"" + XmlEscape(message) + "\"/>\n";
  } else {
    body = "      <system-out>" + XmlEscape(RenderGateSummary(gate)) + "</system-out>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"faultline\" tests=\"1\" "
         "failures=\"" +
         std::to_string(failed) + "\" errors=\"0\"" + (skipped ? " skipped=\"1\"" : "") +
         ">\n  <testsuite name=\"" + XmlEscape(suite) + "\" tests=\"1\" failures=\"" +
         std::to_string(failed) + "\" errors=\"0\"" + (skipped ? " skipped=\"1\"" : "") +
         " timestamp=\"" + XmlEscape(context.started_at) + "\" hostname=\"" +
         XmlEscape(context.hostname) +
         "\">\n    <properties>\n      <property name=\"run_id\" "
         "value=\"" +
         XmlEscape(context.run_id) + "\"/>\n      <property name=\"seed\" value=\"" +
         std::to_string(gate.seed) + "\"/>\n    </properties>\n    <testcase classname=\"" +
         XmlEscape(suite + "." + gate.step) + "\" name=\"" + XmlEscape(gate.metric) +
         "\" time=\"0\">\n" + body + "    </testcase>\n  </testsuite>\n</testsuites>\n";
}

std::string RenderGateMarkdown(const GateOutcome& gate, const RunContext& context) {
  std::string out = "### faultline gate: " + Verdict(gate) + "\n\n" + Meaning(gate) + ".\n\n";
  out += "| metric | A (base) | B (candidate) | B/A | bound | quads | verdict |\n";
  out += "|---|---|---|---:|---|---:|---|\n";
  out += "| " + gate.step + "/" + gate.metric + " | " + gate.base + " | " + gate.candidate + " | " +
         Number(gate.ratio) + " | [" + Number(gate.low) + ", " + Number(gate.high) + "] | " +
         std::to_string(gate.quads.size()) + " | " + Verdict(gate) + " |\n\n";
  out += "FAIL above +" + Percent(gate.tolerance) + ", PASS below +" + Percent(gate.detection) +
         "; either wrong verdict has probability at most " + Percent(gate.alpha) +
         ", whatever the host did (both versions ran in one run, in randomized ABBA/BAAB quads; "
         "seed " +
         std::to_string(gate.seed) + ", run " + context.run_id + ").\n";
  return out;
}

}  // namespace faultline::reports
