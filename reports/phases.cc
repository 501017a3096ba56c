#include "reports/phases.h"

#include <algorithm>
#include <tuple>

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

const std::vector<std::string>& StartPhaseOrder() {
  static const std::vector<std::string> order = {
      "shim_exec",   "runtime_exec", "runtime_init", "cgroup_created", "namespaces_created",
      "pid1_forked", "start_exec",   "user_exec",    "ready",          "exit"};
  return order;
}

std::map<std::string, std::int64_t> PhaseDurations(const Sample& sample) {
  const auto& canonical = StartPhaseOrder();
  auto rank = [&](const std::string& name) {
    return std::find(canonical.begin(), canonical.end(), name) - canonical.begin();
  };
  std::vector<std::tuple<std::int64_t, std::ptrdiff_t, std::string>> happened;
  for (const auto& [name, at] : sample.phases) {
    if (name != "exit") happened.emplace_back(at, rank(name), name);
  }
  std::sort(happened.begin(), happened.end());
  std::map<std::string, std::int64_t> durations;
  std::int64_t previous = 0;
  for (const auto& [at, order, name] : happened) {
    durations[name] = at - previous;
    previous = at;
  }
  return durations;
}

void AddPlatformEvents(std::vector<Sample>& samples, const PlatformStamps& stamps) {
  for (Sample& sample : samples) {
    if (!sample.ok) continue;
    auto found = stamps.find(sample.container);
    if (found == stamps.end()) continue;
    for (const auto& [name, at] : found->second) {
      // The task's create and start as the generic driver steps or the kubelet's names them.
      const bool belongs =
          sample.op == "run" ||
          ((sample.op == "create" || sample.op == "create_container") && name == "task_create") ||
          ((sample.op == "start" || sample.op == "start_container") && name == "task_start");
      if (belongs && at >= sample.start_ns) sample.events[name] = at - sample.start_ns;
    }
  }
}

}  // namespace faultline::reports
