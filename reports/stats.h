// The statistics `faultline compare` rests on: the Mann-Whitney U test, a bootstrap confidence
// interval for the ratio of two quantiles, the Hodges-Lehmann ratio with its Moses interval,
// and the Benjamini-Hochberg adjustment of p-values.
// docs/METRICS.md ("Comparing two runs") defines precisely each one compare uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "harness/core/result.h"

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

// Two independent samples of positive values (e.g. per-repetition medians of BASE and NEW):
// exp of the two-sample Hodges-Lehmann shift of their logs (the median of all differences
// ln next_j - ln base_i) as the ratio NEW / BASE, with the Moses confidence interval at
// `confidence`: the k-th smallest and k-th largest of those differences, k from the exact
// Mann-Whitney null distribution when both samples have at most kMosesExactMax values and from
// its normal approximation beyond. Distribution-free under the shift model (NEW is BASE times a
// constant); ties (a coarse clock) only make the closed interval wider than it needs to be.
// When the samples are too small for the level, a side is 0 or +infinity.
// InvalidArgument for an empty sample, a value that is not positive and finite, or a
// confidence outside (0, 1). All n * m differences are kept: meant for per-repetition values,
// not for thousands of pooled samples.
inline constexpr std::size_t kMosesExactMax = 50;
faultline::Result<RatioInterval> HodgesLehmannRatio(const std::vector<double>& base,
                                                    const std::vector<double>& next,
                                                    double confidence);

// Benjamini-Hochberg adjusted p-values, in the input order: p_(i) * m / i made monotone from
// the largest rank down, capped at 1. Rejecting adjusted p < alpha controls the false
// discovery rate at alpha, and, when no difference is real (an A/A pair), the chance of any
// false alarm at all.
std::vector<double> BenjaminiHochberg(const std::vector<double>& p);

// Standard normal cumulative distribution function.
double NormalCdf(double z);

}  // namespace faultline::reports
