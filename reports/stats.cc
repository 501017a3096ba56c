#include "reports/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "harness/measure/summary.h"

namespace faultline::reports {
namespace {

// Midranks (1-based) of the pooled values, and Σ(t³ − t) over groups of t tied values.
struct Ranks {
  std::vector<double> rank;  // by pooled index
  double tie_term = 0;
};

Ranks RankPooled(const std::vector<double>& pooled) {
  std::vector<std::size_t> order(pooled.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return pooled[a] < pooled[b]; });
  Ranks ranks;
  ranks.rank.resize(pooled.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && pooled[order[j + 1]] == pooled[order[i]]) ++j;
    const double midrank = (static_cast<double>(i + j) + 2) / 2;  // ranks i+1 .. j+1
    for (std::size_t k = i; k <= j; ++k) ranks.rank[order[k]] = midrank;
    const double t = static_cast<double>(j - i + 1);
    ranks.tie_term += t * t * t - t;
    i = j + 1;
  }
  return ranks;
}

// Number of arrangements of n x's and m y's for each value of U (0 .. n*m), by the recurrence
// c(n, m, u) = c(n - 1, m, u - m) + c(n, m - 1, u): the largest value is either an x (beating
// all m y's) or a y.
std::vector<double> UCounts(std::size_t n, std::size_t m) {
  // table[i][j] holds the counts for i x's and j y's; only the previous row is kept.
  std::vector<std::vector<double>> prev(m + 1), row(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = {1};  // zero x's: U = 0 in one way
  for (std::size_t i = 1; i <= n; ++i) {
    row[0] = {1};  // zero y's
    for (std::size_t j = 1; j <= m; ++j) {
      std::vector<double> counts(i * j + 1, 0);
      for (std::size_t u = 0; u < prev[j].size(); ++u) counts[u + j] += prev[j][u];
      for (std::size_t u = 0; u < row[j - 1].size(); ++u) counts[u] += row[j - 1][u];
      row[j] = std::move(counts);
    }
    std::swap(prev, row);
  }
  return prev[m];
}

double Ratio(double next, double base) {
  if (base == 0) return next == 0 ? 1 : std::numeric_limits<double>::infinity();
  return next / base;
}

double SortedQuantile(std::vector<double>& values, double q) {
  std::sort(values.begin(), values.end());
  return measure::Quantile(values, q);
}

// The z with NormalCdf(z) = p, by bisection: only a handful of calls, and exact to rounding.
double NormalQuantile(double p) {
  double lo = -40, hi = 40;
  for (int i = 0; i < 200 && hi - lo > 1e-15; ++i) {
    const double mid = (lo + hi) / 2;
    (NormalCdf(mid) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

// Moses' k: the largest k with P(U <= k - 1) <= tail under the Mann-Whitney null for samples
// of n and m values, so that [D_(k), D_(nm+1-k)] of the sorted differences misses the shift
// with probability at most 2 * tail; 0 when even k = 1 does not qualify.
std::size_t MosesRank(std::size_t n, std::size_t m, double tail) {
  if (n <= kMosesExactMax && m <= kMosesExactMax) {
    const std::vector<double> counts = UCounts(n, m);
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    // A relative allowance for rounding, so that 1/20 qualifies for a tail of (1 - 0.9) / 2.
    const double allowed = tail * total * (1 + 1e-9);
    std::size_t k = 0;
    double below = 0;  // arrangements with U < k
    while (k < counts.size() && below + counts[k] <= allowed) below += counts[k++];
    return k;
  }
  // P(U <= k - 1) ~ Φ((k - 1 + 0.5 - nm/2) / sd), with the continuity correction.
  const double nm = static_cast<double>(n) * static_cast<double>(m);
  const double sd = std::sqrt(nm * static_cast<double>(n + m + 1) / 12);
  const double k = std::floor(nm / 2 + 0.5 + NormalQuantile(tail) * sd);
  return k < 1 ? 0 : static_cast<std::size_t>(k);
}

}  // namespace

double NormalCdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

MannWhitney MannWhitneyU(const std::vector<double>& x, const std::vector<double>& y) {
  MannWhitney out;
  const std::size_t n = x.size(), m = y.size();
  if (n == 0 || m == 0) return out;
  std::vector<double> pooled(x);
  pooled.insert(pooled.end(), y.begin(), y.end());
  const Ranks ranks = RankPooled(pooled);
  double rank_sum_x = 0;
  for (std::size_t i = 0; i < n; ++i) rank_sum_x += ranks.rank[i];
  const double dn = static_cast<double>(n), dm = static_cast<double>(m);
  out.u = rank_sum_x - dn * (dn + 1) / 2;

  if (ranks.tie_term == 0 && n <= kMannWhitneyExactMax && m <= kMannWhitneyExactMax) {
    const std::vector<double> counts = UCounts(n, m);
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    const auto u = static_cast<std::size_t>(std::llround(out.u));
    double at_most = 0, at_least = 0;
    for (std::size_t k = 0; k < counts.size(); ++k) {
      if (k <= u) at_most += counts[k];
      if (k >= u) at_least += counts[k];
    }
    out.p = std::min(1.0, 2 * std::min(at_most, at_least) / total);
    out.exact = true;
    return out;
  }
  const double total = dn + dm;
  const double mean = dn * dm / 2;
  const double variance = dn * dm / 12 * ((total + 1) - ranks.tie_term / (total * (total - 1)));
  if (variance <= 0) return out;  // every value equal: no evidence of any difference
  const double distance = std::max(0.0, std::abs(out.u - mean) - 0.5);
  out.p = std::min(1.0, 2 * NormalCdf(-distance / std::sqrt(variance)));
  return out;
}

double MannWhitneyMinP(std::size_t n, std::size_t m) {
  if (n == 0 || m == 0) return 1;
  // C(n + m, n) as a product of ratios, which stays finite far beyond what is needed here.
  double arrangements = 1;
  for (std::size_t k = 1; k <= n; ++k) {
    arrangements *= static_cast<double>(m + k) / static_cast<double>(k);
  }
  return std::min(1.0, 2 / arrangements);
}

RatioInterval BootstrapQuantileRatio(const std::vector<double>& base,
                                     const std::vector<double>& next, double q, double confidence,
                                     int resamples, std::uint64_t seed) {
  RatioInterval out;
  if (base.empty() || next.empty()) {
    out.ratio = out.low = out.high = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  std::vector<double> b(base), n(next);
  out.ratio = Ratio(SortedQuantile(n, q), SortedQuantile(b, q));

  // Index draws by modulo: the bias is at most size / 2^64, and unlike the standard
  // distributions the sequence is the same with every standard library.
  std::mt19937_64 random(seed);
  auto resample = [&random](const std::vector<double>& from, std::vector<double>& into) {
    for (double& v : into) v = from[random() % from.size()];
  };
  std::vector<double> ratios;
  ratios.reserve(static_cast<std::size_t>(std::max(resamples, 1)));
  for (int r = 0; r < resamples; ++r) {
    resample(base, b);
    resample(next, n);
    ratios.push_back(Ratio(SortedQuantile(n, q), SortedQuantile(b, q)));
  }
  if (ratios.empty()) {
    out.low = out.high = out.ratio;
    return out;
  }
  std::sort(ratios.begin(), ratios.end());
  out.low = measure::Quantile(ratios, (1 - confidence) / 2);
  out.high = measure::Quantile(ratios, (1 + confidence) / 2);
  return out;
}

faultline::Result<RatioInterval> HodgesLehmannRatio(const std::vector<double>& base,
                                                    const std::vector<double>& next,
                                                    double confidence) {
  if (base.empty() || next.empty()) {
    return InvalidArgument("Hodges-Lehmann ratio: a sample is empty");
  }
  if (!(confidence > 0 && confidence < 1)) {
    return InvalidArgument("Hodges-Lehmann ratio: confidence must be in (0, 1)");
  }
  for (const std::vector<double>* sample : {&base, &next}) {
    for (double v : *sample) {
      if (!(v > 0 && std::isfinite(v))) {
        return InvalidArgument("Hodges-Lehmann ratio: values must be positive and finite");
      }
    }
  }
  std::vector<double> differences;
  differences.reserve(base.size() * next.size());
  for (double y : next) {
    for (double x : base) differences.push_back(std::log(y) - std::log(x));
  }
  std::sort(differences.begin(), differences.end());
  RatioInterval out;
  out.ratio = std::exp(measure::Quantile(differences, 0.5));
  const std::size_t k = MosesRank(base.size(), next.size(), (1 - confidence) / 2);
  if (k == 0) {
    out.low = 0;
    out.high = std::numeric_limits<double>::infinity();
  } else {
    out.low = std::exp(differences[k - 1]);
    out.high = std::exp(differences[differences.size() - k]);
  }
  return out;
}

std::vector<double> BenjaminiHochberg(const std::vector<double>& p) {
  const std::size_t m = p.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(m);
  double running = 1;
  for (std::size_t k = m; k-- > 0;) {
    const double scaled = p[order[k]] * static_cast<double>(m) / static_cast<double>(k + 1);
    running = std::min(running, scaled);
    adjusted[order[k]] = running;
  }
  return adjusted;
}

}  // namespace faultline::reports
