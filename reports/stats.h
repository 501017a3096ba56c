// The statistics `faultline compare` rests on: the Mann-Whitney U test, a bootstrap confidence
// interval for the ratio of two quantiles, and the Benjamini-Hochberg adjustment of p-values.
// docs/METRICS.md ("Comparing two runs") defines each precisely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace faultline::reports {

struct MannWhitney {
  double u = 0;        // U of the first sample: pairs (x, y) with x > y, plus half the ties
  double p = 1;        // two-sided p-value
  bool exact = false;  // exact null distribution (small samples, no ties) or normal approximation
};

// Two-sided Mann-Whitney U test of x against y. Exact when both samples have at most
// kMannWhitneyExactMax values and there are no ties; otherwise the normal approximation with
// tie correction and a continuity correction of 0.5. p = 1 when either sample is empty.
inline constexpr std::size_t kMannWhitneyExactMax = 20;
MannWhitney MannWhitneyU(const std::vector<double>& x, const std::vector<double>& y);

// The smallest two-sided p-value the exact test can give for samples of sizes n and m:
// 2 / C(n + m, n). Below alpha or not decides whether so few values can show anything.
double MannWhitneyMinP(std::size_t n, std::size_t m);

// quantile(next, q) / quantile(base, q) (type-7 quantiles), with a two-sided percentile
// bootstrap confidence interval: `resamples` times, both samples are resampled with
// replacement, independently, and the ratio recomputed; low and high are the (1-confidence)/2
// and (1+confidence)/2 type-7 quantiles of those ratios. The generator is a mt19937_64 seeded
// with `seed`, so the same inputs give the same interval on every platform. A ratio of two
// zeros is 1; a positive value over zero is +infinity. Empty input gives NaN everywhere.
struct RatioInterval {
  double ratio = 0;
  double low = 0;
  double high = 0;
};
RatioInterval BootstrapQuantileRatio(const std::vector<double>& base,
                                     const std::vector<double>& next, double q, double confidence,
                                     int resamples, std::uint64_t seed);

// Benjamini-Hochberg adjusted p-values, in the input order: p_(i) * m / i made monotone from
// the largest rank down, capped at 1. Rejecting adjusted p < alpha controls the false
// discovery rate at alpha, and, when no difference is real (an A/A pair), the chance of any
// false alarm at all.
std::vector<double> BenjaminiHochberg(const std::vector<double>& p);

// Standard normal cumulative distribution function.
double NormalCdf(double z);

}  // namespace faultline::reports
