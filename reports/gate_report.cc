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
std::string Ratio(const GateMetric& metric) {
  const std::string bound = metric.low <= 0 && std::isinf(metric.high)
                                ? "bound still open"
                                : "[" + Number(metric.low) + ", " + Number(metric.high) + "]";
  return "B/A " + Number(metric.ratio) + " " + bound;
}

std::string Percent(double fraction) {
  return Number(fraction * 100, "%.3g") + "%";
}

std::string Verdict(const std::string& verdict) {
  if (verdict == "pass") return "PASS";
  if (verdict == "fail") return "FAIL";
  if (verdict == "inconclusive") return "INCONCLUSIVE";
  return "UNDECIDED";
}

// What the gate's verdict says, in words.
std::string Meaning(const GateOutcome& gate) {
  if (gate.verdict == "pass") {
    return (gate.metrics.size() > 1 ? "on every metric, the candidate is" : "the candidate is") +
           std::string(" shown slower by less than ") + Percent(gate.detection);
  }
  if (gate.verdict == "fail") {
    std::string failed;
    for (const GateMetric& metric : gate.metrics) {
      if (metric.verdict == "fail") failed += (failed.empty() ? "" : ", ") + metric.metric;
    }
    return "the candidate is shown slower by more than " + Percent(gate.tolerance) +
           (gate.metrics.size() > 1 ? " on " + failed : "");
  }
  if (!gate.reason.empty()) return gate.reason;
  return "neither shown after " + std::to_string(gate.quads) + " quads (the cap)";
}

// "start_latency: B/A 1.012 [0.981, 1.046] (12 quads, PASS)"
std::string MetricLine(const GateMetric& metric) {
  return metric.metric + ": " + Ratio(metric) + " (" + std::to_string(metric.quads.size()) +
         " quads, " + Verdict(metric.verdict) + "; anytime-valid at " + Percent(1 - metric.alpha) +
         ")";
}

}  // namespace

std::string GateProgressLine(const GateOutcome& gate) {
  std::string order;
  for (const GateMetric& metric : gate.metrics) {
    if (metric.quads.size() == static_cast<std::size_t>(gate.quads) && !metric.quads.empty()) {
      order = " " + metric.quads.back().order;
    }
  }
  std::string line = "quad " + std::to_string(gate.quads) + order + ":";
  for (const GateMetric& metric : gate.metrics) {
    line += (gate.metrics.size() > 1 ? "  " + metric.metric + " " : " ") + Ratio(metric);
    if (!metric.verdict.empty()) {
      line += " " + Verdict(metric.verdict);
      continue;
    }
    line += "  FAIL bet " + Number(metric.fail_evidence, "%.3g") + ", PASS bet " +
            Number(metric.pass_evidence, "%.3g") + " of " + Number(1 / metric.alpha, "%.3g");
  }
  return line;
}

std::string RenderGateSummary(const GateOutcome& gate) {
  std::string out =
      "gate " + gate.step + ": " + Verdict(gate.verdict) + ": " + Meaning(gate) + "\n  A " +
      gate.base + ", B " + gate.candidate + "; quads " + std::to_string(gate.quads) +
      " of at most " + std::to_string(gate.max_quads) + ", seed " + std::to_string(gate.seed) +
      ", tolerance " + Percent(gate.tolerance) + ", detection " + Percent(gate.detection) +
      ", alpha " + Percent(gate.alpha) +
      (gate.metrics.size() > 1
           ? " shared by " + std::to_string(gate.metrics.size()) + " metrics (Bonferroni)"
           : "") +
      "\n";
  for (const GateMetric& metric : gate.metrics) out += "  " + MetricLine(metric) + "\n";
  return out;
}

std::string RenderGateJunit(const GateOutcome& gate, const RunContext& context) {
  const std::string suite = "faultline.gate." + context.scenario_name;
  // A metric fails the suite when it FAILed; one left undecided is skipped.
  int failures = 0, skipped = 0;
  std::string cases;
  for (const GateMetric& metric : gate.metrics) {
    const std::string message =
        Verdict(metric.verdict.empty() ? gate.verdict : metric.verdict) + ": " + MetricLine(metric);
    std::string body;
    if (metric.verdict == "fail") {
      ++failures;
      body = "      <failure type=\"regressed\" message=\"" + XmlEscape(message) + "\">" +
             XmlEscape(RenderGateSummary(gate)) + "</failure>\n";
    } else if (metric.verdict != "pass") {
      ++skipped;
      body = "      <skipped message=\"" + XmlEscape(message + "; " + Meaning(gate)) + "\"/>\n";
    } else {
      body = "      <system-out>" + XmlEscape(message) + "</system-out>\n";
    }
    cases += "    <testcase classname=\"" + XmlEscape(suite + "." + gate.step) + "\" name=\"" +
             XmlEscape(metric.metric) + "\" time=\"0\">\n" + body + "    </testcase>\n";
  }
  const std::string counts = "tests=\"" + std::to_string(gate.metrics.size()) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"0\"" +
                             (skipped ? " skipped=\"" + std::to_string(skipped) + "\"" : "");
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"faultline\" " + counts +
         ">\n  <testsuite name=\"" + XmlEscape(suite) + "\" " + counts + " timestamp=\"" +
         XmlEscape(context.started_at) + "\" hostname=\"" + XmlEscape(context.hostname) +
         "\">\n    <properties>\n      <property name=\"run_id\" value=\"" +
         XmlEscape(context.run_id) + "\"/>\n      <property name=\"seed\" value=\"" +
         std::to_string(gate.seed) + "\"/>\n    </properties>\n" + cases +
         "  </testsuite>\n</testsuites>\n";
}

std::string RenderGateMarkdown(const GateOutcome& gate, const RunContext& context) {
  std::string out =
      "### faultline gate: " + Verdict(gate.verdict) + "\n\n" + Meaning(gate) + ".\n\n";
  out += "| metric | A (base) | B (candidate) | B/A | bound | quads | verdict |\n";
  out += "|---|---|---|---:|---|---:|---|\n";
  for (const GateMetric& metric : gate.metrics) {
    out += "| " + gate.step + "/" + metric.metric + " | " + gate.base + " | " + gate.candidate +
           " | " + Number(metric.ratio) + " | [" + Number(metric.low) + ", " + Number(metric.high) +
           "] | " + std::to_string(metric.quads.size()) + " | " + Verdict(metric.verdict) + " |\n";
  }
  out += "\nFAIL above +" + Percent(gate.tolerance) + ", PASS below +" + Percent(gate.detection) +
         "; a wrong verdict on any metric has probability at most " + Percent(gate.alpha) +
         ", whatever the host did (both versions ran in one run, in randomized ABBA/BAAB quads; "
         "seed " +
         std::to_string(gate.seed) + ", run " + context.run_id + ").\n";
  return out;
}

}  // namespace faultline::reports
