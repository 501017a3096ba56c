#include "reports/gate_report.h"

#include <gtest/gtest.h>

#include <cmath>

namespace faultline::reports {
namespace {

GateOutcome Outcome(const std::string& verdict) {
  GateOutcome g;
  g.base = "runc";
  g.candidate = "runc-next";
  g.step = "storm";
  g.seed = 7;
  g.tolerance = 0.03;
  g.detection = 0.10;
  g.alpha = 0.01;
  g.max_quads = 60;
  g.quads = 2;
  GateMetric m;
  m.metric = "start_latency";
  m.alpha = 0.01;
  m.quads = {{"ABBA", {0.01, 0.0125, 0.0126, 0.0101}, 0.22},
             {"BAAB", {0.0124, 0.01, 0.0099, 0.0125}, 0.23}};
  m.verdict = verdict == "inconclusive" ? "" : verdict;
  m.ratio = 1.25;
  m.low = 1.2;
  m.high = INFINITY;
  m.fail_evidence = 150;
  m.pass_evidence = 0.2;
  g.metrics = {m};
  g.verdict = verdict;
  return g;
}

// Two metrics at half the alpha each: start_latency undecided, op_latency.create FAILed.
GateOutcome TwoMetrics() {
  GateOutcome g = Outcome("fail");
  g.metrics[0].verdict = "";
  g.metrics[0].alpha = 0.005;
  GateMetric create = g.metrics[0];
  create.metric = "op_latency.create";
  create.verdict = "fail";
  create.ratio = 1.4;
  g.metrics.push_back(create);
  return g;
}

RunContext Context() {
  RunContext c;
  c.scenario_name = "gate<&>";
  c.run_id = "r1";
  c.hostname = "h";
  return c;
}

TEST(GateReport, ProgressLineShowsTheRatioItsBoundAndBothBets) {
  EXPECT_EQ(GateProgressLine(Outcome("")),
            "quad 2 BAAB: B/A 1.250 [1.200, +inf]  FAIL bet 150, PASS bet 0.2 of 100");
  GateOutcome early = Outcome("");
  early.metrics[0].low = 0;
  EXPECT_NE(GateProgressLine(early).find("B/A 1.250 bound still open"), std::string::npos);
}

TEST(GateReport, SummarySaysWhatTheVerdictMeans) {
  const std::string fail = RenderGateSummary(Outcome("fail"));
  EXPECT_NE(fail.find("FAIL: the candidate is shown slower by more than 3%"), std::string::npos)
      << fail;
  EXPECT_NE(fail.find("quads 2 of at most 60, seed 7"), std::string::npos) << fail;
  EXPECT_NE(
      fail.find("start_latency: B/A 1.250 [1.200, +inf] (2 quads, FAIL; anytime-valid at 99%)"),
      std::string::npos)
      << fail;
  const std::string pass = RenderGateSummary(Outcome("pass"));
  EXPECT_NE(pass.find("PASS: the candidate is shown slower by less than 10%"), std::string::npos);
  GateOutcome stopped = Outcome("inconclusive");
  stopped.reason = "interrupted";
  EXPECT_NE(RenderGateSummary(stopped).find("INCONCLUSIVE: interrupted"), std::string::npos);
}

TEST(GateReport, JunitFailsOnFailSkipsWhenInconclusiveAndEscapes) {
  const std::string fail = RenderGateJunit(Outcome("fail"), Context());
  EXPECT_NE(fail.find("failures=\"1\""), std::string::npos) << fail;
  EXPECT_NE(fail.find("<failure type=\"regressed\""), std::string::npos) << fail;
  EXPECT_NE(fail.find("faultline.gate.gate&lt;&amp;&gt;"), std::string::npos) << fail;
  EXPECT_EQ(fail.find("gate<&>"), std::string::npos);
  const std::string pass = RenderGateJunit(Outcome("pass"), Context());
  EXPECT_NE(pass.find("failures=\"0\""), std::string::npos);
  EXPECT_EQ(pass.find("<failure"), std::string::npos);
  EXPECT_EQ(pass.find("<skipped"), std::string::npos);
  const std::string open = RenderGateJunit(Outcome("inconclusive"), Context());
  EXPECT_NE(open.find("<skipped message=\"INCONCLUSIVE"), std::string::npos) << open;
}

TEST(GateReport, SeveralMetricsEachHaveTheirLineCaseAndRow) {
  const GateOutcome g = TwoMetrics();
  EXPECT_EQ(GateProgressLine(g),
            "quad 2 BAAB:  start_latency B/A 1.250 [1.200, +inf]  FAIL bet 150, PASS bet 0.2 of "
            "200  op_latency.create B/A 1.400 [1.200, +inf] FAIL");
  const std::string summary = RenderGateSummary(g);
  EXPECT_NE(summary.find("FAIL: the candidate is shown slower by more than 3% on "
                         "op_latency.create"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("alpha 1% shared by 2 metrics (Bonferroni)"), std::string::npos)
      << summary;
  const std::string junit = RenderGateJunit(g, Context());
  EXPECT_NE(junit.find("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos)
      << junit;
  EXPECT_NE(junit.find("name=\"op_latency.create\" time=\"0\">\n      <failure"), std::string::npos)
      << junit;
  const std::string md = RenderGateMarkdown(g, Context());
  EXPECT_NE(md.find("| storm/op_latency.create | runc | runc-next | 1.400 | [1.200, +inf] | 2 | "
                    "FAIL |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| storm/start_latency | runc | runc-next | 1.250 | [1.200, +inf] | 2 | "
                    "UNDECIDED |"),
            std::string::npos)
      << md;
}

TEST(GateReport, MarkdownTableNamesBothSidesAndTheBound) {
  const std::string md = RenderGateMarkdown(Outcome("fail"), Context());
  EXPECT_NE(md.find("### faultline gate: FAIL"), std::string::npos) << md;
  EXPECT_NE(
      md.find("| storm/start_latency | runc | runc-next | 1.250 | [1.200, +inf] | 2 | FAIL |"),
      std::string::npos)
      << md;
}

}  // namespace
}  // namespace faultline::reports
