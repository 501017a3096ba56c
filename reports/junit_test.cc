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

TEST(Junit, WithABaseEachComparedMetricIsATestcase) {
  Aggregate start;
  start.step = "storm";
  start.target = "runc";
  start.metric = "start_latency";
  start.unit = "s";
  start.p50 = 0.01;
  start.p99 = 0.02;
  Aggregate create = start;
  create.metric = "op_latency.create";
  Aggregate stop = start;
  stop.metric = "op_latency.stop";
  Result now, base;
  now.context.scenario_name = "storm";
  base.context.run_id = "base1";
  now.aggregates = {start, create};
  start.p50 = 0.02;
  start.p99 = 0.08;
  base.aggregates = {start, stop};
  const std::string xml = RenderJunit(now, &base);
  EXPECT_NE(xml.find("<testsuites name=\"faultline\" tests=\"3\" failures=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"faultline.compare.storm\" tests=\"3\" failures=\"1\" "
                     "errors=\"0\" skipped=\"1\""),
            std::string::npos);
  EXPECT_NE(xml.find("<property name=\"base_run_id\" value=\"base1\"/>"), std::string::npos);
  EXPECT_NE(xml.find("name=\"start_latency\" time=\"0\">\n      <system-out>base p50 20.0ms, "
                     "p99 80.0ms; new p50 10.0ms, p99 20.0ms; ratio new/base p50 0.500, p99 "
                     "0.250</system-out>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"op_latency.create\" time=\"0\">\n      <skipped message=\"no base"),
            std::string::npos);
  EXPECT_NE(xml.find("name=\"op_latency.stop\" time=\"0\">\n      <failure type=\"missing\" "
                     "message=\"only in the base run"),
            std::string::npos);
  // Without a base there is no comparison suite.
  EXPECT_EQ(RenderJunit(now).find("faultline.compare"), std::string::npos);
}

}  // namespace
}  // namespace faultline::reports
