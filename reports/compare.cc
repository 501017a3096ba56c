#include "reports/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "harness/measure/summary.h"
#include "reports/aggregate.h"

namespace faultline::reports {
namespace {

// Fewer successful samples than this per side and the test and p99 say little (the same bound
// the run's own validity check uses).
constexpr std::size_t kMinSamples = 5;
// Below this many samples, a p99 is an interpolation between the two largest values.
constexpr std::size_t kTailSamples = 100;
constexpr int kMinRepetitions = 3;

using Key = std::tuple<std::string, std::string, std::string>;  // step, target, metric

// FNV-1a: a seed that depends on the metric's name only, the same on every platform.
std::uint64_t Seed(const MetricSeries& series) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const std::string* part : {&series.step, &series.target, &series.metric}) {
    for (unsigned char c : *part) hash = (hash ^ c) * 1099511628211ull;
    hash = (hash ^ 0xff) * 1099511628211ull;  // separator
  }
  return hash;
}

double QuantileOf(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return measure::Quantile(values, q);
}

// Per repetition with values: its median and its p99.
void PerRepetition(const MetricSeries& series, std::vector<double>& medians,
                   std::vector<double>& p99s) {
  for (const auto& [repetition, values] : series.values) {
    if (values.empty()) continue;
    medians.push_back(QuantileOf(values, 0.5));
    p99s.push_back(QuantileOf(values, 0.99));
  }
}

std::size_t RepetitionsWithValues(const MetricSeries& series) {
  std::size_t n = 0;
  for (const auto& [repetition, values] : series.values) n += !values.empty();
  return n;
}

std::uint64_t SampleCount(const MetricSeries& series) {
  std::uint64_t n = 0;
  for (const auto& [repetition, values] : series.values) n += values.size();
  return n;
}

std::string Percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g%%", fraction * 100);
  return buffer;
}

std::string PValue(double p) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2g", p);
  return buffer;
}

MetricComparison CompareSeries(const MetricSeries& base, const MetricSeries& next,
                               const CompareOptions& options) {
  MetricComparison m;
  m.step = base.step;
  m.target = base.target;
  m.metric = base.metric;
  m.unit = base.unit.empty() ? next.unit : base.unit;
  m.base_samples = SampleCount(base);
  m.new_samples = SampleCount(next);
  const std::size_t base_reps = RepetitionsWithValues(base);
  const std::size_t new_reps = RepetitionsWithValues(next);
  // Repetitions are the independent units; they are used once there are enough of them for the
  // test to reach alpha at all. Pooled samples give intervals too narrow for a drifting host
  // (docs/PERFORMANCE.md: 3 of 6 A/A pairs flagged over samples, 1 of 6 over repetitions).
  const bool by_repetition = base_reps >= kMinRepetitions && new_reps >= kMinRepetitions &&
                             MannWhitneyMinP(base_reps, new_reps) < options.alpha;
  std::vector<double> base_center, new_center, base_tail, new_tail;
  double tail_q = 0.99;
  if (by_repetition) {
    m.level = Level::kRepetition;
    PerRepetition(base, base_center, base_tail);
    PerRepetition(next, new_center, new_tail);
    tail_q = 0.5;  // the median of the per-repetition p99s
  } else {
    m.level = Level::kSample;
    base_center = base_tail = base.AllValues();
    new_center = new_tail = next.AllValues();
  }
  m.base_values = base_center.size();
  m.new_values = new_center.size();
  const double confidence = 1 - options.alpha;
  const std::uint64_t seed = Seed(base);
  // Over per-repetition medians (4 to 10 values a side) a percentile bootstrap undercovers:
  // there the change is the Hodges-Lehmann ratio with its distribution-free Moses interval.
  std::optional<RatioInterval> hodges_lehmann;
  if (by_repetition) {
    auto ratio = HodgesLehmannRatio(base_center, new_center, confidence);
    if (ratio.ok()) hodges_lehmann = *ratio;  // else a value was not positive: the bootstrap
  }
  m.median.ratio = hodges_lehmann ? *hodges_lehmann
                                  : BootstrapQuantileRatio(base_center, new_center, 0.5, confidence,
                                                           options.resamples, seed);
  m.p99.ratio =
      BootstrapQuantileRatio(base_tail, new_tail, tail_q, confidence, options.resamples, seed + 1);
  m.median.base = QuantileOf(base_center, 0.5);
  m.median.next = QuantileOf(new_center, 0.5);
  m.p99.base = QuantileOf(base_tail, tail_q);
  m.p99.next = QuantileOf(new_tail, tail_q);
  if (!base_center.empty() && !new_center.empty()) {
    const MannWhitney test = MannWhitneyU(base_center, new_center);
    m.tested = true;
    m.p_value = test.p;
    m.exact = test.exact;
  }
  return m;
}

