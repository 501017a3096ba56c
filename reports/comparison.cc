#include "reports/comparison.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace faultline::reports {
namespace {

const Aggregate* Find(const Result& r, const Aggregate& like) {
  auto found = std::find_if(r.aggregates.begin(), r.aggregates.end(), [&](const Aggregate& a) {
    return a.step == like.step && a.target == like.target && a.metric == like.metric;
  });
  return found == r.aggregates.end() ? nullptr : &*found;
}

}  // namespace

std::vector<ComparedMetric> CompareAggregates(const Result& now, const Result& base) {
  std::vector<ComparedMetric> out;
  for (const auto& a : now.aggregates) out.push_back({Find(base, a), &a});
  for (const auto& b : base.aggregates) {
    if (!Find(now, b)) out.push_back({&b, nullptr});
  }
  return out;
}

std::string Ratio(double base, double now) {
  if (!(base > 0) || !std::isfinite(now)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", now / base);
  return text;
}

}  // namespace faultline::reports
