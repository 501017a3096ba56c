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

// SAMPLES samples of OP in step "storm", target "runc", lasting MS each (with a little spread).
std::vector<Sample> Samples(const std::string& op, int samples, double ms) {
  std::vector<Sample> out;
  for (int i = 0; i < samples; ++i) {
    Sample s;
    s.step = "storm";
    s.target = "runc";
    s.op = op;
    s.duration_ns = static_cast<std::int64_t>(ms * (1 + 0.01 * (i % 5)) * 1e6);
    out.push_back(s);
  }
  return out;
}

TEST(Junit, WithABaseEachComparedMetricIsATestcaseWithCompareVerdict) {
  Result now, base;
  now.context.scenario_name = "storm";
  base.context.run_id = "base1";
  now.samples = Samples("run", 20, 10);  // start_latency: half the base's
  base.samples = Samples("run", 20, 20);
  for (Sample& s : Samples("create", 20, 16)) now.samples.push_back(s);  // twice the base's
  for (Sample& s : Samples("create", 20, 8)) base.samples.push_back(s);
  for (Sample& s : Samples("stop", 20, 5)) base.samples.push_back(s);  // only in the base
  const std::string xml = RenderJunit(now, &base);
  EXPECT_NE(xml.find("<testsuites name=\"faultline\" tests=\"3\" failures=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"faultline compare\" tests=\"3\" failures=\"1\" "
                     "skipped=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("value=\"(result) (run base1)\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"start_latency\">\n      <system-out>improved: median -50.0%"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"op_latency.create\">\n      <failure type=\"regressed\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"op_latency.stop\">\n      <skipped message=\"inconclusive: only "
                     "in BASE\""),
            std::string::npos)
      << xml;
  // Without a base there is no comparison suite.
  EXPECT_EQ(RenderJunit(now).find("faultline compare"), std::string::npos);
}

}  // namespace
}  // namespace faultline::reports
