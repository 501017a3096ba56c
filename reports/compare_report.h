// The renderings of a comparison: console table, Markdown (a pull-request comment), JSON
// (machine-readable, compare_schema_version 1) and JUnit XML (one testcase per metric;
// regressions are failures, inconclusive metrics are skipped).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/compare.h"

namespace faultline::reports {

// The comparison table every rendering shows: its column names, and one metric's cells.
std::vector<std::string> CompareTableHeader();
std::vector<std::string> CompareTableRow(const MetricComparison& metric);
const std::vector<bool>& CompareTableRightAligned();  // per column: a number
// "threshold 5%, alpha 0.05 (Benjamini-Hochberg over N metrics), 2000 bootstrap resamples".
std::string CompareSettings(const Comparison& comparison);
std::string RenderCompareConsole(const Comparison& comparison, bool color);
std::string RenderCompareMarkdown(const Comparison& comparison);
nlohmann::json CompareToJson(const Comparison& comparison);
std::string RenderCompareJUnit(const Comparison& comparison);
// The <testsuite> element of RenderCompareJUnit alone, for a document with other suites.
std::string RenderCompareTestsuite(const Comparison& comparison);

}  // namespace faultline::reports
