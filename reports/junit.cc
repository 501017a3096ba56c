#include "reports/junit.h"

#include "reports/escape.h"
#include "reports/format.h"

namespace faultline::reports {

std::string RenderJunit(const Result& result) {
  std::size_t failures = 0;
  for (const auto& verdict : result.slo) failures += verdict.pass ? 0 : 1;
  const std::string counts = " tests=\"" + std::to_string(result.slo.size()) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"0\"";
  const std::string suite = "faultline.slo." + result.context.scenario_name;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"faultline\"" + counts + ">\n";
  out += "  <testsuite name=\"" + XmlEscape(suite) + "\"" + counts + " timestamp=\"" +
         XmlEscape(result.context.started_at) + "\" hostname=\"" +
         XmlEscape(result.context.hostname) + "\">\n";
  out += "    <properties>\n";
  out += "      <property name=\"run_id\" value=\"" + XmlEscape(result.context.run_id) + "\"/>\n";
  out += "      <property name=\"faultline_version\" value=\"" +
         XmlEscape(result.context.faultline_version) + "\"/>\n";
  out += "    </properties>\n";
  for (const auto& v : result.slo) {
    out += "    <testcase classname=\"" + XmlEscape(suite + "." + v.step + "." + v.target) +
           "\" name=\"" + XmlEscape(v.rule) + "\" time=\"0\">\n";
    const std::string observed =
        "observed " + FormatValue(v.observed, v.unit) + ", limit " + FormatValue(v.limit, v.unit);
    if (!v.pass) {
      const std::string message = v.reason.empty() ? observed : observed + ": " + v.reason;
      out += "      <failure type=\"slo\" message=\"" + XmlEscape(message) + "\">" +
             XmlEscape(v.rule + " in step " + v.step + ", target " + v.target + ": " + message) +
             "</failure>\n";
    } else {
      out += "      <system-out>" + XmlEscape(observed) + "</system-out>\n";
    }
    out += "    </testcase>\n";
  }
  if (!result.validity.empty()) {
    std::string warnings;
    for (const auto& w : result.validity) warnings += "validity: " + w + "\n";
    out += "    <system-err>" + XmlEscape(warnings) + "</system-err>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace faultline::reports
