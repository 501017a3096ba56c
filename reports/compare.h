// `faultline compare`: pairs the metrics of two runs and decides, per metric, whether NEW
// improved on BASE, regressed, did not change, or cannot tell. docs/METRICS.md ("Comparing two
// runs") defines every number and the verdict rule.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reports/result.h"
#include "reports/stats.h"

namespace faultline::reports {

inline constexpr int kCompareSchemaVersion = 1;

struct CompareOptions {
  double threshold = 0.05;  // a change smaller than this fraction does not matter
  double alpha = 0.05;      // significance level, after the Benjamini-Hochberg adjustment
  int resamples = 2000;     // bootstrap resamples per interval
  // How far the host-speed control may move between the runs before timing verdicts are
  // withheld (a fraction, like threshold; infinity: never). The CLI defaults it to threshold.
  double host_bound = 0.05;
};

enum class Verdict { kNoChange, kImproved, kRegressed, kInconclusive };
const char* VerdictName(Verdict verdict);  // "no change", "improved", "regressed", "inconclusive"

// Which values were compared: one per repetition (its median, or its p99 for the p99 change),
// or every sample pooled.
enum class Level { kRepetition, kSample };
const char* LevelName(Level level);  // "repetition" | "sample"

struct QuantileChange {
  double base = 0;      // the statistic in BASE (unit of the metric)
  double next = 0;      // and in NEW
  RatioInterval ratio;  // NEW / BASE with its bootstrap interval
};

struct MetricComparison {
  std::string step, target, metric, unit;
  Level level = Level::kSample;
  std::size_t base_values = 0, new_values = 0;      // compared values (repetitions or samples)
  std::uint64_t base_samples = 0, new_samples = 0;  // successful samples behind them
  QuantileChange median, p99;
  double p_value = 1;     // Mann-Whitney U, two-sided
  double p_adjusted = 1;  // Benjamini-Hochberg over every tested metric of the comparison
  bool tested = false;    // false when a side has no values (p-values then mean nothing)
  bool exact = false;     // exact Mann-Whitney distribution
  Verdict verdict = Verdict::kInconclusive;
  std::string reason;  // one sentence: why this verdict
};

// The host-speed control of both runs (Result::host_speed): the median reference operation.
struct HostSpeedChange {
  bool measured = false;  // both runs carry the control
  std::string operation;  // NEW's, e.g. "fork+exec /usr/bin/true"
  double base_ns = 0, new_ns = 0;
  double ratio = 1;    // new_ns / base_ns
  bool moved = false;  // beyond options.host_bound either way: timing verdicts withheld
};

// The host-speed change of two runs; not measured when either lacks the control.
HostSpeedChange CompareHostSpeed(const Result& base, const Result& next, double bound);

struct Comparison {
  CompareOptions options;
  std::string base_run_id, new_run_id;
  std::string base_path, new_path;  // set by the caller, for the reports
  std::string base_host_class, new_host_class;
  // Why the runs are not comparable (scenario, image, host class); empty when they are.
  std::vector<std::string> not_comparable;
  std::vector<std::string> warnings;  // too little data, untrustworthy runs
  HostSpeedChange host_speed;
  std::vector<MetricComparison> metrics;

  bool Regressed() const;  // some metric regressed: exit 1
};

// A ratio as a signed percentage change: 1.123 -> "+12.3%", 0.9 -> "-10.0%", inf -> "+inf%".
std::string FormatChange(double ratio);

// "cpu=<model> cpus=<n> memory=<GiB>GiB cgroup=<mode> kernel=<major.minor>": what must match
// for two runs' timings to be comparable.
std::string HostClass(const RunContext& context);

// Differences that make two runs incomparable: scenario sha256, image digest of a target both
// runs have, host class (each field named).
std::vector<std::string> ComparabilityProblems(const RunContext& base, const RunContext& next);

// Compares every metric either run has (CollectMetrics). Deterministic: the bootstrap of each
// metric is seeded from its name.
Comparison Compare(const Result& base, const Result& next, const CompareOptions& options);

}  // namespace faultline::reports
