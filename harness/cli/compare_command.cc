#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

#include "harness/cli/commands.h"
#include "harness/core/files.h"
#include "reports/compare.h"
#include "reports/compare_report.h"
#include "reports/result_json.h"
#include "reports/target_view.h"

namespace faultline::cli {
namespace {

constexpr const char* kHelp =
    R"(usage: faultline compare BASE.json NEW.json [options]
       faultline compare RESULT.json --targets BASE,NEW [options]
options: [--threshold 5%] [--alpha 0.05] [--force] [--host-bound 5%|none]
         [--markdown FILE] [--json FILE] [--junit FILE]

Compares every metric of two result documents (median and p99 change with bootstrap
confidence intervals, Mann-Whitney U test, Benjamini-Hochberg adjustment) and gives each a
verdict: improved, regressed, no change or inconclusive (docs/METRICS.md).
  --targets B,N   compare two targets of one run instead: target N against target B. They
                  ran interleaved by repetition, so host drift touches both alike
  --threshold T   smallest change that matters, "5%" or "0.05" (default 5%)
  --alpha A       significance level after adjustment, in (0, 0.5] (default 0.05)
  --host-bound B  how far the host-speed control may move between the runs before no timing
                  metric is called regressed or improved (default: the threshold); "none"
                  ignores the control
  --force         compare runs that are not comparable (different scenario, image digest or
                  host class), with a warning in every output
  --markdown FILE write a Markdown report (for a pull-request comment)
  --json FILE     write the comparison as JSON (compare_schema_version 1)
  --junit FILE    write JUnit XML: one testcase per metric, regressions fail

Exit 0 when nothing regressed, 1 when a metric regressed significantly and beyond the
threshold, 2 for bad input or usage or runs that are not comparable (without --force).
)";

// "5%" -> 0.05, "0.05" -> 0.05.
bool ParseFraction(const std::string& text, double& out) {
  if (text.empty()) return false;
  std::string number = text;
  double scale = 1;
  if (number.back() == '%') {
    number.pop_back();
    scale = 0.01;
  }
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(number.c_str(), &end);
  if (number.empty() || errno != 0 || end != number.c_str() + number.size()) return false;
  out = value * scale;
  return true;
}

// "runc,crun" -> {"runc", "crun"}; false unless there are two different non-empty names.
bool ParseTargetPair(const std::string& text, std::string& base, std::string& next) {
  const auto comma = text.find(',');
  if (comma == std::string::npos) return false;
  base = text.substr(0, comma);
  next = text.substr(comma + 1);
  return !base.empty() && !next.empty() && base != next && next.find(',') == std::string::npos;
}

Status WriteOutput(const std::string& flag, const std::string& path, const std::string& text) {
  Status written = WriteFileAtomic(path, text);
  if (!written.ok()) return std::move(written).error().With(flag + " " + path);
  return OkStatus();
}

}  // namespace

