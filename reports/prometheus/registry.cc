#include "reports/prometheus/registry.h"

#include <charconv>
#include <cmath>

namespace faultline::reports::prometheus {
namespace {

bool ValidName(const std::string& name, bool colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool ok = letter || (colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     const std::string& le = "") {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + EscapeLabelValue(values[i]) + "\"";
  }
  if (!le.empty()) out += (out.empty() ? "" : ",") + std::string("le=\"") + le + "\"";
  return out.empty() ? "" : "{" + out + "}";
}

}  // namespace

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  return ec == std::errc() ? std::string(text, end) : "NaN";
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

Status Registry::Define(const std::string& name, MetricType type, const std::string& help,
                        std::vector<std::string> label_names, std::vector<double> buckets) {
  if (!ValidName(name, true)) return InvalidArgument("metric name '" + name + "' is not valid");
  for (const auto& label : label_names) {
    if (!ValidName(label, false) || label.rfind("__", 0) == 0 ||
        (type == MetricType::kHistogram && label == "le")) {
      return InvalidArgument(name + ": label name '" + label + "' is not valid");
    }
  }
  if (type == MetricType::kHistogram) {
    if (buckets.empty()) return InvalidArgument(name + ": a histogram needs buckets");
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      if (!std::isfinite(buckets[i]) || (i > 0 && buckets[i] <= buckets[i - 1])) {
        return InvalidArgument(name + ": buckets must be finite and strictly increasing");
      }
    }
  } else if (!buckets.empty()) {
    return InvalidArgument(name + ": only histograms have buckets");
  }
  std::lock_guard lock(mu_);
  if (families_.count(name)) return InvalidArgument(name + ": defined twice");
  Family& family = families_[name];
  family.type = type;
  family.help = help;
  family.label_names = std::move(label_names);
  family.bounds = std::move(buckets);
  if (family.label_names.empty()) {
    family.series[{}].buckets.assign(family.bounds.empty() ? 0 : family.bounds.size() + 1, 0);
  }
  return OkStatus();
}

Registry::Series* Registry::Find(const std::string& name, MetricType type,
                                 const std::vector<std::string>& values) {
  auto family = families_.find(name);
  if (family == families_.end() || family->second.type != type ||
      family->second.label_names.size() != values.size()) {
    return nullptr;
  }
  auto [series, inserted] = family->second.series.try_emplace(values);
  if (inserted && type == MetricType::kHistogram) {
    series->second.buckets.assign(family->second.bounds.size() + 1, 0);
  }
  return &series->second;
}

void Registry::Add(const std::string& name, const std::vector<std::string>& label_values,
                   double delta) {
  std::lock_guard lock(mu_);
  Series* series = Find(name, MetricType::kCounter, label_values);
  if (series && delta < 0) return;  // counters only go up
  if (!series) series = Find(name, MetricType::kGauge, label_values);
  if (series) series->value += delta;
}

void Registry::Set(const std::string& name, const std::vector<std::string>& label_values,
                   double value) {
  std::lock_guard lock(mu_);
  if (Series* series = Find(name, MetricType::kGauge, label_values)) series->value = value;
}

void Registry::Observe(const std::string& name, const std::vector<std::string>& label_values,
                       double value) {
  std::lock_guard lock(mu_);
  Series* series = Find(name, MetricType::kHistogram, label_values);
  if (!series) return;
  const auto& bounds = families_.at(name).bounds;
  std::size_t bucket = 0;
  while (bucket < bounds.size() && value > bounds[bucket]) ++bucket;
  ++series->buckets[bucket];
  series->sum += value;
  ++series->count;
}

std::string Registry::Encode() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + EscapeHelp(family.help) + "\n";
    out += "# TYPE " + name + " " + TypeName(family.type) + "\n";
    for (const auto& [values, series] : family.series) {
      if (family.type != MetricType::kHistogram) {
        out += name + LabelSet(family.label_names, values) + " " + FormatValue(series.value) + "\n";
        continue;
      }
      std::uint64_t cumulative = 0;
      for (std::size_t b = 0; b < series.buckets.size(); ++b) {
        cumulative += series.buckets[b];
        const std::string le = b < family.bounds.size() ? FormatValue(family.bounds[b]) : "+Inf";
        out += name + "_bucket" + LabelSet(family.label_names, values, le) + " " +
               std::to_string(cumulative) + "\n";
      }
      out += name + "_sum" + LabelSet(family.label_names, values) + " " + FormatValue(series.sum) +
             "\n";
      out += name + "_count" + LabelSet(family.label_names, values) + " " +
             std::to_string(series.count) + "\n";
    }
  }
  return out;
}

}  // namespace faultline::reports::prometheus
