// Summary statistics of a set of measurements (latencies in seconds, sizes in bytes).
#pragma once

#include <cstdint>
#include <vector>

namespace faultline::measure {

struct Summary {
  std::uint64_t count = 0;
  double mean = 0;
  double stddev = 0;  // sample standard deviation (n-1); 0 when count < 2
  double min = 0;
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  double max = 0;
};

// Quantile q in [0, 1] of an ascending-sorted vector; 0 when empty.
//
// Linear interpolation between order statistics (Hyndman & Fan type 7, numpy's default):
// h = (n - 1) * q, result = x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
// Chosen so reported percentiles match what users get from numpy/pandas on the raw samples.
double Quantile(const std::vector<double>& sorted, double q);

// Summarizes values (any order). Empty input gives count 0 and all fields zero.
Summary Summarize(std::vector<double> values);

}  // namespace faultline::measure
