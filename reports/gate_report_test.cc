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
  g.metric = "start_latency";
  g.seed = 7;
  g.tolerance = 0.03;
  g.detection = 0.10;
  g.alpha = 0.01;
  g.max_quads = 60;
  g.quads = {{"ABBA", {0.01, 0.0125, 0.0126, 0.0101}, 0.22},
             {"BAAB", {0.0124, 0.01, 0.0099, 0.0125}, 0.23}};
  g.verdict = verdict;
  g.ratio = 1.25;
  g.low = 1.2;
  g.high = INFINITY;
  g.fail_evidence = 150;
  g.pass_evidence = 0.2;
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
  early.low = 0;
  EXPECT_NE(GateProgressLine(early).find("B/A 1.250 bound still open"), std::string::npos);
}

TEST(GateReport, SummarySaysWhatTheVerdictMeans) {
  const std::string fail = RenderGateSummary(Outcome("fail"));
  EXPECT_NE(fail.find("FAIL: the candidate is shown slower by more than 3%"), std::string::npos)
      << fail;
  EXPECT_NE(fail.find("quads 2 of at most 60, seed 7"), std::string::npos) << fail;
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