int CompareCommand(const Args& args) {
  if (WantsHelp(args, kHelp)) return 0;
  std::vector<std::string> files;
  std::string markdown, json, junit;
  reports::CompareOptions options;
  bool force = false;
  std::optional<double> host_bound;
  std::string base_target, new_target;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string& into) {
      if (++i == args.size()) return false;
      into = args[i];
      return true;
    };
    std::string text;
    if (arg == "--threshold") {
      if (!value(text) || !ParseFraction(text, options.threshold) || options.threshold < 0 ||
          options.threshold >= 10) {
        return UsageError(
            "compare", "--threshold needs a fraction like 5% or 0.05, got '" + text + "'", kHelp);
      }
    } else if (arg == "--alpha") {
      if (!value(text) || !ParseFraction(text, options.alpha) || !(options.alpha > 0) ||
          options.alpha > 0.5) {
        return UsageError("compare", "--alpha needs a number in (0, 0.5], got '" + text + "'",
                          kHelp);
      }
    } else if (arg == "--host-bound") {
      double bound = 0;
      if (!value(text)) text.clear();
      if (text == "none") {
        host_bound = std::numeric_limits<double>::infinity();
      } else if (ParseFraction(text, bound) && bound >= 0 && bound < 10) {
        host_bound = bound;
      } else {
        return UsageError(
            "compare", "--host-bound needs a fraction like 5% or 0.05, or none, got '" + text + "'",
            kHelp);
      }
    } else if (arg == "--targets") {
      if (!value(text) || !ParseTargetPair(text, base_target, new_target)) {
        return UsageError(
            "compare",
            "--targets needs two different target names like runc,crun, got '" + text + "'", kHelp);
      }
    } else if (arg == "--force") {
      force = true;
    } else if (arg == "--markdown" || arg == "--json" || arg == "--junit") {
      std::string& into = arg == "--markdown" ? markdown : arg == "--json" ? json : junit;
      if (!value(into) || into.empty()) return UsageError("compare", arg + " needs a file", kHelp);
    } else if (!arg.empty() && arg[0] == '-') {
      return UsageError("compare", "unknown option '" + arg + "'", kHelp);
    } else {
      files.push_back(arg);
    }
  }
  const bool within_run = !base_target.empty();
  if (files.size() != (within_run ? 1u : 2u)) {
    return UsageError("compare",
                      within_run ? "--targets needs exactly one result file (got " +
                                       std::to_string(files.size()) + ")"
                                 : "needs exactly two result files, BASE and NEW (got " +
                                       std::to_string(files.size()) + ")",
                      kHelp);
  }

  options.host_bound = host_bound.value_or(options.threshold);

  auto base = reports::ReadResultFile(files[0]);
  if (!base.ok()) {
    std::fprintf(stderr, "faultline compare: BASE: %s\n", base.error().ToString().c_str());
    return 2;
  }
  auto next = within_run ? base : reports::ReadResultFile(files[1]);
  if (!next.ok()) {
    std::fprintf(stderr, "faultline compare: NEW: %s\n", next.error().ToString().c_str());
    return 2;
  }
  std::vector<std::string> paths = files;
  if (within_run) {
    const std::string pair = base_target + " vs " + new_target;
    base = reports::TargetAsRun(*base, base_target, pair);
    next = reports::TargetAsRun(*next, new_target, pair);
    for (const auto* side : {&base, &next}) {
      if (!side->ok()) {
        std::fprintf(stderr, "faultline compare: %s: %s\n", files[0].c_str(),
                     side->error().message.c_str());
        return 2;
      }
    }
    paths = {files[0] + " (target " + base_target + ")", files[0] + " (target " + new_target + ")"};
  }
  reports::Comparison comparison = reports::Compare(*base, *next, options);
  comparison.base_path = paths[0];
  comparison.new_path = paths[1];
  if (!comparison.not_comparable.empty() && !force) {
    std::fprintf(stderr, "faultline compare: the runs are not comparable:\n");
    for (const auto& problem : comparison.not_comparable) {
      std::fprintf(stderr, "  %s\n", problem.c_str());
    }
    std::fprintf(stderr, "(--force compares them anyway, with a warning in every output)\n");
    return 2;
  }

  Status written = OkStatus();
  if (!markdown.empty()) {
    written = WriteOutput("--markdown", markdown, reports::RenderCompareMarkdown(comparison));
  }
  if (written.ok() && !json.empty()) {
    written = WriteOutput("--json", json, reports::CompareToJson(comparison).dump(2) + "\n");
  }
  if (written.ok() && !junit.empty()) {
    written = WriteOutput("--junit", junit, reports::RenderCompareJUnit(comparison));
  }
  std::fputs(reports::RenderCompareConsole(comparison, isatty(STDOUT_FILENO)).c_str(), stdout);
  if (comparison.host_speed.moved) {
    std::fprintf(stderr, "faultline compare: %s\n", comparison.warnings.front().c_str());
  }
  if (!written.ok()) {
    std::fprintf(stderr, "faultline compare: %s\n", written.error().ToString().c_str());
    return 2;
  }
  return comparison.Regressed() ? 1 : 0;
}

}  // namespace faultline::cli
