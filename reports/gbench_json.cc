#include "reports/gbench_json.h"

#include <cmath>
#include <map>
#include <tuple>

#include "harness/measure/summary.h"
#include "reports/aggregate.h"

namespace faultline::reports {
namespace {

nlohmann::json Entry(const std::string& name, const std::string& run_name, std::size_t family,
                     std::size_t repetitions, double ms) {
  return {{"name", name},
          {"family_index", family},
          {"per_family_instance_index", 0},
          {"run_name", run_name},
          {"repetitions", repetitions},
          {"threads", 1},
          {"iterations", 1},
          {"real_time", ms},
          {"cpu_time", ms},
          {"time_unit", "ms"}};
}

}  // namespace

nlohmann::json ToGbenchJson(const Result& result) {
  // Keyed by first appearance so benchmarks keep the run's step order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> values_ms;
  for (const auto& s : result.samples) {
    if (!s.ok) continue;
    const std::string name = s.step + "/" + s.target + "/" + SampleMetric(s);
    auto [it, inserted] = values_ms.try_emplace(name);
    if (inserted) order.push_back(name);
    it->second.push_back(static_cast<double>(LatencyNs(s)) / 1e6);
  }
  nlohmann::json benchmarks = nlohmann::json::array();
  for (std::size_t family = 0; family < order.size(); ++family) {
    const std::string& name = order[family];
    const std::vector<double>& values = values_ms[name];
    for (std::size_t i = 0; i < values.size(); ++i) {
      nlohmann::json entry = Entry(name, name, family, values.size(), values[i]);
      entry["run_type"] = "iteration";
      entry["repetition_index"] = i;
      benchmarks.push_back(std::move(entry));
    }
    const measure::Summary summary = measure::Summarize(values);
    for (const auto& [aggregate, value] : {std::pair<const char*, double>{"mean", summary.mean},
                                           {"median", summary.p50},
                                           {"stddev", summary.stddev}}) {
      nlohmann::json entry = Entry(name + "_" + aggregate, name, family, values.size(), value);
      entry["run_type"] = "aggregate";
      entry["aggregate_name"] = aggregate;
      entry["aggregate_unit"] = "time";
      benchmarks.push_back(std::move(entry));
    }
  }
  const RunContext& c = result.context;
  nlohmann::json context = {{"date", c.started_at},
                            {"host_name", c.hostname},
                            {"executable", "faultline " + c.faultline_version},
                            {"num_cpus", c.cpu_count},
                            {"mhz_per_cpu", std::lround(c.cpu_mhz)},
                            {"cpu_scaling_enabled", c.cpu_scaling},
                            {"library_build_type", c.build_type},
                            {"faultline_run_id", c.run_id},
                            {"faultline_scenario", c.scenario_name}};
  return {{"context", std::move(context)}, {"benchmarks", std::move(benchmarks)}};
}

}  // namespace faultline::reports
