#include "reports/compare_report.h"

#include <cmath>
#include <cstdio>
#include <map>

#include "reports/escape.h"
#include "reports/format.h"
#include "reports/table.h"

namespace faultline::reports {
namespace {

std::string Interval(const RatioInterval& r) {
  return "[" + FormatChange(r.low) + ", " + FormatChange(r.high) + "]";
}

std::string PValue(const MetricComparison& m) {
  if (!m.tested) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2g", m.p_adjusted);
  return buffer;
}

std::string Value(double v, const std::string& unit) {
  return std::isnan(v) ? std::string("-") : FormatValue(v, unit);
}

// "host speed +1.2% (fork+exec /usr/bin/true, bound 5%)" or why there is none.
std::string HostSpeedLine(const Comparison& c) {
  const HostSpeedChange& h = c.host_speed;
  if (!h.measured) return "host speed: not measured in both runs";
  char bound[32] = "none";
  if (std::isfinite(c.options.host_bound)) {
    std::snprintf(bound, sizeof bound, "%.3g%%", c.options.host_bound * 100);
  }
  return "host speed " + FormatChange(h.ratio) + " (" + h.operation + ", bound " + bound + ")" +
         (h.moved ? ": MOVED, timing verdicts withheld" : "");
}

std::map<Verdict, int> Counts(const Comparison& c) {
  std::map<Verdict, int> counts;
  for (const auto& m : c.metrics) ++counts[m.verdict];
  return counts;
}

std::string Summary(const Comparison& c) {
  auto counts = Counts(c);
  std::string out;
  for (Verdict v :
       {Verdict::kRegressed, Verdict::kImproved, Verdict::kInconclusive, Verdict::kNoChange}) {
    if (!out.empty()) out += ", ";
    out += std::to_string(counts[v]) + " " + VerdictName(v);
  }
  return out;
}

std::string Side(const std::string& path, const std::string& run_id) {
  return (path.empty() ? std::string("(result)") : path) + " (run " + run_id + ")";
}

nlohmann::json Number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

// Markdown table cells must not contain a pipe.
std::string Cell(std::string s) {
  for (std::size_t i = 0; (i = s.find('|', i)) != std::string::npos; i += 2) s.replace(i, 1, "\\|");
  return s;
}

}  // namespace

std::vector<std::string> CompareTableHeader() {
  return {"step",    "target",          "metric",          "level", "n base/new", "p50 base",
          "p50 new", "p50 change [CI]", "p99 change [CI]", "p adj", "verdict"};
}

const std::vector<bool>& CompareTableRightAligned() {
  static const std::vector<bool> right = {false, false, false, false, true, true,
                                          true,  false, false, true,  false};
  return right;
}

std::vector<std::string> CompareTableRow(const MetricComparison& m) {
  return {m.step,
          m.target,
          m.metric,
          LevelName(m.level),
          std::to_string(m.base_values) + "/" + std::to_string(m.new_values),
          Value(m.median.base, m.unit),
          Value(m.median.next, m.unit),
          FormatChange(m.median.ratio.ratio) + " " + Interval(m.median.ratio),
          FormatChange(m.p99.ratio.ratio) + " " + Interval(m.p99.ratio),
          PValue(m),
          VerdictName(m.verdict)};
}

std::string CompareSettings(const Comparison& c) {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer,
                "threshold %.3g%%, alpha %.3g (Benjamini-Hochberg over %zu metrics), "
                "%d bootstrap resamples",
                c.options.threshold * 100, c.options.alpha, c.metrics.size(), c.options.resamples);
  return buffer;
}

