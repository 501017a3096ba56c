#include <unistd.h>

#include <cstdio>

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

Status WriteOutput(const std::string& flag, const std::string& path, const std::string& text) {
  Status written = WriteFileAtomic(path, text);
  if (!written.ok()) return std::move(written).error().With(flag + " " + path);
  return OkStatus();
}

}  // namespace

int CompareCommand(const Args& args) {
  auto parsed = ParseCompareArguments(args);
  if (!parsed.ok()) return UsageError("compare", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  const CompareArguments& arguments = **parsed;
  const std::vector<std::string>& files = arguments.files;
  const std::string& base_target = arguments.base_target;
  const std::string& new_target = arguments.new_target;
  const bool within_run = !base_target.empty();
  reports::CompareOptions options;
  if (arguments.threshold) options.threshold = *arguments.threshold;
  if (arguments.alpha) options.alpha = *arguments.alpha;
  options.host_bound = arguments.host_bound.value_or(options.threshold);

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
  if (!comparison.not_comparable.empty() && !arguments.force) {
    std::fprintf(stderr, "faultline compare: the runs are not comparable:\n");
    for (const auto& problem : comparison.not_comparable) {
      std::fprintf(stderr, "  %s\n", problem.c_str());
    }
    std::fprintf(stderr, "(--force compares them anyway, with a warning in every output)\n");
    return 2;
  }

  Status written = OkStatus();
  if (!arguments.markdown.empty()) {
    written =
        WriteOutput("--markdown", arguments.markdown, reports::RenderCompareMarkdown(comparison));
  }
  if (written.ok() && !arguments.json.empty()) {
    written =
        WriteOutput("--json", arguments.json, reports::CompareToJson(comparison).dump(2) + "\n");
  }
  if (written.ok() && !arguments.junit.empty()) {
    written = WriteOutput("--junit", arguments.junit, reports::RenderCompareJUnit(comparison));
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
