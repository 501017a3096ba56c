// Micro-benchmarks (Google Benchmark) of the controller's own bookkeeping on and beside the
// measured path: journaling a resource before it exists, joining probe events into start phases,
// loading and validating a scenario, observing a start in the live metrics. Run by hand:
//
//   build/default/tests/bench/micro_bench [--benchmark_out=FILE --benchmark_out_format=json]
//
// docs/PERFORMANCE.md ("The controller's own work") has the figures.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/files.h"
#include "harness/core/journal.h"
#include "harness/scenario/loader.h"
#include "probes/live_join.h"
#include "probes/start_phases.h"
#include "reports/prometheus/run_metrics.h"

namespace faultline {
namespace {

// A journal in a state directory of its own, removed afterwards.
class ScratchState {
 public:
  ScratchState() {
    char dir[] = "/tmp/fl-micro-XXXXXX";
    root_ = mkdtemp(dir) ? dir : "";
    setenv("FAULTLINE_STATE_DIR", root_.c_str(), 1);
  }
  ~ScratchState() {
    (void)RemoveTree(root_);
    unsetenv("FAULTLINE_STATE_DIR");
  }

 private:
  std::string root_;
};

// What a container costs the journal before it exists: one durable (fsync'd) record, and its
// release (not synced) once it is gone.
void BM_JournalAcquireRelease(benchmark::State& state) {
  ScratchState scratch;
  auto journal = Journal::Open("micro1");
  if (!journal.ok()) {
    state.SkipWithError(journal.error().ToString().c_str());
    return;
  }
  const nlohmann::json data = {{"id", "fl-micro1-storm-runc-r0-1"},
                               {"dir", "/run/faultline/runs/micro1/containers/x"},
                               {"runtime_argv", {"runc", "--root", "/run/faultline/x"}}};
  for (auto _ : state) {
    auto seq = (*journal)->Acquire("container", data);
    if (!seq.ok()) {
      state.SkipWithError(seq.error().ToString().c_str());
      break;
    }
    (*journal)->Release(*seq);
  }
  (void)(*journal)->Close();
}
BENCHMARK(BM_JournalAcquireRelease)->UseRealTime();

// CLOCK_BOOTTIME now, as the probes' and the samples' times are (the live join keeps only
// recent events).
const std::int64_t kBase = BootNowNs();

// Probe events of N `runc run` starts, as the ring buffers deliver them.
std::vector<probes::ProbeEvent> RunSessions(int n) {
  std::vector<probes::ProbeEvent> events;
  for (int i = 0; i < n; ++i) {
    const std::uint32_t s = 1000 + 10 * i;
    const std::string id = "fl-micro-" + std::to_string(i);
    const std::int64_t t0 = kBase + i * 1'000'000;
    auto add = [&](std::int64_t dt, probes::EventKind kind, std::uint32_t pid) {
      probes::ProbeEvent e;
      e.ts_ns = t0 + dt;
      e.kind = kind;
      e.session = s;
      e.pid = pid;
      events.push_back(e);
      return &events.back();
    };
    add(0, probes::EventKind::kRuntimeExec, s)->args = {"run", "--bundle", "/b", id};
    add(9, probes::EventKind::kExec, s + 1);
    add(18, probes::EventKind::kCgroupMkdir, s)->text = "/faultline/micro/" + id;
    add(19, probes::EventKind::kNamespaces, s + 2);
    add(20, probes::EventKind::kPid1Fork, s + 3);
    add(34, probes::EventKind::kExec, s + 3)->pid1 = true;
    add(40, probes::EventKind::kExit, s + 3);
  }
  return events;
}

std::vector<reports::Sample> RunSamples(int n) {
  std::vector<reports::Sample> samples;
  for (int i = 0; i < n; ++i) {
    reports::Sample s;
    s.container = "fl-micro-" + std::to_string(i);
    s.op = "run";
    s.start_ns = kBase + i * 1'000'000 - 5;
    s.duration_ns = 50;
    samples.push_back(s);
  }
  return samples;
}

// The result's join of N starts' events into phases (per start: the figure / N).
void BM_JoinPhases(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto events = RunSessions(n);
  const auto samples = RunSamples(n);
  for (auto _ : state) {
    probes::StartPhaseJoiner joiner;
    for (const auto& e : events) joiner.Add(e);
    auto joined = samples;
    benchmark::DoNotOptimize(probes::JoinPhases(joined, joiner.Timelines()));
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_JoinPhases)->Arg(100)->Arg(2000);

// Loading a scenario: YAML parse, schema validation with positions, the model.
void BM_LoadScenario(benchmark::State& state) {
  auto text = ReadFile(std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/drill-partition.yaml");
  if (!text.ok()) {
    state.SkipWithError(text.error().ToString().c_str());
    return;
  }
  for (auto _ : state) {
    auto loaded = scenario::LoadScenarioText(*text, "drill-partition.yaml",
                                             std::string(FAULTLINE_SOURCE_DIR) + "/scenarios");
    if (!loaded.ok()) {
      state.SkipWithError(loaded.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(loaded);
  }
}
BENCHMARK(BM_LoadScenario);

// One start observed in the live metrics (latency and its phases), from 1 and 2 threads at
// once, as workers record samples.
void BM_ObserveStart(benchmark::State& state) {
  static reports::prometheus::RunMetrics* metrics = nullptr;
  if (state.thread_index() == 0)
    metrics =
        new reports::prometheus::RunMetrics(std::map<std::string, std::string>{{"runc", "runc"}});
  reports::Sample run = RunSamples(1).front();
  run.target = "runc";
  run.node = "local";
  run.step = "storm";
  run.phases = {{"runtime_exec", 5},
                {"runtime_init", 14},
                {"cgroup_created", 23},
                {"pid1_forked", 25},
                {"user_exec", 39}};
  for (auto _ : state) metrics->OnSample(run, nullptr);
  if (state.thread_index() == 0) {
    delete metrics;
    metrics = nullptr;
  }
}
BENCHMARK(BM_ObserveStart)->Threads(1)->Threads(2);

// The live join's work per pump with N starts held and their events in hand (all of them
// joined: the figure / N per start).
void BM_LiveJoinPump(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto events = RunSessions(n);
  const auto samples = RunSamples(n);
  class Discard : public reports::RunObserver {
    void OnSample(const reports::Sample&, const char*) override {}
    void OnContainersRunning(int) override {}
    void OnFaultsActive(int) override {}
  } discard;
  for (auto _ : state) {
    state.PauseTiming();
    probes::LivePhaseJoin live(
        &discard, [] { return std::map<std::string, std::string>{}; }, std::chrono::hours(1));
    for (const auto& s : samples) live.OnSample(s, nullptr);
    for (const auto& e : events) live.OnEvent(e);
    state.ResumeTiming();
    live.Finish();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_LiveJoinPump)->Arg(10)->Arg(100);

}  // namespace
}  // namespace faultline

BENCHMARK_MAIN();
