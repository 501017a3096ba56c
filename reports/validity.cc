#include "reports/validity.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

namespace faultline::reports {
namespace {

struct Counts {
  // Per container: did any of its operations fail? A failed start also fails the run and
  // lifecycle samples of the same container, so counting samples would count it three times.
  std::map<std::string, bool> container_failed;
  std::map<std::string, std::uint64_t> ok_by_op;
};

std::string Percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", ratio * 100);
  return buf;
}

}  // namespace

std::vector<std::string> ValidityWarnings(const Result& result, double max_failed_ratio) {
  std::map<std::string, std::size_t> step_order;
  std::map<std::pair<std::string, std::string>, Counts> groups;
  for (const Sample& sample : result.samples) {
    step_order.emplace(sample.step, step_order.size());
    Counts& counts = groups[{sample.step, sample.target}];
    bool& failed = counts.container_failed[sample.container];
    std::uint64_t& ok = counts.ok_by_op[sample.op];  // present even when every sample failed
    if (sample.ok) {
      ++ok;
    } else {
      failed = true;
    }
  }
  std::vector<std::pair<std::pair<std::string, std::string>, const Counts*>> ordered;
  for (const auto& [key, counts] : groups) ordered.emplace_back(key, &counts);
  std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
    return step_order.at(a.first.first) < step_order.at(b.first.first);
  });

  std::vector<std::string> warnings;
  for (const auto& [key, counts] : ordered) {
    const std::string where = "step " + key.first + " target " + key.second;
    const std::uint64_t total = counts->container_failed.size();
    const auto failed = static_cast<std::uint64_t>(
        std::count_if(counts->container_failed.begin(), counts->container_failed.end(),
                      [](const auto& entry) { return entry.second; }));
    const double ratio = static_cast<double>(failed) / static_cast<double>(total);
    if (ratio > max_failed_ratio) {
      warnings.push_back(where + ": " + std::to_string(failed) + " of " + std::to_string(total) +
                         " containers had a failed operation (" + Percent(ratio) + ", threshold " +
                         Percent(max_failed_ratio) + ")");
    }
    // Containers measured: successful "run" samples when the workload records them, otherwise
    // the best-covered op.
    std::uint64_t measured = 0;
    if (auto run = counts->ok_by_op.find("run"); run != counts->ok_by_op.end()) {
      measured = run->second;
    } else {
      for (const auto& [op, n] : counts->ok_by_op) measured = std::max(measured, n);
    }
    if (measured < kMinSamplesForP99) {
      warnings.push_back(where + ": too few samples for p99 (" + std::to_string(measured) +
                         " successful, need at least " + std::to_string(kMinSamplesForP99) + ")");
    }
  }
  if (result.interrupted) {
    warnings.push_back("run was interrupted: the result is partial");
  }
  return warnings;
}

}  // namespace faultline::reports
