#include <cstdio>
#include <optional>

#include "harness/cli/commands.h"
#include "harness/core/files.h"
#include "reports/csv.h"
#include "reports/fault_windows.h"
#include "reports/gbench_json.h"
#include "reports/html_report.h"
#include "reports/junit.h"
#include "reports/result_json.h"

namespace faultline::cli {
namespace {

constexpr const char* kHelp =
    R"(usage: faultline report RESULT.json [BASE.json] [--html FILE] [--junit FILE]
                        [--gbench FILE] [--csv FILE]

Renders a result document (and optionally a base result to compare against):
  --html FILE    one self-contained HTML page: latency CDFs (base overlaid), start phases,
                 latency over time with fault windows, density curves, SLOs, context, and
                 with BASE.json compare's verdict per metric
  --junit FILE   SLO verdicts as JUnit XML (one testcase per rule, step and target), and
                 with BASE.json one testcase per compared metric (compare's verdicts)
  --gbench FILE  time metrics in Google Benchmark's JSON format (its compare tooling reads it)
  --csv FILE     raw samples, one row per sample, phases as columns (RFC 4180)
At least one output is needed. Exit 0 when written, 2 for unreadable input or bad usage,
4 when an output cannot be written.
)";

struct Loaded {
  reports::Result result;
  reports::FaultWindows faults;
};

Result<Loaded> Load(const std::string& path) {
  FL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_discarded()) return InvalidArgument(path + ": not valid JSON");
  auto result = reports::FromJson(document);
  if (!result.ok()) return std::move(result).error().With(path);
  return Loaded{std::move(*result), reports::ReadFaultWindows(document)};
}

}  // namespace

int ReportCommand(const Args& args) {
  auto parsed = ParseReportArguments(args);
  if (!parsed.ok()) return UsageError("report", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  const ReportArguments& arguments = **parsed;
  auto loaded = Load(arguments.result);
  if (!loaded.ok()) {
    std::fprintf(stderr, "faultline report: %s\n", loaded.error().ToString().c_str());
    return 2;
  }
  std::optional<Loaded> base;
  if (arguments.base) {
    auto read = Load(*arguments.base);
    if (!read.ok()) {
      std::fprintf(stderr, "faultline report: %s\n", read.error().ToString().c_str());
      return 2;
    }
    base = std::move(*read);
  }
  const reports::Result& result = loaded->result;
  // Render everything first: outputs are written only when all of them could be made.
  std::vector<std::pair<std::string, std::string>> outputs;
  if (!arguments.html.empty()) {
    reports::HtmlReportInput input{&result, arguments.result};
    if (base) {
      input.base = &base->result;
      input.base_source = *arguments.base;
    }
    input.faults = loaded->faults.windows;
    for (const auto& why : loaded->faults.skipped) input.notes.push_back("fault not shown: " + why);
    outputs.emplace_back(arguments.html, reports::RenderHtmlReport(input));
  }
  if (!arguments.junit.empty()) {
    outputs.emplace_back(arguments.junit,
                         reports::RenderJunit(result, base ? &base->result : nullptr));
  }
  if (!arguments.gbench.empty()) {
    outputs.emplace_back(arguments.gbench, reports::ToGbenchJson(result).dump(2) + "\n");
  }
  if (!arguments.csv.empty()) {
    outputs.emplace_back(arguments.csv, reports::RenderSamplesCsv(result));
  }
  for (const auto& [path, contents] : outputs) {
    if (Status written = WriteFileAtomic(path, contents); !written.ok()) {
      std::fprintf(stderr, "faultline report: %s\n", written.error().ToString().c_str());
      return 4;
    }
    std::printf("%s\n", path.c_str());
  }
  return 0;
}

}  // namespace faultline::cli