std::string RenderCompareConsole(const Comparison& c, bool color) {
  const Painter paint(color);
  std::string out = paint(kBold, "compare") + "  BASE " + Side(c.base_path, c.base_run_id) +
                    "\n         NEW  " + Side(c.new_path, c.new_run_id) + "\n";
  out += "  host " + c.new_host_class + "\n  " + CompareSettings(c) + "\n  " +
         (c.host_speed.moved ? paint(kRed, HostSpeedLine(c)) : HostSpeedLine(c)) + "\n";
  for (const auto& problem : c.not_comparable) {
    out += "  " + paint(kRed, "NOT COMPARABLE (--force):") + " " + problem + "\n";
  }
  Table table(CompareTableHeader(), CompareTableRightAligned());
  for (const auto& m : c.metrics) table.Add(CompareTableRow(m));
  out += "\n" + table.Render("  ");
  bool any_reason = false;
  for (const auto& m : c.metrics) {
    if (m.verdict == Verdict::kNoChange) continue;
    if (!any_reason) out += "\n";
    any_reason = true;
    const char* code = m.verdict == Verdict::kRegressed  ? kRed
                       : m.verdict == Verdict::kImproved ? kGreen
                                                         : kYellow;
    out += "  " + paint(code, VerdictName(m.verdict)) + "  " + m.step + "/" + m.target + "/" +
           m.metric + ": " + m.reason + "\n";
  }
  if (!c.warnings.empty()) {
    out += "\n" + paint(kBold, "warnings") + "\n";
    for (const auto& w : c.warnings) out += "  " + paint(kYellow, "warning:") + " " + w + "\n";
  }
  out += "\n" + Summary(c) + (c.Regressed() ? "  -> " + paint(kRed, "REGRESSION") : "") + "\n";
  return out;
}

std::string RenderCompareMarkdown(const Comparison& c) {
  std::string out = std::string("### faultline compare: ") +
                    (c.Regressed() ? "regression" : "no regression") + "\n\n";
  out += "BASE `" + Side(c.base_path, c.base_run_id) + "`, NEW `" + Side(c.new_path, c.new_run_id) +
         "`  \n" + CompareSettings(c) + "  \n" + (c.host_speed.moved ? "**" : "") +
         HostSpeedLine(c) + (c.host_speed.moved ? "**" : "") + "  \n**" + Summary(c) + "**\n\n";
  for (const auto& problem : c.not_comparable) {
    out += "> **Not comparable (forced):** " + Cell(problem) + "\n";
  }
  if (!c.not_comparable.empty()) out += "\n";
  auto markdown_row = [](const std::vector<std::string>& cells) {
    std::string row = "|";
    for (const auto& cell : cells) row += " " + cell + " |";
    return row + "\n";
  };
  out += markdown_row(CompareTableHeader()) + "|";
  for (bool numeric : CompareTableRightAligned()) out += numeric ? "--:|" : "---|";
  out += "\n";
  for (const auto& m : c.metrics) {
    std::vector<std::string> cells = CompareTableRow(m);
    for (auto& cell : cells) cell = Cell(cell);
    cells[2] = "`" + cells[2] + "`";
    if (m.verdict == Verdict::kRegressed) cells.back() = "**" + cells.back() + "**";
    out += markdown_row(cells);
  }
  bool any_reason = false;
  for (const auto& m : c.metrics) {
    if (m.verdict == Verdict::kNoChange) continue;
    if (!any_reason) out += "\n";
    any_reason = true;
    out += "- " + std::string(VerdictName(m.verdict)) + " `" + m.step + "/" + m.target + "/" +
           m.metric + "`: " + m.reason + "\n";
  }
  if (!c.warnings.empty()) {
    out += "\n<details><summary>warnings (" + std::to_string(c.warnings.size()) + ")</summary>\n\n";
    for (const auto& w : c.warnings) out += "- " + w + "\n";
    out += "\n</details>\n";
  }
  return out;
}

