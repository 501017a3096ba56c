#include "reports/gbench_json.h"

#include <cmath>
#include <map>
#include <tuple>

#include "harness/measure/summary.h"
#include "reports/aggregate.h"

namespace faultline::reports {
namespace {

nlohmann::json Entry(const std::string& name, const std::string& run_name, std::size_t family,
                     std::size_t repetitions, double real_ms, double cpu_ms) {
  return {{"name", name},         {"family_index", family},     {"per_family_instance_index", 0},
          {"run_name", run_name}, {"repetitions", repetitions}, {"threads", 1},
          {"iterations", 1},      {"real_time", real_ms},       {"cpu_time", cpu_ms},
          {"time_unit", "ms"}};
}

struct Series {
  std::vector<double> real_ms;
  std::vector<double> cpu_ms;
};

}  // namespace

nlohmann::json ToGbenchJson(const Result& result) {
  // Keyed by first appearance so benchmarks keep the run's step order.
  std::vector<std::string> order;
  std::map<std::string, Series> all_series;
  for (const auto& s : result.samples) {
    // The format has no benchmark without a CPU time: samples that have none are left out.
    if (!s.ok || s.cpu_ns < 0) continue;
    const std::string name = s.step + "/" + s.target + "/" + SampleMetric(s);
    auto [it, inserted] = all_series.try_emplace(name);
    if (inserted) order.push_back(name);
    Series& series = it->second;
    series.real_ms.push_back(static_cast<double>(LatencyNs(s)) / 1e6);
    series.cpu_ms.push_back(static_cast<double>(s.cpu_ns) / 1e6);
  }
  nlohmann::json benchmarks = nlohmann::json::array();
  for (std::size_t family = 0; family < order.size(); ++family) {
    const std::string& name = order[family];
    const Series& series = all_series[name];
    const std::size_t n = series.real_ms.size();
    for (std::size_t i = 0; i < n; ++i) {
      nlohmann::json entry = Entry(name, name, family, n, series.real_ms[i], series.cpu_ms[i]);
      entry["run_type"] = "iteration";
      entry["repetition_index"] = i;
      benchmarks.push_back(std::move(entry));
    }
    const measure::Summary real = measure::Summarize(series.real_ms);
    const measure::Summary cpu_summary = measure::Summarize(series.cpu_ms);
    for (const auto& [aggregate, real_value, cpu_value] :
         {std::tuple<const char*, double, double>{"mean", real.mean, cpu_summary.mean},
          {"median", real.p50, cpu_summary.p50},
          {"stddev", real.stddev, cpu_summary.stddev}}) {
      nlohmann::json entry = Entry(name + "_" + aggregate, name, family, n, real_value, cpu_value);
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
