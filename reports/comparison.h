// Aggregates of two runs paired by step, target and metric: shared by the HTML table and the
// JUnit export so both compare the same things. Ratios are descriptive (new / base); the
// statistical verdict is not made here.
#pragma once

#include <string>
#include <vector>

#include "reports/result.h"

namespace faultline::reports {

struct ComparedMetric {
  const Aggregate* base = nullptr;  // null: only the new run has this metric
  const Aggregate* now = nullptr;   // null: only the base run has it
  const Aggregate& any() const { return now ? *now : *base; }
};

// Every aggregate of NOW in its order (paired with BASE's when there is one), then those only
// BASE has. Pointers refer into the two results.
std::vector<ComparedMetric> CompareAggregates(const Result& now, const Result& base);

// "0.500" for NOW / BASE, "-" when BASE is not positive or NOW is not finite.
std::string Ratio(double base, double now);

}  // namespace faultline::reports
