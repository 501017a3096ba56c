#include "reports/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "reports/escape.h"

namespace faultline::reports::svg {
namespace {

// Plot area margins: room for tick labels, axis titles and the title line.
constexpr double kLeft = 64, kRight = 16, kTop = 34, kBottom = 48;
constexpr double kLegendRow = 18;

std::string Num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

std::string Text(double x, double y, const std::string& text, const char* anchor,
                 const std::string& extra = "") {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" text-anchor=\"" + anchor + "\"" + extra +
         ">" + HtmlEscape(text) + "</text>";
}

std::string Open(int width, int height, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"" +
         std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
         std::to_string(width) + " " + std::to_string(height) +
         "\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\"><title>" + HtmlEscape(title) +
         "</title>" +
         Text(width / 2.0, 20, title, "middle", " font-size=\"14\" font-weight=\"bold\"");
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void Add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

// Horizontal legend rows under the plot; returns the markup and the rows used.
struct LegendEntry {
  std::string name, color;
  bool dashed = false;
};

std::string Legend(const std::vector<LegendEntry>& entries, double top, int width, int* rows) {
  std::string out;
  double x = kLeft;
  double y = top;
  *rows = entries.empty() ? 0 : 1;
  for (const auto& [name, color, dashed] : entries) {
    const double entry_width = 28 + 7.0 * static_cast<double>(name.size());
    if (x + entry_width > width - kRight && x > kLeft) {
      x = kLeft;
      y += kLegendRow;
      ++*rows;
    }
    out += "<line x1=\"" + Num(x) + "\" x2=\"" + Num(x + 16) + "\" y1=\"" + Num(y - 7) +
           "\" y2=\"" + Num(y - 7) + "\" stroke=\"" + color + "\" stroke-width=\"4\"" +
           (dashed ? " stroke-dasharray=\"5 2\"" : "") + "/>";
    out += Text(x + 20, y - 3, name, "start");
    x += entry_width;
  }
  return out;
}

}  // namespace

const std::string& SeriesColor(std::size_t i) {
  static const std::vector<std::string> kPalette = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                    "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return kPalette[i % kPalette.size()];
}

std::vector<double> NiceTicks(double lo, double hi, int count) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || count < 1) return {};
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / count;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  const double first = std::floor(lo / step + 1e-9) * step;
  for (double t = first; t < hi + step * 0.999; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
  }
  return ticks;
}

