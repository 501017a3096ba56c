#include "reports/svg_plot.h"

#include <gtest/gtest.h>

#include <cmath>

namespace faultline::reports::svg {
namespace {

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(SvgPlot, LinearScaleMapsDomainOntoRange) {
  LinearScale s(0, 10, 100, 200);
  EXPECT_DOUBLE_EQ(s(0), 100);
  EXPECT_DOUBLE_EQ(s(5), 150);
  LinearScale flipped(0, 1, 300, 0);  // SVG y grows downwards
  EXPECT_DOUBLE_EQ(flipped(1), 0);
  EXPECT_DOUBLE_EQ(LinearScale(2, 2, 7, 9)(2), 7);
}

TEST(SvgPlot, NiceTicksUseOneTwoFiveSteps) {
  EXPECT_EQ(NiceTicks(0, 34, 4), (std::vector<double>{0, 10, 20, 30, 40}));
  EXPECT_EQ(NiceTicks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  EXPECT_EQ(NiceTicks(12, 18, 3), (std::vector<double>{12, 14, 16, 18}));
  auto ticks = NiceTicks(5, 5, 4);  // a single value still gets an axis around it
  ASSERT_GE(ticks.size(), 2u);
  EXPECT_LE(ticks.front(), 5);
  EXPECT_GE(ticks.back(), 5);
  EXPECT_TRUE(NiceTicks(0, NAN, 4).empty());
}

TEST(SvgPlot, TickLabels) {
  EXPECT_EQ(TickLabel(0.25), "0.25");
  EXPECT_EQ(TickLabel(1500), "1500");
  EXPECT_EQ(TickLabel(0), "0");
}

TEST(SvgPlot, DrawsEverySeriesBandMarkerAndLegendEntry) {
  XYPlot plot;
  plot.title = "start <latency> & more";
  plot.x_label = "start latency (ms)";
  plot.y_label = "fraction";
  plot.series.push_back({"runc", SeriesColor(0), {{1, 0.5}, {2, 1}}, Series::Style::kStep});
  plot.series.push_back({"crun", SeriesColor(1), {{3, 1}}, Series::Style::kPoints});
  plot.bands.push_back({1.2, 1.8, "network.partition"});
  plot.markers.push_back({2, 1, "knee 40"});
  const std::string svg = Render(plot);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("start &lt;latency&gt; &amp; more"), std::string::npos);
  EXPECT_EQ(svg.find("<latency>"), std::string::npos);
  EXPECT_EQ(Count(svg, "class=\"series\""), 2);
  EXPECT_NE(svg.find("stroke=\"#1f77b4\""), std::string::npos);
  EXPECT_EQ(Count(svg, "<circle cx"), 2);  // one point + the marker's ring
  EXPECT_EQ(Count(svg, "class=\"band\""), 1);
  EXPECT_NE(svg.find("network.partition"), std::string::npos);
  EXPECT_NE(svg.find("knee 40"), std::string::npos);
  EXPECT_NE(svg.find(">fault window<"), std::string::npos);
  EXPECT_NE(svg.find(">start latency (ms)<"), std::string::npos);
  EXPECT_NE(svg.find("H"), std::string::npos);  // step path
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
}

TEST(SvgPlot, EmptyPlotSaysNoData) {
  XYPlot plot;
  plot.title = "nothing";
  plot.series.push_back({"runc", SeriesColor(0), {}, Series::Style::kLine});
  const std::string svg = Render(plot);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_EQ(svg.find("class=\"series\""), std::string::npos);
}

TEST(SvgPlot, StackedBarsLaySegmentsEndToEnd) {
  StackedBars chart;
  chart.title = "phases";
  chart.value_label = "median time (ms)";
  chart.bars = {"runc", "crun"};
  chart.segments = {"runtime_exec", "user_exec"};
  chart.values = {{10, 20}, {5, 0}};
  const std::string svg = Render(chart);
  EXPECT_EQ(Count(svg, "class=\"segment\""), 3);  // a zero segment is not drawn
  EXPECT_NE(svg.find("user_exec: 20"), std::string::npos);
  EXPECT_NE(svg.find(">median time (ms)<"), std::string::npos);
  chart.values = {{0, 0}, {0, 0}};
  EXPECT_NE(Render(chart).find("no data"), std::string::npos);
}

}  // namespace
}  // namespace faultline::reports::svg
