#include "reports/phases.h"

#include <algorithm>

#include "harness/measure/summary.h"

namespace faultline::reports {

std::vector<std::string> OrderedPhaseNames(const std::vector<Sample>& samples) {
  std::map<std::string, std::vector<double>> offsets;
  for (const auto& sample : samples) {
    for (const auto& [name, ns] : sample.phases) offsets[name].push_back(static_cast<double>(ns));
  }
  std::vector<std::pair<double, std::string>> keyed;
  for (auto& [name, values] : offsets) {
    std::sort(values.begin(), values.end());
    keyed.emplace_back(measure::Quantile(values, 0.5), name);
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> names;
  for (auto& [median, name] : keyed) names.push_back(std::move(name));
  return names;
}

std::map<std::string, std::int64_t> PhaseDurations(const Sample& sample,
                                                   const std::vector<std::string>& order) {
  std::map<std::string, std::int64_t> durations;
  std::int64_t previous = 0;
  for (const auto& name : order) {
    if (name == "exit") continue;  // ends the container's life, not its start
    auto phase = sample.phases.find(name);
    if (phase == sample.phases.end()) continue;
    durations[name] = phase->second - previous;
    previous = phase->second;
  }
  return durations;
}

}  // namespace faultline::reports