std::string TickLabel(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

std::string Render(const XYPlot& plot) {
  Range xr, yr;
  for (const auto& series : plot.series) {
    for (const auto& [x, y] : series.points) {
      xr.Add(x);
      yr.Add(y);
    }
  }
  std::string out = Open(plot.width, plot.height, plot.title);
  if (xr.empty()) {
    out += Text(plot.width / 2.0, plot.height / 2.0, "no data", "middle", " fill=\"#777\"");
    return out + "</svg>";
  }
  for (const auto& band : plot.bands) {
    xr.Add(band.from);
    xr.Add(band.to);
  }
  if (plot.y_from_zero) yr.Add(0);
  if (plot.x_from_zero) xr.Add(0);
  const std::vector<double> xt = NiceTicks(xr.lo, xr.hi, 6);
  const std::vector<double> yt = NiceTicks(yr.lo, yr.hi, 5);

  std::vector<LegendEntry> legend;
  for (const auto& series : plot.series)
    legend.push_back({series.name, series.color, series.dashed});
  if (!plot.bands.empty()) legend.push_back({"fault window", kBandColor});
  int legend_rows = 0;
  (void)Legend(legend, 0, plot.width, &legend_rows);  // measured first, placed below the axes
  const std::string legend_markup =
      Legend(legend, plot.height - 6 - kLegendRow * std::max(0, legend_rows - 1), plot.width,
             &legend_rows);
  const double bottom = plot.height - kBottom - kLegendRow * legend_rows;
  const double right = plot.width - kRight;
  LinearScale sx(xt.front(), xt.back(), kLeft, right);
  LinearScale sy(yt.front(), yt.back(), bottom, kTop);

  for (const auto& band : plot.bands) {
    const double x0 = std::max(kLeft, sx(band.from)), x1 = std::min(right, sx(band.to));
    out += "<rect class=\"band\" x=\"" + Num(x0) + "\" y=\"" + Num(kTop) + "\" width=\"" +
           Num(std::max(1.0, x1 - x0)) + "\" height=\"" + Num(bottom - kTop) + "\" fill=\"" +
           kBandColor + "\" fill-opacity=\"0.6\"><title>" + HtmlEscape(band.label) +
           "</title></rect>";
  }
  // Grid, ticks and axis titles.
  out += "<g stroke=\"#e3e3e3\">";
  for (double t : yt) {
    out += "<line x1=\"" + Num(kLeft) + "\" x2=\"" + Num(right) + "\" y1=\"" + Num(sy(t)) +
           "\" y2=\"" + Num(sy(t)) + "\"/>";
  }
  out += "</g><g fill=\"#333\">";
  for (double t : yt) out += Text(kLeft - 6, sy(t) + 4, plot.y_ticks(t), "end");
  for (double t : xt) out += Text(sx(t), bottom + 16, plot.x_ticks(t), "middle");
  out += "</g>";
  out += "<path d=\"M" + Num(kLeft) + " " + Num(kTop) + "V" + Num(bottom) + "H" + Num(right) +
         "\" fill=\"none\" stroke=\"#333\"/>";
  out += Text((kLeft + right) / 2, bottom + 34, plot.x_label, "middle");
  out += Text(14, (kTop + bottom) / 2, plot.y_label, "middle",
              " transform=\"rotate(-90 14 " + Num((kTop + bottom) / 2) + ")\"");

  for (const auto& series : plot.series) {
    if (series.points.empty()) continue;
    if (series.style == Series::Style::kPoints) {
      out += "<g class=\"series\" fill=\"" + series.color + "\">";
      for (const auto& [x, y] : series.points) {
        out += "<circle cx=\"" + Num(sx(x)) + "\" cy=\"" + Num(sy(y)) + "\" r=\"2.5\"/>";
      }
      out += "</g>";
      continue;
    }
    std::string d;
    for (std::size_t i = 0; i < series.points.size(); ++i) {
      const double px = sx(series.points[i].first), py = sy(series.points[i].second);
      if (i == 0) {
        d += "M" + Num(px) + " " + Num(py);
      } else if (series.style == Series::Style::kStep) {
        d += "H" + Num(px) + "V" + Num(py);
      } else {
        d += "L" + Num(px) + " " + Num(py);
      }
    }
    out += "<path class=\"series\" d=\"" + d + "\" fill=\"none\" stroke=\"" + series.color +
           "\" stroke-width=\"2\"" + (series.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
    if (series.style == Series::Style::kLine) {  // vertices visible, also for a single point
      out += "<g fill=\"" + series.color + "\">";
      for (const auto& [x, y] : series.points) {
        out += "<circle cx=\"" + Num(sx(x)) + "\" cy=\"" + Num(sy(y)) + "\" r=\"3\"/>";
      }
      out += "</g>";
    }
  }
  for (const auto& marker : plot.markers) {
    const double mx = sx(marker.x), my = sy(marker.y);
    out += "<g class=\"marker\"><line x1=\"" + Num(mx) + "\" x2=\"" + Num(mx) + "\" y1=\"" +
           Num(kTop) + "\" y2=\"" + Num(bottom) + "\" stroke=\"" + kMarkerColor +
           "\" stroke-dasharray=\"3 3\"/><circle cx=\"" + Num(mx) + "\" cy=\"" + Num(my) +
           "\" r=\"5\" fill=\"none\" stroke=\"" + kMarkerColor + "\" stroke-width=\"2\"/>" +
           (mx > (kLeft + right) / 2 ? Text(mx - 6, kTop + 12, marker.label, "end")
                                     : Text(mx + 6, kTop + 12, marker.label, "start")) +
           "</g>";
  }
  out += legend_markup;
  return out + "</svg>";
}

std::string Render(const StackedBars& chart) {
  constexpr double kBarHeight = 22, kBarGap = 10, kLabelWidth = 120;
  double total_max = 0;
  for (const auto& row : chart.values) {
    double total = 0;
    for (double v : row) total += std::max(0.0, v);
    total_max = std::max(total_max, total);
  }
  std::vector<LegendEntry> legend;
  for (std::size_t s = 0; s < chart.segments.size(); ++s) {
    legend.push_back({chart.segments[s], SeriesColor(s)});
  }
  int legend_rows = 0;
  (void)Legend(legend, 0, chart.width, &legend_rows);
  const double bars_height = static_cast<double>(chart.bars.size()) * (kBarHeight + kBarGap);
  const double bottom = kTop + bars_height;
  const int height = static_cast<int>(bottom + kBottom + kLegendRow * legend_rows);
  std::string out = Open(chart.width, height, chart.title);
  if (chart.bars.empty() || total_max <= 0) {
    out += Text(chart.width / 2.0, height / 2.0, "no data", "middle", " fill=\"#777\"");
    return out + "</svg>";
  }
  const double left = kLeft + kLabelWidth - 40, right = chart.width - kRight;
  const std::vector<double> xt = NiceTicks(0, total_max, 6);
  LinearScale sx(0, xt.back(), left, right);
  out += "<g stroke=\"#e3e3e3\">";
  for (double t : xt) {
    out += "<line x1=\"" + Num(sx(t)) + "\" x2=\"" + Num(sx(t)) + "\" y1=\"" + Num(kTop) +
           "\" y2=\"" + Num(bottom) + "\"/>";
  }
  out += "</g><g fill=\"#333\">";
  for (double t : xt) out += Text(sx(t), bottom + 16, TickLabel(t), "middle");
  out += "</g>";
  for (std::size_t b = 0; b < chart.bars.size(); ++b) {
    const double y = kTop + kBarGap / 2 + static_cast<double>(b) * (kBarHeight + kBarGap);
    out += Text(left - 6, y + kBarHeight / 2 + 4, chart.bars[b], "end");
    double at = 0;
    for (std::size_t s = 0; s < chart.segments.size() && b < chart.values.size(); ++s) {
      const double v = s < chart.values[b].size() ? std::max(0.0, chart.values[b][s]) : 0;
      if (v <= 0) continue;
      out += "<rect class=\"segment\" x=\"" + Num(sx(at)) + "\" y=\"" + Num(y) + "\" width=\"" +
             Num(sx(at + v) - sx(at)) + "\" height=\"" + Num(kBarHeight) + "\" fill=\"" +
             SeriesColor(s) + "\"><title>" + HtmlEscape(chart.segments[s] + ": " + TickLabel(v)) +
             "</title></rect>";
      at += v;
    }
  }
  out += "<path d=\"M" + Num(left) + " " + Num(kTop) + "V" + Num(bottom) + "H" + Num(right) +
         "\" fill=\"none\" stroke=\"#333\"/>";
  out += Text((left + right) / 2, bottom + 34, chart.value_label, "middle");
  out += Legend(legend, height - 6 - kLegendRow * (legend_rows - 1), chart.width, &legend_rows);
  return out + "</svg>";
}

}  // namespace faultline::reports::svg
