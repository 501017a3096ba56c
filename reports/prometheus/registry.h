// A small registry of Prometheus metrics (counters, gauges, histograms with labels) and its
// text exposition format 0.0.4. Thread-safe: updates and Encode may run concurrently.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "harness/core/result.h"

namespace faultline::reports::prometheus {

enum class MetricType { kCounter, kGauge, kHistogram };

class Registry {
 public:
  // Declares a metric family. Names and label names must match Prometheus' grammar
  // ([a-zA-Z_:][a-zA-Z0-9_:]*, labels without ':' and not starting with "__"; "le" is reserved
  // for histograms); histogram buckets must be finite and strictly increasing (+Inf is implied).
  // A family without labels starts with one series at 0.
  Status Define(const std::string& name, MetricType type, const std::string& help,
                std::vector<std::string> label_names, std::vector<double> buckets = {});

  // Updates the series with LABEL_VALUES (one per label name, in order). Calls on an undefined
  // family, of the wrong type, or with the wrong number of labels are ignored: exporters must
  // never disturb a run (unit tests check every call site).
  void Add(const std::string& name, const std::vector<std::string>& label_values, double delta);
  void Set(const std::string& name, const std::vector<std::string>& label_values, double value);
  void Observe(const std::string& name, const std::vector<std::string>& label_values, double value);

  // Families by name, series by label values; each family with # HELP and # TYPE.
  std::string Encode() const;

 private:
  struct Series {
    double value = 0;                    // counter, gauge
    std::vector<std::uint64_t> buckets;  // histogram: per bucket (not cumulative), +Inf last
    double sum = 0;
    std::uint64_t count = 0;
  };
  struct Family {
    MetricType type;
    std::string help;
    std::vector<std::string> label_names;
    std::vector<double> bounds;
    std::map<std::vector<std::string>, Series> series;
  };
  Series* Find(const std::string& name, MetricType type, const std::vector<std::string>& values);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

// A sample value as the text format writes it: shortest round-trip decimal, "+Inf", "-Inf",
// "NaN".
std::string FormatValue(double value);
// A label value with \, " and newline escaped; HELP text with \ and newline escaped.
std::string EscapeLabelValue(const std::string& value);
std::string EscapeHelp(const std::string& help);

}  // namespace faultline::reports::prometheus
