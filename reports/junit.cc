#include "reports/junit.h"

#include "reports/comparison.h"
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

std::string Quantiles(const Aggregate& a) {
  return "p50 " + FormatValue(a.p50, a.unit) + ", p99 " + FormatValue(a.p99, a.unit);
}

std::string CompareSuite(const Result& result, const Result& base, std::size_t* failures,
                         std::size_t* tests) {
  const std::vector<ComparedMetric> compared = CompareAggregates(result, base);
  std::size_t failed = 0, skipped = 0;
  std::string cases;
  const std::string suite = "faultline.compare." + result.context.scenario_name;
  for (const auto& c : compared) {
    const Aggregate& a = c.any();
    std::string body;
    if (!c.now) {
      ++failed;
      const std::string message = "only in the base run (" + Quantiles(*c.base) + ")";
      body = "      <failure type=\"missing\" message=\"" + XmlEscape(message) + "\"/>\n";
    } else if (!c.base) {
      ++skipped;
      body = "      <skipped message=\"" +
             XmlEscape("no base value (new " + Quantiles(*c.now) + ")") + "\"/>\n";
    } else {
      body = "      <system-out>" +
             XmlEscape("base " + Quantiles(*c.base) + "; new " + Quantiles(*c.now) +
                       "; ratio new/base p50 " + Ratio(c.base->p50, c.now->p50) + ", p99 " +
                       Ratio(c.base->p99, c.now->p99)) +
             "</system-out>\n";
    }
    cases += Testcase(suite + "." + a.step + "." + a.target, a.metric, body);
  }
  *failures += failed;
  *tests += compared.size();
  std::string out = SuiteOpen(suite, Counts(compared.size(), failed, skipped), result);
  out += "    <properties>\n";
  out +=
      "      <property name=\"base_run_id\" value=\"" + XmlEscape(base.context.run_id) + "\"/>\n";
  out += "    </properties>\n";
  return out + cases + "  </testsuite>\n";
}

}  // namespace

std::string RenderJunit(const Result& result, const Result* base) {
  std::size_t failures = 0;
  for (const auto& verdict : result.slo) failures += verdict.pass ? 0 : 1;
  std::size_t tests = result.slo.size();
  const std::string compare = base ? CompareSuite(result, *base, &failures, &tests) : "";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"faultline\"" +
         Counts(tests, failures, 0) + ">\n" + SloSuite(result) + compare + "</testsuites>\n";
}

}  // namespace faultline::reports