// The verdict rule (docs/METRICS.md): a change counts when it is significant after the
// adjustment and its whole confidence interval lies beyond the threshold. A significant change
// whose interval reaches back inside the threshold is inconclusive; anything else is no change.
void Decide(MetricComparison& m, const CompareOptions& options) {
  if (!m.tested) {
    m.verdict = Verdict::kInconclusive;
    if (m.reason.empty()) {
      m.reason =
          m.base_values == 0 ? "no successful samples in BASE" : "no successful samples in NEW";
    }
    return;
  }
  const double up = 1 + options.threshold;
  const double down = 1 / up;
  const RatioInterval& r = m.median.ratio;
  const bool significant = m.p_adjusted < options.alpha;
  const std::string change = "median " + FormatChange(r.ratio) + " (" + Percent(1 - options.alpha) +
                             " CI " + FormatChange(r.low) + " .. " + FormatChange(r.high) +
                             "), adjusted p " + PValue(m.p_adjusted);
  if (significant && r.low > up) {
    m.verdict = Verdict::kRegressed;
    m.reason = change + ": slower by more than " + Percent(options.threshold);
  } else if (significant && r.high < down) {
    m.verdict = Verdict::kImproved;
    m.reason = change + ": faster by more than " + Percent(1 - down);
  } else if (significant && (r.ratio > up || r.ratio < down)) {
    m.verdict = Verdict::kInconclusive;
    m.reason = change + ": a significant change, but the CI reaches inside the threshold";
  } else {
    m.verdict = Verdict::kNoChange;
    m.reason = change +
               (significant ? ": a significant change, within the threshold" : ": not significant");
  }
}

// The host-speed rule (docs/METRICS.md): when the control moved beyond the bound, a timing
// change cannot be told from the host's own, so no timing metric is called regressed or
// improved, and every tested timing change names the host as its likely cause.
void WithholdForHostSpeed(MetricComparison& m, const HostSpeedChange& host, double bound) {
  if (!host.moved || m.unit != "s" || !m.tested || m.verdict == Verdict::kNoChange) return;
  m.verdict = Verdict::kInconclusive;
  m.reason = "host speed changed by " + FormatChange(host.ratio) + " (bound " + Percent(bound) +
             "), so this cannot be told from the host: " + m.reason;
}

double MedianProbe(const HostSpeed& speed) {
  std::vector<double> all;
  for (const auto& probe : speed.probes) {
    for (std::int64_t ns : probe.durations_ns) all.push_back(static_cast<double>(ns));
  }
  return QuantileOf(std::move(all), 0.5);
}

std::string Millis(double ns) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g ms", ns / 1e6);
  return buffer;
}

std::string KernelMajorMinor(const std::string& release) {
  const auto first = release.find('.');
  if (first == std::string::npos) return release;
  const auto second = release.find_first_not_of("0123456789", first + 1);
  return release.substr(0, second);
}

std::string MemoryGiB(std::uint64_t bytes) {
  return std::to_string(std::llround(static_cast<double>(bytes) / (1ull << 30))) + "GiB";
}

void Note(std::vector<std::string>& out, const std::string& what, const std::string& base,
          const std::string& next) {
  if (base != next) out.push_back(what + " differs: BASE " + base + ", NEW " + next);
}

// With eBPF probes start_latency ends at the user process exec, without them when the runtime's
// start returns (docs/METRICS.md): runs of different modes measure different spans.
std::string ProbeMode(const Result& result) {
  return result.probes ? result.probes->mode : "degraded";
}

// The join rule (docs/METRICS.md): a start_latency for which too few of a side's starts had
// their kernel phases joined speaks for a subset, which may not be like the rest.
void WithholdForJoinRate(MetricComparison& m, const Result& base, const Result& next) {
  for (const auto& [side, result] :
       {std::pair<const char*, const Result*>{"BASE", &base}, {"NEW", &next}}) {
    const std::optional<double> joined = JoinRate(result->samples, m.step, m.target);
    if (!joined || *joined >= kMinJoinRate) continue;
    m.verdict = Verdict::kInconclusive;
    m.reason = "only " + Percent(*joined) + " of " + side +
               "'s starts have kernel phases (at least " + Percent(kMinJoinRate) +
               " needed): " + m.reason;
    return;
  }
}

std::set<int> Repetitions(const std::vector<MetricSeries>& all) {
  std::set<int> reps;
  for (const auto& series : all) {
    for (const auto& [repetition, values] : series.values) reps.insert(repetition);
  }
  return reps;
}

bool Contains(const std::vector<std::string>& all, const std::string& s) {
  return std::find(all.begin(), all.end(), s) != all.end();
}

