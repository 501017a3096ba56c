#include "reports/html_report.h"

#include <gtest/gtest.h>

#include <regex>

#include "reports/aggregate.h"

namespace faultline::reports {
namespace {

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

Sample RunSample(const std::string& target, std::int64_t start_ns, std::int64_t ms) {
  Sample s;
  s.step = "storm";
  s.target = target;
  s.op = "run";
  s.node = "local";
  s.start_ns = start_ns;
  s.duration_ns = ms * 1'000'000;
  s.phases = {
      {"runtime_exec", 1'000'000}, {"cgroup_created", 18'000'000}, {"user_exec", ms * 900'000}};
  return s;
}

Result Sample2Targets() {
  Result r;
  r.context.scenario_name = "storm <&>";
  r.context.run_id = "0a1b2c3d";
  r.context.targets = {{"runc", "oci", {"runc", "1.1.5", "/usr/sbin/runc", "ab"}, {}},
                       {"crun", "oci", {"crun", "1.8.1", "/usr/bin/crun", "cd"}, {}}};
  for (int i = 0; i < 20; ++i) {
    r.samples.push_back(RunSample("runc", 1'000'000'000 + i * 50'000'000LL, 25 + i));
    r.samples.push_back(RunSample("crun", 1'020'000'000 + i * 50'000'000LL, 8 + i / 2));
  }
  r.density.push_back({"ramp", "runc", 0, "", 10, 0, 2e6, 1e6, 0, 0.02, 0.03, 5});
  r.density.push_back({"ramp", "runc", 0, "", 20, 0, 2.1e6, 1e6, 0, 0.03, 0.09, 6});
  r.density_outcomes.push_back({"ramp", "runc", 0, "", 20, "slo", 20u});
  r.aggregates = ComputeAggregates(r);
  r.slo.push_back({"start_latency.p99 <= 30ms", "storm", "runc", 0.044, 0.03, "s", false, ""});
  r.validity.push_back("host was busy before the run <script>");
  return r;
}

TEST(HtmlReport, SelfContainedWithEveryPlot) {
  Result r = Sample2Targets();
  HtmlReportInput in{&r, "result.json"};
  in.faults.push_back({"node.pause", 1'300'000'000, 1'600'000'000, {"node-2"}});
  const std::string html = RenderHtmlReport(in);
  // Nothing fetched: no URLs other than the SVG namespace, no script.
  std::string stripped = std::regex_replace(html, std::regex("http://www.w3.org/2000/svg"), "");
  EXPECT_EQ(stripped.find("http"), std::string::npos);
  EXPECT_EQ(stripped.find("//"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // Everything user-controlled is escaped.
  EXPECT_NE(html.find("storm &lt;&amp;&gt;"), std::string::npos);
  EXPECT_NE(html.find("host was busy before the run &lt;script&gt;"), std::string::npos);
  // Plots: CDF, phases, timeline, density memory + p99.
  EXPECT_EQ(Count(html, "<svg "), 5);
  EXPECT_NE(html.find("class=\"warnings\""), std::string::npos);
  EXPECT_LT(html.find("class=\"warnings\""), html.find("id=\"slo\""));  // warnings come first
  EXPECT_NE(html.find("1 of 1 SLOs failed"), std::string::npos);
  EXPECT_NE(html.find(">runtime_exec<"), std::string::npos);
  EXPECT_LT(html.find(">runtime_exec<"), html.find(">cgroup_created<"));  // time order
  EXPECT_NE(html.find("class=\"band\""), std::string::npos);
  EXPECT_NE(html.find("node.pause node-2"), std::string::npos);
  EXPECT_EQ(Count(html, "knee runc: 20"), 2);  // on the memory and the latency curve
  EXPECT_NE(html.find("/usr/sbin/runc"), std::string::npos);
  EXPECT_EQ(html.find("Base vs new"), std::string::npos);
}

TEST(HtmlReport, BaseOverlayAndCompareVerdicts) {
  Result r = Sample2Targets();
  Result base = Sample2Targets();
  for (auto& s : base.samples) s.duration_ns *= 2;
  base.aggregates = ComputeAggregates(base);
  HtmlReportInput in{&r, "new.json", &base, "base.json"};
  const std::string html = RenderHtmlReport(in);
  EXPECT_NE(html.find("Base vs new"), std::string::npos);
  // New is half of base: the verdicts of `faultline compare`.
  EXPECT_NE(html.find(">-50.0% [-"), std::string::npos) << html;
  EXPECT_NE(html.find("\">improved</td>"), std::string::npos);
  EXPECT_EQ(html.find(">regressed<"), std::string::npos);
  EXPECT_NE(html.find("stroke-dasharray=\"6 4\""), std::string::npos);
  EXPECT_NE(html.find("base runc (n=20)"), std::string::npos);
  EXPECT_NE(html.find("base run: host was busy"), std::string::npos);
}

TEST(HtmlReport, WithoutPhasesOrDensitySaysSo) {
  Result r;
  Sample s = RunSample("runc", 1, 10);
  s.phases.clear();
  r.samples = {s};
  HtmlReportInput in{&r, "r.json"};
  const std::string html = RenderHtmlReport(in);
  EXPECT_NE(html.find("No phase timings"), std::string::npos);
  EXPECT_EQ(html.find("id=\"density\""), std::string::npos);
  EXPECT_EQ(html.find("class=\"warnings\""), std::string::npos);
  EXPECT_NE(html.find("no faults in this run"), std::string::npos);
}

}  // namespace
}  // namespace faultline::reports
