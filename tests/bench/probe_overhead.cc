// Probe overhead: the same start storm run by `faultline run` with and without eBPF probes,
// interleaved (A B A B ...), compared on the wall-clock span both modes record the same way
// (bundle preparation -> runtime call returned: `run_wall` with probes, `run` without).
//
// Then one storm of BIG_STORM starts (concurrency 4) with probes: events consumed per second and
// drops at that volume.
//
// usage: probe_overhead FAULTLINE WORK_DIR [ROUNDS=10] [PER_ROUND=20] [RUNTIME=runc]
//                       [BIG_STORM=1000]
// Prints the median of each mode, their ratio, the probes' events, drops and event rate, and the
// host's load average before and after.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/files.h"
#include "harness/core/process.h"

namespace {

using faultline::RunProcess;

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct ModeTotals {
  std::vector<double> wall_ms;
  std::uint64_t events = 0, drops = 0;
  double probe_seconds = 0;
};

std::string LoadAverage() {
  auto text = faultline::ReadFile("/proc/loadavg");
  return text.ok() ? text->substr(0, text->find(' ', text->find(' ', text->find(' ') + 1) + 1))
                   : "?";
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
    std::fprintf(stderr, "usage: %s FAULTLINE WORK_DIR [ROUNDS] [PER_ROUND] [RUNTIME]\n", argv[0]);
    return 2;
  }
  const std::string faultline = argv[1], work = argv[2];
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 10;
  const int per_round = argc > 4 ? std::atoi(argv[4]) : 20;
  const std::string runtime = argc > 5 ? argv[5] : "runc";
  const int big_storm = argc > 6 ? std::atoi(argv[6]) : 1000;
  if (!faultline::MakeDirs(work).ok()) return 2;
  const std::string scenario = work + "/overhead.yaml";
  WriteScenario(scenario, runtime, per_round, 1);
  const std::string load_before = LoadAverage();
  ModeTotals off, on;
  std::vector<double> round_ratios;  // per round: median with / median without (drift cancels)
  for (int r = 0; r < rounds; ++r) {
    const std::size_t off_from = off.wall_ms.size(), on_from = on.wall_ms.size();
    // Alternate which mode goes first, so neither always follows the other.
    const bool probes_first = r % 2;
    for (int i = 0; i < 2; ++i) {
      const bool probes = (i == 0) == probes_first;
      if (!RunOnce(faultline, scenario, work + "/out", probes, probes ? on : off)) return 1;
    }
    const double round_off = Median({off.wall_ms.begin() + off_from, off.wall_ms.end()});
    const double round_on = Median({on.wall_ms.begin() + on_from, on.wall_ms.end()});
    if (round_off > 0) round_ratios.push_back(round_on / round_off);
    std::fprintf(stderr, "round %d/%d: %.2f / %.2f ms\n", r + 1, rounds, round_on, round_off);
  }
  const std::string load_after = LoadAverage();
  const double m_off = Median(off.wall_ms), m_on = Median(on.wall_ms);
  std::printf("runtime %s, %zu starts without probes, %zu with\n", runtime.c_str(),
              off.wall_ms.size(), on.wall_ms.size());
  std::printf("median wall span without probes: %.2f ms\n", m_off);
  std::printf("median wall span with probes:    %.2f ms\n", m_on);
  std::printf("ratio (with / without):          %.4f\n", m_off > 0 ? m_on / m_off : 0);
  std::printf("median of the per-round ratios:  %.4f (%zu rounds)\n", Median(round_ratios),
              round_ratios.size());
  std::printf("probe events: %llu, drops: %llu, %.0f events/s over the storms\n",
              static_cast<unsigned long long>(on.events), static_cast<unsigned long long>(on.drops),
              on.probe_seconds > 0 ? on.events / on.probe_seconds : 0);
  std::printf("load average (1/5/15 min) before: %s, after: %s\n", load_before.c_str(),
              load_after.c_str());
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
