#include "reports/junit.h"

#include <gtest/gtest.h>

namespace faultline::reports {
namespace {

TEST(Junit, OneTestcasePerVerdictWithObservedAndLimit) {
  Result result;
  result.context.scenario_name = "storm";
  result.context.run_id = "0a1b2c3d";
  result.context.started_at = "2024-01-01T00:00:00Z";
  result.context.hostname = "h";
  result.context.faultline_version = "0.1.0";
  result.slo.push_back(
      {"start_latency.p99 <= 250ms", "storm", "runc", 0.0274, 0.25, "s", true, ""});
  result.slo.push_back(
      {"start_latency.p99 <= 10ms", "storm", "crun<&>", 0.0274, 0.01, "s", false, ""});
  result.validity.push_back("host was busy: \x1b[1m <b>");
  const std::string xml = RenderJunit(result);
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"faultline\" tests=\"2\" failures=\"1\" errors=\"0\">\n"
            "  <testsuite name=\"faultline.slo.storm\" tests=\"2\" failures=\"1\" errors=\"0\" "
            "timestamp=\"2024-01-01T00:00:00Z\" hostname=\"h\">\n"
            "    <properties>\n"
            "      <property name=\"run_id\" value=\"0a1b2c3d\"/>\n"
            "      <property name=\"faultline_version\" value=\"0.1.0\"/>\n"
            "    </properties>\n"
            "    <testcase classname=\"faultline.slo.storm.storm.runc\" "
            "name=\"start_latency.p99 &lt;= 250ms\" time=\"0\">\n"
            "      <system-out>observed 27.4ms, limit 250ms</system-out>\n"
            "    </testcase>\n"
            "    <testcase classname=\"faultline.slo.storm.storm.crun&lt;&amp;&gt;\" "
            "name=\"start_latency.p99 &lt;= 10ms\" time=\"0\">\n"
            "      <failure type=\"slo\" message=\"observed 27.4ms, limit 10.0ms\">"
            "start_latency.p99 &lt;= 10ms in step storm, target crun&lt;&amp;&gt;: "
            "observed 27.4ms, limit 10.0ms</failure>\n"
            "    </testcase>\n"
            "    <system-err>validity: host was busy: \xEF\xBF\xBD[1m &lt;b&gt;\n</system-err>\n"
            "  </testsuite>\n"
            "</testsuites>\n");
}

TEST(Junit, FailureCarriesTheReasonWhenThereIsNoData) {
  Result result;
  result.slo.push_back(
      {"recovery_time.max <= 5s", "", "", 0, 5, "s", false, "no aggregate matches this rule"});
  const std::string xml = RenderJunit(result);
  EXPECT_NE(xml.find("message=\"observed 0s, limit 5.00s: no aggregate matches this rule\""),
            std::string::npos);
}

}  // namespace
}  // namespace faultline::reports