nlohmann::json CompareToJson(const Comparison& c) {
  using nlohmann::json;
  json metrics = json::array();
  auto change = [](const QuantileChange& q) {
    return json{{"base", Number(q.base)},
                {"new", Number(q.next)},
                {"ratio", Number(q.ratio.ratio)},
                {"ci_low", Number(q.ratio.low)},
                {"ci_high", Number(q.ratio.high)}};
  };
  for (const auto& m : c.metrics) {
    metrics.push_back({{"step", m.step},
                       {"target", m.target},
                       {"metric", m.metric},
                       {"unit", m.unit},
                       {"level", LevelName(m.level)},
                       {"base_values", m.base_values},
                       {"new_values", m.new_values},
                       {"base_samples", m.base_samples},
                       {"new_samples", m.new_samples},
                       {"median", change(m.median)},
                       {"p99", change(m.p99)},
                       {"tested", m.tested},
                       {"test", m.tested ? (m.exact ? "exact" : "normal") : "none"},
                       {"p_value", m.tested ? Number(m.p_value) : json(nullptr)},
                       {"p_adjusted", m.tested ? Number(m.p_adjusted) : json(nullptr)},
                       {"verdict", VerdictName(m.verdict)},
                       {"reason", m.reason}});
  }
  const HostSpeedChange& h = c.host_speed;
  json host_speed = {{"measured", h.measured}, {"moved", h.moved}};
  if (h.measured) {
    host_speed["operation"] = h.operation;
    host_speed["base_ns"] = Number(h.base_ns);
    host_speed["new_ns"] = Number(h.new_ns);
    host_speed["ratio"] = Number(h.ratio);
  }
  json counts = json::object();
  for (const auto& [verdict, n] : Counts(c)) counts[VerdictName(verdict)] = n;
  return {
      {"compare_schema_version", kCompareSchemaVersion},
      {"base",
       {{"path", c.base_path}, {"run_id", c.base_run_id}, {"host_class", c.base_host_class}}},
      {"new", {{"path", c.new_path}, {"run_id", c.new_run_id}, {"host_class", c.new_host_class}}},
      {"options",
       {{"threshold", c.options.threshold},
        {"alpha", c.options.alpha},
        {"confidence", 1 - c.options.alpha},
        {"resamples", c.options.resamples},
        {"host_bound", Number(c.options.host_bound)},
        {"correction", "benjamini-hochberg"}}},
      {"comparable", c.not_comparable.empty()},
      {"forced", !c.not_comparable.empty()},
      {"not_comparable", c.not_comparable},
      {"warnings", c.warnings},
      {"host_speed", std::move(host_speed)},
      {"regressed", c.Regressed()},
      {"counts", counts},
      {"metrics", std::move(metrics)}};
}

std::string RenderCompareJUnit(const Comparison& c) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n" + RenderCompareTestsuite(c) +
         "</testsuites>\n";
}

std::string RenderCompareTestsuite(const Comparison& c) {
  auto counts = Counts(c);
  std::string out = "  <testsuite name=\"faultline compare\" tests=\"" +
                    std::to_string(c.metrics.size()) + "\" failures=\"" +
                    std::to_string(counts[Verdict::kRegressed]) + "\" skipped=\"" +
                    std::to_string(counts[Verdict::kInconclusive]) + "\" errors=\"0\">\n";
  out += "    <properties>\n";
  out += "      <property name=\"base\" value=\"" + XmlEscape(Side(c.base_path, c.base_run_id)) +
         "\"/>\n";
  out += "      <property name=\"new\" value=\"" + XmlEscape(Side(c.new_path, c.new_run_id)) +
         "\"/>\n";
  out += "      <property name=\"settings\" value=\"" + XmlEscape(CompareSettings(c)) + "\"/>\n";
  out += "    </properties>\n";
  for (const auto& m : c.metrics) {
    out += "    <testcase classname=\"" + XmlEscape(m.step + "." + m.target) + "\" name=\"" +
           XmlEscape(m.metric) + "\">\n";
    if (m.verdict == Verdict::kRegressed) {
      out += "      <failure type=\"regressed\" message=\"" + XmlEscape(m.reason) + "\"/>\n";
    } else if (m.verdict == Verdict::kInconclusive) {
      out += "      <skipped message=\"" + XmlEscape("inconclusive: " + m.reason) + "\"/>\n";
    }
    out += "      <system-out>" + XmlEscape(std::string(VerdictName(m.verdict)) + ": " + m.reason) +
           "</system-out>\n    </testcase>\n";
  }
  if (!c.not_comparable.empty() || !c.warnings.empty()) {
    out += "    <system-err>";
    for (const auto& p : c.not_comparable)
      out += XmlEscape("NOT COMPARABLE (--force): " + p) + "\n";
    for (const auto& w : c.warnings) out += XmlEscape("warning: " + w) + "\n";
    out += "</system-err>\n";
  }
  return out + "  </testsuite>\n";
}

}  // namespace faultline::reports
