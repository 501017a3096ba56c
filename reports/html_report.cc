#include "reports/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "harness/measure/summary.h"
#include "reports/compare.h"
#include "reports/compare_report.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/phases.h"
#include "reports/svg_plot.h"

namespace faultline::reports {
namespace {

constexpr const char* kStyle = R"(
body{font-family:sans-serif;margin:24px auto;max-width:1320px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
.sub{color:#555;margin:0 0 12px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#176b2c;font-weight:bold}.fail{color:#b00020;font-weight:bold}
.warnings{border:2px solid #d98a00;background:#fff4dc;padding:8px 16px;margin:12px 0}
.warnings h2{border:none;margin:4px 0;color:#8a5200}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:bold}
.badge.pass{background:#176b2c;color:#fff}.badge.fail{background:#b00020;color:#fff}
.plots{display:flex;flex-wrap:wrap;gap:12px}
svg.plot{border:1px solid #e6e6e6;background:#fff}
code{font-size:12px;word-break:break-all}
)";

std::string Esc(const std::string& s) {
  return HtmlEscape(s);
}

std::string Cell(const std::string& text, bool num = false) {
  return std::string(num ? "<td class=\"num\">" : "<td>") + Esc(text) + "</td>";
}

std::string Header(const std::vector<std::string>& names) {
  std::string out = "<tr>";
  for (const auto& n : names) out += "<th>" + Esc(n) + "</th>";
  return out + "</tr>";
}

// Target names in the order the run listed them (context), then any only samples name.
std::vector<std::string> Targets(const Result& result) {
  std::vector<std::string> names;
  for (const auto& t : result.context.targets) names.push_back(t.name);
  for (const auto& s : result.samples) {
    if (std::find(names.begin(), names.end(), s.target) == names.end()) names.push_back(s.target);
  }
  return names;
}

std::vector<std::string> StartSteps(const Result& result) {
  std::vector<std::string> steps;
  for (const auto& s : result.samples) {
    if (s.op == "run" && std::find(steps.begin(), steps.end(), s.step) == steps.end()) {
      steps.push_back(s.step);
    }
  }
  return steps;
}

// Start latencies (seconds, ascending) of successful run samples of STEP and TARGET.
std::vector<double> StartLatencies(const Result& result, const std::string& step,
                                   const std::string& target) {
  std::vector<double> values;
  for (const auto& s : result.samples) {
    if (s.ok && s.op == "run" && s.step == step && s.target == target) {
      values.push_back(static_cast<double>(LatencyNs(s)) / 1e9);
    }
  }
  std::sort(values.begin(), values.end());
  return values;
}

svg::Series CdfSeries(const std::string& name, const std::string& color,
                      const std::vector<double>& sorted, bool dashed) {
  svg::Series series{name, color, {}, svg::Series::Style::kStep, dashed};
  const double n = static_cast<double>(sorted.size());
  if (!sorted.empty()) series.points.emplace_back(sorted.front() * 1e3, 0);
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    series.points.emplace_back(sorted[i] * 1e3, static_cast<double>(i + 1) / n);
  }
  return series;
}

std::string Warnings(const HtmlReportInput& in) {
  const Result& r = *in.result;
  std::vector<std::string> lines = r.validity;
  if (r.interrupted) lines.insert(lines.begin(), "the run was interrupted: partial result");
  for (const auto& note : in.notes) lines.push_back(note);
  if (in.base) {
    for (const auto& w : in.base->validity) lines.push_back("base run: " + w);
  }
  if (lines.empty()) return "";
  std::string out = "<section class=\"warnings\" id=\"validity\"><h2>&#9888; Validity warnings (" +
                    std::to_string(lines.size()) +
                    "): these make the numbers less trustworthy</h2><ul>";
  for (const auto& line : lines) out += "<li>" + Esc(line) + "</li>";
  return out + "</ul></section>";
}

std::string SloSection(const Result& r) {
  std::string out = "<h2 id=\"slo\">SLO verdicts</h2>";
  if (r.slo.empty()) return out + "<p>No SLO rules in this scenario.</p>";
  out += "<table>" + Header({"rule", "step", "target", "observed", "limit", "verdict", "reason"});
  for (const auto& v : r.slo) {
    out += "<tr>" + Cell(v.rule) + Cell(v.step) + Cell(v.target) +
           Cell(FormatValue(v.observed, v.unit), true) + Cell(FormatValue(v.limit, v.unit), true) +
           (v.pass ? "<td class=\"pass\">pass</td>" : "<td class=\"fail\">FAIL</td>") +
           Cell(v.reason) + "</tr>";
  }
  return out + "</table>";
}

std::string CdfSection(const HtmlReportInput& in) {
  const Result& r = *in.result;
  std::string out = "<h2 id=\"cdf\">Start latency distribution</h2><div class=\"plots\">";
  const auto targets = Targets(r);
  const auto steps = StartSteps(r);
  if (steps.empty()) return out + "<p>No start samples.</p></div>";
  for (const auto& step : steps) {
    svg::XYPlot plot;
    plot.title = "start latency CDF, step " + step;
    plot.x_label = "start latency (ms)";
    plot.y_label = "fraction of starts";
    plot.width = 640;
    for (std::size_t t = 0; t < targets.size(); ++t) {
      auto values = StartLatencies(r, step, targets[t]);
      if (values.empty()) continue;
      const std::string prefix = in.base ? "new " : "";
      plot.series.push_back(
          CdfSeries(prefix + targets[t] + " (n=" + std::to_string(values.size()) + ")",
                    svg::SeriesColor(t), values, false));
      if (in.base) {
        auto base = StartLatencies(*in.base, step, targets[t]);
        if (!base.empty()) {
          plot.series.push_back(
              CdfSeries("base " + targets[t] + " (n=" + std::to_string(base.size()) + ")",
                        svg::SeriesColor(t), base, true));
        }
      }
    }
    out += svg::Render(plot);
  }
  return out + "</div>";
}

std::string PhaseSection(const Result& r) {
  std::vector<Sample> with_phases;
  for (const auto& s : r.samples) {
    if (s.ok && !s.phases.empty()) with_phases.push_back(s);
  }
  std::string out = "<h2 id=\"phases\">Start phases</h2>";
  if (with_phases.empty()) {
    return out + "<p>No phase timings in this result (they come from the eBPF probes).</p>";
  }
  std::vector<std::string> order = OrderedPhaseNames(with_phases);
  std::erase(order, "exit");  // the end of the container's life, not a part of its start
  std::set<std::string> steps;
  for (const auto& s : with_phases) steps.insert(s.step);
  svg::StackedBars chart;
  chart.title = "median duration of each start phase, in time order";
  chart.value_label = "time since the driver call (ms, sum of medians)";
  chart.segments = order;
  chart.width = 1000;
  std::vector<std::string> step_order = StartSteps(r);
  for (const auto& step : steps) {
    if (std::find(step_order.begin(), step_order.end(), step) == step_order.end()) {
      step_order.push_back(step);
    }
  }
  for (const auto& step : step_order) {
    for (const auto& target : Targets(r)) {
      std::map<std::string, std::vector<double>> durations;
      for (const auto& s : with_phases) {
        if (s.step != step || s.target != target) continue;
        for (const auto& [name, ns] : PhaseDurations(s)) {
          durations[name].push_back(static_cast<double>(ns) / 1e6);
        }
      }
      if (durations.empty()) continue;
      std::vector<double> row;
      for (const auto& name : order) {
        auto& values = durations[name];
        std::sort(values.begin(), values.end());
        row.push_back(measure::Quantile(values, 0.5));
      }
      chart.bars.push_back(steps.size() > 1 ? step + " / " + target : target);
      chart.values.push_back(std::move(row));
    }
  }
  return out + "<div class=\"plots\">" + svg::Render(chart) + "</div>";
}

std::string TimelineSection(const HtmlReportInput& in) {
  const Result& r = *in.result;
  std::int64_t t0 = std::numeric_limits<std::int64_t>::max();
  for (const auto& s : r.samples) {
    if (s.op == "run") t0 = std::min(t0, s.start_ns);
  }
  for (const auto& f : in.faults) t0 = std::min(t0, f.inject_ns);
  std::string out = "<h2 id=\"timeline\">Start latency over the run</h2>";
  if (t0 == std::numeric_limits<std::int64_t>::max()) return out + "<p>No start samples.</p>";
  svg::XYPlot plot;
  plot.title = "start latency by start time" +
               std::string(in.faults.empty() ? " (no faults in this run)" : ", faults shaded");
  plot.x_label = "time since the first start (s)";
  plot.y_label = "start latency (ms)";
  plot.width = 1300;
  plot.height = 380;
  plot.x_from_zero = true;
  const auto targets = Targets(r);
  for (std::size_t t = 0; t < targets.size(); ++t) {
    svg::Series series{targets[t], svg::SeriesColor(t), {}, svg::Series::Style::kPoints};
    for (const auto& s : r.samples) {
      if (s.ok && s.op == "run" && s.target == targets[t]) {
        series.points.emplace_back(static_cast<double>(s.start_ns - t0) / 1e9,
                                   static_cast<double>(LatencyNs(s)) / 1e6);
      }
    }
    if (!series.points.empty()) plot.series.push_back(std::move(series));
  }
  std::int64_t t_end = t0;
  for (const auto& s : r.samples) t_end = std::max(t_end, s.start_ns + s.duration_ns);
  for (const auto& f : in.faults) {
    const std::int64_t end = f.revert_ns.value_or(t_end);
    std::string label = f.kind;
    for (const auto& node : f.nodes) label += " " + node;
    if (!f.revert_ns) label += " (not reverted)";
    plot.bands.push_back(
        {static_cast<double>(f.inject_ns - t0) / 1e9, static_cast<double>(end - t0) / 1e9, label});
  }
  out += svg::Render(plot);
  if (!in.faults.empty()) {
    out += "<table>" + Header({"fault", "nodes", "injected at (s)", "reverted at (s)"});
    for (const auto& f : in.faults) {
      std::string nodes;
      for (const auto& n : f.nodes) nodes += (nodes.empty() ? "" : ", ") + n;
      char at[32], until[32] = "-";
      std::snprintf(at, sizeof at, "%.3f", static_cast<double>(f.inject_ns - t0) / 1e9);
      if (f.revert_ns) {
        std::snprintf(until, sizeof until, "%.3f", static_cast<double>(*f.revert_ns - t0) / 1e9);
      }
      out += "<tr>" + Cell(f.kind) + Cell(nodes) + Cell(at, true) + Cell(until, true) + "</tr>";
    }
    out += "</table>";
  }
  return out;
}

std::string DensitySection(const Result& r) {
  if (r.density.empty()) return "";
  std::string out = "<h2 id=\"density\">Density</h2>";
  std::vector<std::string> steps;
  for (const auto& p : r.density) {
    if (std::find(steps.begin(), steps.end(), p.step) == steps.end()) steps.push_back(p.step);
  }
  const auto targets = Targets(r);
  for (const auto& step : steps) {
    svg::XYPlot memory, latency;
    memory.title = "memory per container, step " + step;
    memory.x_label = "containers running";
    double max_memory = 0;
    for (const auto& p : r.density) {
      if (p.step == step) max_memory = std::max(max_memory, p.memory_per_container_bytes);
    }
    const bool mib = max_memory >= 1024.0 * 1024.0;
    const double memory_unit = mib ? 1024.0 * 1024.0 : 1024.0;
    memory.y_label = mib ? "memory per container (MiB)" : "memory per container (KiB)";
    latency.title = "start p99 by density, step " + step;
    latency.x_label = "containers running";
    latency.y_label = "start latency p99 (ms)";
    memory.x_from_zero = latency.x_from_zero = true;
    for (std::size_t t = 0; t < targets.size(); ++t) {
      std::set<int> reps;
      for (const auto& p : r.density) {
        if (p.step == step && p.target == targets[t]) reps.insert(p.repetition);
      }
      for (int rep : reps) {
        const std::string name =
            targets[t] + (reps.size() > 1 ? " rep " + std::to_string(rep + 1) : "");
        // Later repetitions dashed, so repetitions of one target stay apart.
        const bool dashed = rep != *reps.begin();
        svg::Series mem{name, svg::SeriesColor(t), {}, svg::Series::Style::kLine, dashed};
        svg::Series p99{name, svg::SeriesColor(t), {}, svg::Series::Style::kLine, dashed};
        for (const auto& p : r.density) {
          if (p.step != step || p.target != targets[t] || p.repetition != rep) continue;
          mem.points.emplace_back(p.containers, p.memory_per_container_bytes / memory_unit);
          p99.points.emplace_back(p.containers, p.start_p99_s * 1e3);
        }
        for (const auto& o : r.density_outcomes) {
          if (o.step != step || o.target != targets[t] || o.repetition != rep || !o.knee) continue;
          // The knee is marked on both curves, at the curve's value for that many containers.
          const std::string label = "knee " + name + ": " + std::to_string(*o.knee);
          for (auto [plot, series] : {std::pair{&memory, &mem}, std::pair{&latency, &p99}}) {
            double y = 0;
            for (const auto& [x, v] : series->points) {
              if (x == *o.knee) y = v;
            }
            plot->markers.push_back({static_cast<double>(*o.knee), y, label});
          }
        }
        memory.series.push_back(std::move(mem));
        latency.series.push_back(std::move(p99));
      }
    }
    out += "<div class=\"plots\">" + svg::Render(memory) + svg::Render(latency) + "</div>";
  }
  out += "<table>" + Header({"step", "target", "repetition", "reached", "stopped by", "knee"});
  for (const auto& o : r.density_outcomes) {
    out += "<tr>" + Cell(o.step) + Cell(o.target) + Cell(std::to_string(o.repetition + 1), true) +
           Cell(std::to_string(o.reached), true) + Cell(o.stopped_by) +
           Cell(o.knee ? std::to_string(*o.knee) : "none", true) + "</tr>";
  }
  return out + "</table>";
}

std::string AggregatesSection(const Result& r) {
  std::string out =
      "<h2 id=\"aggregates\">All metrics</h2><table>" +
      Header({"step", "target", "metric", "count", "failed", "mean", "p50", "p90", "p99", "max"});
  for (const auto& a : r.aggregates) {
    out += "<tr>" + Cell(a.step) + Cell(a.target) + Cell(a.metric) +
           Cell(std::to_string(a.count), true) + Cell(std::to_string(a.failed), true) +
           Cell(FormatValue(a.mean, a.unit), true) + Cell(FormatValue(a.p50, a.unit), true) +
           Cell(FormatValue(a.p90, a.unit), true) + Cell(FormatValue(a.p99, a.unit), true) +
           Cell(FormatValue(a.max, a.unit), true) + "</tr>";
  }
  return out + "</table>";
}

// The verdicts `faultline compare BASE NEW` gives at its default settings (docs/METRICS.md).
std::string BaseSection(const Result& r, const Result& base) {
  const Comparison c = Compare(base, r, {});
  std::string out = "<h2 id=\"base\">Base vs new</h2><p>" + Esc(CompareSettings(c)) + "</p>";
  if (!c.not_comparable.empty() || !c.warnings.empty()) {
    out += "<ul>";
    for (const auto& p : c.not_comparable) out += "<li class=\"fail\">not comparable: " + Esc(p);
    for (const auto& w : c.warnings) out += "<li>" + Esc(w);
    out += "</ul>";
  }
  out += "<table>" + Header(CompareTableHeader());
  const std::vector<bool>& numeric = CompareTableRightAligned();
  for (const MetricComparison& m : c.metrics) {
    const std::vector<std::string> cells = CompareTableRow(m);
    out += "<tr>";
    for (std::size_t i = 0; i + 1 < cells.size(); ++i) out += Cell(cells[i], numeric[i]);
    const char* style = m.verdict == Verdict::kRegressed  ? " class=\"fail\""
                        : m.verdict == Verdict::kImproved ? " class=\"pass\""
                                                          : "";
    out += "<td" + std::string(style) + " title=\"" + Esc(m.reason) + "\">" + Esc(cells.back()) +
           "</td></tr>";
  }
  return out + "</table>";
}

std::string ContextRows(const RunContext& c) {
  auto row = [](const std::string& k, const std::string& v) {
    return "<tr><th>" + Esc(k) + "</th><td><code>" + Esc(v) + "</code></td></tr>";
  };
  std::string out = row("faultline", c.faultline_version + " (" + c.git_sha + ")") +
                    row("run id", c.run_id) + row("scenario", c.scenario_name) +
                    row("scenario file", c.scenario_path) +
                    row("scenario sha256", c.scenario_sha256) + row("started", c.started_at) +
                    row("ended", c.ended_at) + row("host", c.hostname) + row("kernel", c.kernel) +
                    row("cgroups", c.cgroup_mode) +
                    row("CPU", c.cpu_model + " x " + std::to_string(c.cpu_count)) +
                    row("memory", FormatBytes(static_cast<double>(c.memory_bytes)));
  for (const auto& t : c.targets) {
    out += row("target " + t.name, t.driver + " " + t.runtime.name + " " + t.runtime.version +
                                       " at " + t.runtime.path + ", sha256 " + t.runtime.sha256);
    out += row("image of " + t.name,
               t.image.reference + " " + t.image.digest + " (" + t.image.digest_of + ")");
  }
  for (const auto& note : c.notes) out += row("note", note);
  return out;
}

std::string ContextSection(const HtmlReportInput& in) {
  std::string out = "<h2 id=\"context\">Context</h2><div class=\"plots\">";
  out += "<table><tr><th colspan=\"2\">" + std::string(in.base ? "new: " : "") + Esc(in.source) +
         "</th></tr>" + ContextRows(in.result->context) + "</table>";
  if (in.base) {
    out += "<table><tr><th colspan=\"2\">base: " + Esc(in.base_source) + "</th></tr>" +
           ContextRows(in.base->context) + "</table>";
  }
  return out + "</div>";
}

}  // namespace

std::string RenderHtmlReport(const HtmlReportInput& in) {
  const Result& r = *in.result;
  std::size_t failed = 0;
  for (const auto& v : r.slo) failed += v.pass ? 0 : 1;
  const std::string title = "faultline report: " + r.context.scenario_name;
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      Esc(title) + "</title><style>" + kStyle + "</style></head><body>";
  out += "<h1>" + Esc(title) + " ";
  if (!r.slo.empty()) {
    out += failed ? "<span class=\"badge fail\">" + std::to_string(failed) + " of " +
                        std::to_string(r.slo.size()) + " SLOs failed</span>"
                  : "<span class=\"badge pass\">all " + std::to_string(r.slo.size()) +
                        " SLOs hold</span>";
  }
  out += "</h1><p class=\"sub\">run " + Esc(r.context.run_id) + " on " + Esc(r.context.hostname) +
         ", " + Esc(r.context.started_at) + " to " + Esc(r.context.ended_at) + " &middot; " +
         Esc(in.source);
  if (in.base) out += " &middot; base: " + Esc(in.base_source);
  out += "</p>";
  out += Warnings(in);
  out += SloSection(r);
  out += CdfSection(in);
  out += PhaseSection(r);
  out += TimelineSection(in);
  out += DensitySection(r);
  if (in.base) out += BaseSection(r, *in.base);
  out += AggregatesSection(r);
  out += ContextSection(in);
  return out + "</body></html>\n";
}

}  // namespace faultline::reports
