#include "harness/measure/summary.h"

#include <algorithm>
#include <cmath>

namespace faultline::measure {

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  if (!(q > 0)) return sorted.front();  // also catches NaN
  if (q >= 1) return sorted.back();
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const double lo = std::floor(h);
  const auto i = static_cast<std::size_t>(lo);
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (h - lo) * (sorted[i + 1] - sorted[i]);
}

Summary Summarize(std::vector<double> values) {
  Summary s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.count = values.size();
  s.min = values.front();
  s.max = values.back();
  const double n = static_cast<double>(values.size());
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / n;
  // Two passes: the squared deviations from the mean stay accurate for tightly clustered
  // latencies, where sum-of-squares minus square-of-sum would cancel.
  if (values.size() > 1) {
    double squares = 0;
    for (double v : values) squares += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(squares / (n - 1));
  }
  s.p50 = Quantile(values, 0.50);
  s.p90 = Quantile(values, 0.90);
  s.p99 = Quantile(values, 0.99);
  return s;
}

}  // namespace faultline::measure
