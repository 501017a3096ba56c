// Probe overhead: the same start storm run by `faultline run` with and without eBPF probes,
// interleaved, compared on the wall-clock span both modes record the same way (bundle preparation
// -> runtime call returned: `run_wall` with probes, `run` without).
//
// With OTHER_FAULTLINE, a third mode runs that build with probes in the same rounds: two builds'
// probes compared within one run (a comparison across runs is no evidence on a noisy host).
//
// Then one storm of BIG_STORM starts (concurrency 4) with probes: events consumed per second and
// drops at that volume.
//
// usage: probe_overhead FAULTLINE WORK_DIR [ROUNDS=10] [PER_ROUND=20] [RUNTIME=runc]
//                       [BIG_STORM=1000] [OTHER_FAULTLINE]
// Prints per mode its median and its ratio to the mode without probes: the ratio of the pooled
// medians with a bootstrap 95% interval (as `faultline compare` computes it), and the median of
// the per-round ratios with its distribution-free 95% interval; the probes' events, drops and
// event rate; the host's load average before and after.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/files.h"
#include "harness/core/host.h"
#include "harness/core/process.h"
#include "harness/measure/summary.h"
#include "reports/stats.h"

namespace {

using faultline::RunProcess;

double Median(std::vector<double> v) {
  return faultline::measure::Summarize(std::move(v)).p50;
}

struct ModeTotals {
  std::vector<double> wall_ms;
  std::vector<double> round_ratios;  // per round: its median / the no-probe median of the round
  std::uint64_t events = 0, drops = 0;
  double probe_seconds = 0;
};

// The distribution-free interval of a median at >= 95%: the k-th smallest and k-th largest value,
// k the largest with P(Binomial(n, 1/2) < k) <= 2.5%.
std::pair<double, double> MedianInterval(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const int n = static_cast<int>(v.size());
  double below = 0, term = std::pow(0.5, n);  // P(B = 0)
  int k = 0;
  for (int j = 0; j < n && below + term <= 0.025; ++j) {
    below += term;
    term *= static_cast<double>(n - j) / (j + 1);
    k = j + 1;
  }
  if (k == 0) return {0, INFINITY};  // too few rounds for the level
  return {v[k - 1], v[n - k]};
}

void WriteScenario(const std::string& path, const std::string& runtime, int count,
                   int concurrency) {
  std::ofstream(path) << "version: 1\nname: probe-overhead\ntarget: {driver: oci, runtime: "
                      << runtime << ", image: busybox}\nsteps:\n"
                      << "  - {name: warmup, record: false, workload: {kind: start, count: 3}}\n"
                      << "  - {name: storm, workload: {kind: start, count: " << count
                      << ", concurrency: " << concurrency << ", command: [\"true\"]}}\n";
}

bool RunOnce(const std::string& faultline, const std::string& scenario, const std::string& out,
             bool probes, ModeTotals& totals) {
  std::vector<std::string> argv = {faultline, "run", scenario, "--out", out};
  if (!probes) argv.push_back("--no-probes");
  auto outcome = RunProcess({argv, std::chrono::minutes(10), ""});
  if (!outcome.ok() || !outcome->ok()) {
    std::fprintf(stderr, "faultline run failed: %s\n",
                 outcome.ok() ? outcome->Describe().c_str() : outcome.error().ToString().c_str());
    return false;
  }
  auto text = faultline::ReadFile(out + "/result.json");
  if (!text.ok()) return false;
  auto result = nlohmann::json::parse(*text, nullptr, false);
  if (result.is_discarded()) return false;
  const std::string wall_op = probes ? "run_wall" : "run";
  std::int64_t first = INT64_MAX, last = 0;
  for (const auto& s : result["samples"]) {
    if (s["op"] == wall_op && s["ok"] == true) {
      totals.wall_ms.push_back(s["duration_ns"].get<double>() / 1e6);
    }
    first = std::min<std::int64_t>(first, s["start_ns"]);
    last = std::max<std::int64_t>(
        last, s["start_ns"].get<std::int64_t>() + s["duration_ns"].get<std::int64_t>());
  }
  if (probes) {
    if (result["probes"]["mode"] != "ebpf") {
      std::fprintf(stderr, "probes did not load: %s\n", result["probes"].dump().c_str());
      return false;
    }
    totals.events += result["probes"]["events"].get<std::uint64_t>();
    totals.drops += result["probes"]["drops"].get<std::uint64_t>();
    totals.probe_seconds += (last - first) / 1e9;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s FAULTLINE WORK_DIR [ROUNDS] [PER_ROUND] [RUNTIME] [BIG_STORM] "
                 "[OTHER_FAULTLINE]\n",
                 argv[0]);
    return 2;
  }
  const std::string faultline = argv[1], work = argv[2];
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 10;
  const int per_round = argc > 4 ? std::atoi(argv[4]) : 20;
  const std::string runtime = argc > 5 ? argv[5] : "runc";
  const int big_storm = argc > 6 ? std::atoi(argv[6]) : 1000;
  const std::string other = argc > 7 ? argv[7] : "";
  if (!faultline::MakeDirs(work).ok()) return 2;
  const std::string scenario = work + "/overhead.yaml";
  WriteScenario(scenario, runtime, per_round, 1);
  struct Mode {
    std::string name, binary;
    bool probes;
    ModeTotals totals;
  };
  std::vector<Mode> modes = {{"without probes", faultline, false, {}},
                             {"with probes", faultline, true, {}}};
  if (!other.empty()) modes.push_back({"with probes, " + other, other, true, {}});
  const double load_before = faultline::ReadHostLoad().load_average_1m;
  for (int r = 0; r < rounds; ++r) {
    std::vector<std::size_t> from;
    for (const Mode& m : modes) from.push_back(m.totals.wall_ms.size());
    // Rotate the order every round (reversed every other one), so no mode always follows another.
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < modes.size(); ++i) order.push_back((i + r) % modes.size());
    if (r % 2) std::reverse(order.begin(), order.end());
    for (std::size_t i : order) {
      if (!RunOnce(modes[i].binary, scenario, work + "/out", modes[i].probes, modes[i].totals)) {
        return 1;
      }
    }
    std::vector<double> round_medians;
    for (std::size_t i = 0; i < modes.size(); ++i) {
      const auto& ms = modes[i].totals.wall_ms;
      round_medians.push_back(
          Median({ms.begin() + static_cast<std::ptrdiff_t>(from[i]), ms.end()}));
    }
    std::fprintf(stderr, "round %d/%d:", r + 1, rounds);
    for (std::size_t i = 0; i < modes.size(); ++i) {
      if (round_medians[0] > 0)
        modes[i].totals.round_ratios.push_back(round_medians[i] / round_medians[0]);
      std::fprintf(stderr, " %.2f", round_medians[i]);
    }
    std::fprintf(stderr, " ms\n");
  }
  const double load_after = faultline::ReadHostLoad().load_average_1m;
  std::printf("runtime %s, %d rounds of %d starts per mode\n", runtime.c_str(), rounds, per_round);
  const std::vector<double>& base = modes[0].totals.wall_ms;
  for (const Mode& m : modes) {
    std::printf("%s: %zu starts, median wall span %.2f ms\n", m.name.c_str(),
                m.totals.wall_ms.size(), Median(m.totals.wall_ms));
    if (!m.probes) continue;
    const auto pooled =
        faultline::reports::BootstrapQuantileRatio(base, m.totals.wall_ms, 0.5, 0.95, 2000, 1);
    const auto [low, high] = MedianInterval(m.totals.round_ratios);
    std::printf("  ratio of medians to without probes: %.4f (95%% bootstrap [%.4f, %.4f])\n",
                pooled.ratio, pooled.low, pooled.high);
    std::printf("  median of per-round ratios:          %.4f (95%% [%.4f, %.4f], %zu rounds)\n",
                Median(m.totals.round_ratios), low, high, m.totals.round_ratios.size());
    std::printf("  probe events: %llu, drops: %llu, %.0f events/s over the storms\n",
                static_cast<unsigned long long>(m.totals.events),
                static_cast<unsigned long long>(m.totals.drops),
                m.totals.probe_seconds > 0 ? m.totals.events / m.totals.probe_seconds : 0);
  }
  std::printf("load average (1 min) before: %.2f, after: %.2f\n", load_before, load_after);
  if (big_storm > 0) {
    const std::string big = work + "/big.yaml";
    WriteScenario(big, runtime, big_storm, 4);
    ModeTotals totals;
    if (!RunOnce(faultline, big, work + "/out", true, totals)) return 1;
    std::printf(
        "storm of %d starts (concurrency 4): %zu ok, %llu events, %llu drops, %.0f events/s\n",
        big_storm, totals.wall_ms.size(), static_cast<unsigned long long>(totals.events),
        static_cast<unsigned long long>(totals.drops),
        totals.probe_seconds > 0 ? totals.events / totals.probe_seconds : 0);
  }
  return 0;
}
