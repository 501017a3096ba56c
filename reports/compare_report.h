// The renderings of a comparison: console table, Markdown (a pull-request comment), JSON
// (machine-readable, compare_schema_version 1) and JUnit XML (one testcase per metric;
// regressions are failures, inconclusive metrics are skipped).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "reports/compare.h"

namespace faultline::reports {

std::string RenderCompareConsole(const Comparison& comparison, bool color);
std::string RenderCompareMarkdown(const Comparison& comparison);
nlohmann::json CompareToJson(const Comparison& comparison);
std::string RenderCompareJUnit(const Comparison& comparison);

}  // namespace faultline::reports
