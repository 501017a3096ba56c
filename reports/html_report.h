// The run report as one self-contained HTML file: inline CSS and SVG plots, no script, nothing
// fetched from anywhere. With a base result it overlays base and new and tables their ratios.
#pragma once

#include <string>
#include <vector>

#include "reports/fault_windows.h"
#include "reports/result.h"

namespace faultline::reports {

struct HtmlReportInput {
  const Result* result = nullptr;  // required
  std::string source;              // where it was read from, shown in the header
  const Result* base = nullptr;    // optional: the run to compare against
  std::string base_source;
  std::vector<FaultWindow> faults;  // of `result`
  std::vector<std::string> notes;   // shown with the validity warnings (e.g. skipped faults)
};

std::string RenderHtmlReport(const HtmlReportInput& input);

}  // namespace faultline::reports
