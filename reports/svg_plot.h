// Static SVG charts generated in C++ for the HTML report: axes with "nice" ticks, line, step and
// point series, shaded x ranges, marked points, a legend, and horizontal stacked bars. No script,
// no external resources: the SVG text is complete in itself.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faultline::reports::svg {

// Series colours, distinct and readable on white; the i-th series gets SeriesColor(i).
const std::string& SeriesColor(std::size_t i);
// The colour of shaded fault windows and of marked points.
inline constexpr const char* kBandColor = "#f4b6b6";
inline constexpr const char* kMarkerColor = "#111111";

// Maps the domain [d0, d1] linearly onto the range [r0, r1]; a degenerate domain maps to r0.
class LinearScale {
 public:
  LinearScale(double d0, double d1, double r0, double r1) : d0_(d0), d1_(d1), r0_(r0), r1_(r1) {}
  double operator()(double v) const {
    return d1_ == d0_ ? r0_ : r0_ + (v - d0_) * (r1_ - r0_) / (d1_ - d0_);
  }

 private:
  double d0_, d1_, r0_, r1_;
};

// Tick values at a step of 1, 2 or 5 times a power of ten, about COUNT of them, from the
// multiple of the step at or below LO to the one at or above HI.
std::vector<double> NiceTicks(double lo, double hi, int count);

// A tick label: at most 4 significant digits, no trailing zeros ("0.25", "1500", "2e+06").
std::string TickLabel(double v);

struct Series {
  enum class Style { kLine, kStep, kPoints };
  std::string name;
  std::string color;
  std::vector<std::pair<double, double>> points;  // (x, y), in drawing order
  Style style = Style::kLine;
  bool dashed = false;
};

struct Band {  // a shaded x range across the plot, e.g. a fault window
  double from = 0, to = 0;
  std::string label;
};

struct Marker {  // a marked point with a label, e.g. the density knee
  double x = 0, y = 0;
  std::string label;
};

struct XYPlot {
  std::string title;
  std::string x_label;  // with its unit: "start latency (ms)"
  std::string y_label;
  int width = 640, height = 360;
  std::vector<Series> series;
  std::vector<Band> bands;
  std::vector<Marker> markers;
  bool y_from_zero = true;  // include 0 in the y range
  bool x_from_zero = false;
  std::function<std::string(double)> x_ticks = TickLabel;
  std::function<std::string(double)> y_ticks = TickLabel;
};

// The plot as an <svg> element; "no data" in place of axes when no series has points.
std::string Render(const XYPlot& plot);

// One horizontal bar per category, split into segments laid end to end (e.g. phases of a
// container start in time order); segment s gets SeriesColor(s).
struct StackedBars {
  std::string title;
  std::string value_label;                  // x axis, with its unit
  std::vector<std::string> bars;            // category names, top to bottom
  std::vector<std::string> segments;        // segment names, left to right
  std::vector<std::vector<double>> values;  // [bar][segment], >= 0
  int width = 640;
};

std::string Render(const StackedBars& chart);

}  // namespace faultline::reports::svg
