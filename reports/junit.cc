#include "reports/junit.h"

#include "reports/compare.h"
#include "reports/compare_report.h"
#include "reports/escape.h"
#include "reports/format.h"

namespace faultline::reports {
namespace {

std::string Counts(std::size_t tests, std::size_t failures, std::size_t skipped) {
  return " tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"0\"" + (skipped ? " skipped=\"" + std::to_string(skipped) + "\"" : "");
}

std::string SuiteOpen(const std::string& name, const std::string& counts, const Result& result) {
  return "  <testsuite name=\"" + XmlEscape(name) + "\"" + counts + " timestamp=\"" +
         XmlEscape(result.context.started_at) + "\" hostname=\"" +
         XmlEscape(result.context.hostname) + "\">\n";
}

std::string Testcase(const std::string& classname, const std::string& name,
                     const std::string& body) {
  return "    <testcase classname=\"" + XmlEscape(classname) + "\" name=\"" + XmlEscape(name) +
         "\" time=\"0\">\n" + body + "    </testcase>\n";
}

std::string SloSuite(const Result& result) {
  std::size_t failures = 0;
  for (const auto& verdict : result.slo) failures += verdict.pass ? 0 : 1;
  const std::string suite = "faultline.slo." + result.context.scenario_name;
  std::string out = SuiteOpen(suite, Counts(result.slo.size(), failures, 0), result);
  out += "    <properties>\n";
  out += "      <property name=\"run_id\" value=\"" + XmlEscape(result.context.run_id) + "\"/>\n";
  out += "      <property name=\"faultline_version\" value=\"" +
         XmlEscape(result.context.faultline_version) + "\"/>\n";
  out += "    </properties>\n";
  for (const auto& v : result.slo) {
    const std::string observed =
        "observed " + FormatValue(v.observed, v.unit) + ", limit " + FormatValue(v.limit, v.unit);
    std::string body;
    if (!v.pass) {
      const std::string message = v.reason.empty() ? observed : observed + ": " + v.reason;
      body = "      <failure type=\"slo\" message=\"" + XmlEscape(message) + "\">" +
             XmlEscape(v.rule + " in step " + v.step + ", target " + v.target + ": " + message) +
             "</failure>\n";
    } else {
      body = "      <system-out>" + XmlEscape(observed) + "</system-out>\n";
    }
    out += Testcase(suite + "." + v.step + "." + v.target, v.rule, body);
  }
  if (!result.validity.empty()) {
    std::string warnings;
    for (const auto& w : result.validity) warnings += "validity: " + w + "\n";
    out += "    <system-err>" + XmlEscape(warnings) + "</system-err>\n";
  }
  return out + "  </testsuite>\n";
}

}  // namespace

std::string RenderJunit(const Result& result, const Result* base) {
  std::size_t failures = 0;
  for (const auto& verdict : result.slo) failures += verdict.pass ? 0 : 1;
  std::size_t tests = result.slo.size();
  std::string compare;
  if (base) {
    // The verdicts `faultline compare BASE RESULT` gives, at its default settings.
    const Comparison comparison = Compare(*base, result, {});
    compare = RenderCompareTestsuite(comparison);
    tests += comparison.metrics.size();
    for (const auto& m : comparison.metrics) failures += m.verdict == Verdict::kRegressed;
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"faultline\"" +
         Counts(tests, failures, 0) + ">\n" + SloSuite(result) + compare + "</testsuites>\n";
}

}  // namespace faultline::reports