// The runs' own validity warnings; one line for a warning both carry.
void AddRunWarnings(const Result& base, const Result& next, std::vector<std::string>& out) {
  if (base.interrupted) out.push_back("BASE run was interrupted: partial data");
  if (next.interrupted) out.push_back("NEW run was interrupted: partial data");
  for (const std::string& warning : base.validity) {
    out.push_back((Contains(next.validity, warning) ? "both runs: " : "BASE run: ") + warning);
  }
  for (const std::string& warning : next.validity) {
    if (!Contains(base.validity, warning)) out.push_back("NEW run: " + warning);
  }
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kNoChange: return "no change";
    case Verdict::kImproved: return "improved";
    case Verdict::kRegressed: return "regressed";
    case Verdict::kInconclusive: return "inconclusive";
  }
  return "?";
}

const char* LevelName(Level level) {
  return level == Level::kRepetition ? "repetition" : "sample";
}

std::string FormatChange(double ratio) {
  if (std::isnan(ratio)) return "-";
  if (std::isinf(ratio)) return "+inf%";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.1f%%", (ratio - 1) * 100);
  return buffer;
}

HostSpeedChange CompareHostSpeed(const Result& base, const Result& next, double bound) {
  HostSpeedChange out;
  if (!base.host_speed || !next.host_speed) return out;
  out.operation = next.host_speed->operation;
  out.base_ns = MedianProbe(*base.host_speed);
  out.new_ns = MedianProbe(*next.host_speed);
  if (!(out.base_ns > 0) || !(out.new_ns > 0)) return out;
  out.measured = true;
  out.ratio = out.new_ns / out.base_ns;
  out.moved = out.ratio > 1 + bound || out.ratio < 1 / (1 + bound);
  return out;
}

bool Comparison::Regressed() const {
  for (const auto& m : metrics) {
    if (m.verdict == Verdict::kRegressed) return true;
  }
  return false;
}

std::string HostClass(const RunContext& c) {
  return "cpu=" + c.cpu_model + " cpus=" + std::to_string(c.cpu_count) +
         " memory=" + MemoryGiB(c.memory_bytes) + " cgroup=" + c.cgroup_mode +
         " kernel=" + KernelMajorMinor(c.kernel);
}

std::vector<std::string> ComparabilityProblems(const RunContext& base, const RunContext& next) {
  std::vector<std::string> out;
  Note(out, "scenario sha256", base.scenario_sha256, next.scenario_sha256);
  for (const TargetInfo& b : base.targets) {
    for (const TargetInfo& n : next.targets) {
      if (b.name == n.name)
        Note(out, "target " + b.name + " image digest", b.image.digest, n.image.digest);
    }
  }
  Note(out, "host CPU model", base.cpu_model, next.cpu_model);
  Note(out, "host CPU count", std::to_string(base.cpu_count), std::to_string(next.cpu_count));
  Note(out, "host memory", MemoryGiB(base.memory_bytes), MemoryGiB(next.memory_bytes));
  Note(out, "host cgroup mode", base.cgroup_mode, next.cgroup_mode);
  Note(out, "host kernel", KernelMajorMinor(base.kernel), KernelMajorMinor(next.kernel));
  return out;
}

