#include "reports/console.h"

#include <algorithm>
#include <map>

#include "reports/format.h"
#include "reports/table.h"

namespace faultline::reports {
namespace {

std::vector<std::string> StepOrder(const Result& result) {
  std::vector<std::string> steps;
  auto note = [&](const std::string& step) {
    if (std::find(steps.begin(), steps.end(), step) == steps.end()) steps.push_back(step);
  };
  for (const auto& a : result.aggregates) note(a.step);
  for (const auto& o : result.density_outcomes) note(o.step);
  return steps;
}

}  // namespace

std::string RenderSummary(const Result& result, bool color) {
  const Painter paint(color);
  std::string out;
  if (!result.context.scenario_name.empty() || !result.context.run_id.empty()) {
    out += paint(kBold, "scenario " + result.context.scenario_name) + "  run " +
           result.context.run_id + (result.interrupted ? "  (interrupted)" : "") + "\n";
  }

  for (const std::string& step : StepOrder(result)) {
    out += "\n" + paint(kBold, "step " + step) + "\n";
    Table table({"target", "metric", "count", "failed", "p50", "p90", "p99", "max", "mean"},
                {false, false, true, true, true, true, true, true, true});
    bool any = false;
    for (const Aggregate& a : result.aggregates) {
      if (a.step != step) continue;
      any = true;
      auto cell = [&](double v) {
        return a.count == 0 ? std::string("-") : FormatValue(v, a.unit);
      };
      table.Add({a.target, a.metric, std::to_string(a.count), std::to_string(a.failed), cell(a.p50),
                 cell(a.p90), cell(a.p99), cell(a.max), cell(a.mean)});
    }
    if (any) out += table.Render("  ");

    Table density({"target", "rep", "reached", "stopped_by", "knee"},
                  {false, true, true, false, true});
    bool any_density = false;
    for (const DensityOutcome& o : result.density_outcomes) {
      if (o.step != step) continue;
      any_density = true;
      // A node's row reads "runc @node-2": its share of the ramp and its own knee.
      density.Add({o.node.empty() ? o.target : o.target + " @" + o.node,
                   std::to_string(o.repetition + 1), std::to_string(o.reached), o.stopped_by,
                   o.knee ? std::to_string(*o.knee) : "-"});
    }
    if (any_density) out += "  density\n" + density.Render("    ");
  }

  if (!result.faults.empty()) {
    out += "\n" + paint(kBold, "faults") + "\n";
    // "p99 control": the same window on the paths the fault did not touch.
    Table faults({"kind", "scope", "on", "lasted", "p99 before", "p99 during", "p99 control",
                  "errors during", "recovery", "status"},
                 {false, false, false, true, true, true, true, true, true, false});
    auto p99 = [](const std::optional<WindowStats>& window) -> std::string {
      return window && window->samples > window->failed ? FormatValue(window->p99_s, "s") : "-";
    };
    for (const FaultRecord& f : result.faults) {
      std::string on;
      for (const auto& name : f.nodes.empty() ? f.containers : f.nodes) {
        on += (on.empty() ? "" : ",") + name;
      }
      const std::string scope =
          f.step.empty() ? "run"
                         : f.step + "/" + f.target + " rep " + std::to_string(f.repetition + 1);
      const bool applied = f.inject_ns > 0 && f.revert_ns > 0 && f.ended_by != "failed";
      std::string recovery = "-";
      if (f.recovery_time_s) {
        recovery = FormatValue(*f.recovery_time_s, "s");
      } else if (f.recovery_bound_s) {
        recovery = paint(kRed, "never");
      }
      std::string errors = "-";
      if (f.during && f.during->samples > 0) {
        errors = std::to_string(f.during->failed) + "/" + std::to_string(f.during->samples);
      }
      faults.Add(
          {f.kind, scope, on,
           applied ? FormatValue(static_cast<double>(f.revert_ns - f.inject_ns) / 1e9, "s") : "-",
           f.baseline ? FormatValue(f.baseline->p99_s, "s") : "-", p99(f.during), p99(f.control),
           errors, recovery, f.ok ? f.ended_by : paint(kRed, "FAILED") + ": " + f.error});
    }
    out += faults.Render("  ");
    // Platform faults: what the daemon's death did, per node.
    Table daemons({"kind", "scope", "node", "daemon", "running before", "survived", "lost",
                   "api answered", "start succeeded", "error"},
                  {false, false, false, false, true, true, true, true, true, false});
    bool any = false;
    for (const FaultRecord& f : result.faults) {
      const std::string scope =
          f.step.empty() ? "run"
                         : f.step + "/" + f.target + " rep " + std::to_string(f.repetition + 1);
      for (const DaemonOutcome& d : f.daemons) {
        any = true;
        auto seconds = [](const std::optional<double>& s) {
          return s ? FormatValue(*s, "s") : std::string("-");
        };
        daemons.Add({f.kind, scope, d.node, d.daemon, std::to_string(d.running_before),
                     std::to_string(d.survived), std::to_string(d.lost), seconds(d.api_answered_s),
                     seconds(d.start_succeeded_s), d.error.empty() ? "-" : paint(kRed, d.error)});
      }
    }
    if (any) {
      out += "\n" + paint(kBold, "platform daemons") +
             " (survived: of the containers running before the kill, those still running once a "
             "new start succeeded; times from the restart)\n" +
             daemons.Render("  ");
    }
  }

  if (!result.slo.empty()) {
    out += "\n" + paint(kBold, "slo") + "\n";
    for (const SloVerdict& v : result.slo) {
      std::string line =
          "  " + (v.pass ? paint(kGreen, "PASS") : paint(kRed, "FAIL")) + "  " + v.rule;
      if (!v.step.empty() || !v.target.empty()) {
        line += "  [" + v.step + (v.target.empty() ? "" : "/" + v.target) + "]";
      }
      // A verdict without data (or with an unknown statistic) has no meaningful observation.
      if (v.pass || v.observed > v.limit) {
        line += "  observed " + FormatValue(v.observed, v.unit) + ", limit " +
                FormatValue(v.limit, v.unit);
      } else if (!v.reason.empty()) {
        line += "  (" + v.reason + ")";
      }
      out += line + "\n";
    }
  }

  if (result.probes) {
    const ProbeReport& p = *result.probes;
    out += "\n" + paint(kBold, "probes") + "  ";
    if (p.mode == "ebpf") {
      out += "ebpf (" + p.attach + "): " + std::to_string(p.events) + " events, " +
             std::to_string(p.drops) + " lost, " + std::to_string(p.samples_joined) +
             " starts with phases\n";
    } else {
      out += paint(kYellow, "degraded") + ": " + p.reason + "\n";
    }
  }

  if (!result.validity.empty()) {
    out += "\n" + paint(kBold, "validity") + "\n";
    for (const std::string& warning : result.validity) {
      out += "  " + paint(kYellow, "warning:") + " " + warning + "\n";
    }
  }
  return out;
}

}  // namespace faultline::reports