Comparison Compare(const Result& base, const Result& next, const CompareOptions& options) {
  Comparison out;
  out.options = options;
  out.base_run_id = base.context.run_id;
  out.new_run_id = next.context.run_id;
  out.base_host_class = HostClass(base.context);
  out.new_host_class = HostClass(next.context);
  out.not_comparable = ComparabilityProblems(base.context, next.context);
  Note(out.not_comparable, "probe mode (what start_latency spans)", ProbeMode(base),
       ProbeMode(next));

  const std::vector<MetricSeries> base_metrics = CollectMetrics(base);
  const std::vector<MetricSeries> new_metrics = CollectMetrics(next);
  std::map<Key, const MetricSeries*> new_by_key;
  for (const auto& series : new_metrics) {
    new_by_key[{series.step, series.target, series.metric}] = &series;
  }
  std::set<Key> paired;
  for (const auto& b : base_metrics) {
    const Key key{b.step, b.target, b.metric};
    auto n = new_by_key.find(key);
    if (n == new_by_key.end()) {
      MetricSeries missing = b;
      missing.values.clear();
      out.metrics.push_back(CompareSeries(b, missing, options));
      out.metrics.back().reason = "only in BASE";
      continue;
    }
    paired.insert(key);
    out.metrics.push_back(CompareSeries(b, *n->second, options));
  }
  for (const auto& n : new_metrics) {
    if (paired.count({n.step, n.target, n.metric})) continue;
    MetricSeries missing = n;
    missing.values.clear();
    out.metrics.push_back(CompareSeries(missing, n, options));
    out.metrics.back().reason = "only in NEW";
  }

  // One family for the adjustment: every metric with a test.
  std::vector<double> p;
  for (const auto& m : out.metrics) {
    if (m.tested) p.push_back(m.p_value);
  }
  const std::vector<double> adjusted = BenjaminiHochberg(p);
  std::size_t i = 0;
  out.host_speed = CompareHostSpeed(base, next, options.host_bound);
  std::size_t withheld = 0;
  for (auto& m : out.metrics) {
    if (m.tested) m.p_adjusted = adjusted[i++];
    Decide(m, options);
    const std::string decided = m.reason;
    WithholdForHostSpeed(m, out.host_speed, options.host_bound);
    withheld += m.reason != decided;
    if (m.metric == "start_latency") WithholdForJoinRate(m, base, next);
  }
  const HostSpeedChange& host = out.host_speed;
  if (host.moved) {
    out.warnings.push_back(
        "HOST SPEED CHANGED between the runs by " + FormatChange(host.ratio) + " (" +
        host.operation + ": median " + Millis(host.base_ns) + " in BASE, " + Millis(host.new_ns) +
        " in NEW; bound " + Percent(options.host_bound) + "): " + std::to_string(withheld) +
        " timing verdict(s) withheld as inconclusive; rerun both on an otherwise idle host");
  }

  // What makes the numbers above mean less.
  const std::set<int> base_reps = Repetitions(base_metrics), new_reps = Repetitions(new_metrics);
  bool pooled = false;
  double weakest = 0;  // largest smallest-attainable p among metrics tested over repetitions
  std::size_t few = 0, thin_tail = 0;
  std::uint64_t fewest = UINT64_MAX;
  for (const auto& m : out.metrics) {
    if (!m.tested) continue;
    if (m.level == Level::kSample) pooled = true;
    if (m.level == Level::kRepetition) {
      weakest = std::max(weakest, MannWhitneyMinP(m.base_values, m.new_values));
    }
    if (std::min(m.base_samples, m.new_samples) < kMinSamples) ++few;
    if (m.level == Level::kSample && std::min(m.base_samples, m.new_samples) < kTailSamples) {
      ++thin_tail;
    }
    fewest = std::min({fewest, m.base_samples, m.new_samples});
  }
  if (pooled) {
    out.warnings.push_back(
        "BASE has " + std::to_string(base_reps.size()) + " repetition(s), NEW " +
        std::to_string(new_reps.size()) +
        ": some metrics were compared over pooled samples, which treats the samples of one run "
        "as independent: their intervals are too narrow when the host drifts; with at least 4 "
        "repetitions per run (alpha 0.05) compare uses one value per repetition");
  }
  std::size_t tested = 0;
  for (const auto& m : out.metrics) tested += m.tested;
  if (weakest > 0 && weakest >= options.alpha / static_cast<double>(tested)) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.2g", weakest);
    out.warnings.push_back(
        "with these repetitions the smallest attainable p-value is " + std::string(buffer) +
        ": after the adjustment over " + std::to_string(tested) +
        " metrics, a regression confined to one metric cannot reach significance (only one "
        "shared by several can); more repetitions per run fix this (6 each for up to 10 "
        "metrics, 8 each for up to 100)");
  }
  if (few > 0) {
    out.warnings.push_back(std::to_string(few) + " metric(s) have fewer than " +
                           std::to_string(kMinSamples) +
                           " successful samples in a run (fewest: " + std::to_string(fewest) +
                           "): their test has little power and their p99 is the largest value");
  }
  if (thin_tail > 0) {
    out.warnings.push_back(std::to_string(thin_tail) +
                           " metric(s) compared over samples have fewer than " +
                           std::to_string(kTailSamples) +
                           " samples in a run: their p99 comes from the few largest values; "
                           "read p99 changes as rough");
  }
  if (!host.measured) {
    out.warnings.push_back(
        std::string(!base.host_speed   ? "BASE"
                    : !next.host_speed ? "NEW"
                                       : "a run") +
        " has no host-speed control (a build before it existed, or no successful probe): a "
        "change of the host between the runs cannot be told from a change of the platform");
  }
  if (out.base_run_id != out.new_run_id) {
    out.warnings.push_back(
        "two separate runs: statistics across runs cannot bound false alarms (each run carries "
        "an offset of its own, which they do not model; docs/PERFORMANCE.md measures it); read "
        "this for trends and reports, and gate a change with `faultline gate`, which measures "
        "both sides inside one run");
  }
  AddRunWarnings(base, next, out.warnings);
  return out;
}

}  // namespace faultline::reports
