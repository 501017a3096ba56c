// faultline gate: baseline and candidate inside one run, in randomized quads, until the
// sequential test is certain (runner/gate_session.h, reports/sequential_gate.h).
#include <unistd.h>

#include <cstdio>
#include <random>

#include "harness/cli/commands.h"
#include "harness/cli/run_execution.h"
#include "harness/core/files.h"
#include "harness/runner/gate_session.h"
#include "harness/scenario/loader.h"
#include "reports/gate_report.h"

namespace faultline::cli {
namespace {

constexpr const char* kHelp =
    R"(usage: faultline gate SCENARIO [--base TARGET] [--candidate TARGET] [--step STEP]
                      [--metric METRIC]... [--tolerance PCT] [--detection PCT] [--alpha P]
                      [--max-quads N] [--seed N] [--out DIR] [--junit FILE] [--markdown FILE]
                      [--no-probes]

Gates CANDIDATE against BASE (two targets of SCENARIO) inside one run: the step STEP (a start
step; default the scenario's only recorded one) runs in quads of four slots, ABBA or BAAB by a
seeded coin, each slot one execution of the step summarised by its median of each METRIC
(start_latency, or op_latency.<operation> such as op_latency.create; default start_latency).
After each quad an anytime-valid sequential test per metric decides, and the run stops as soon
as it can:
  FAIL          the candidate is shown slower than the base by more than --tolerance (3%) on
                some metric
  PASS          it is shown slower by less than --detection (10%) on every metric
  INCONCLUSIVE  neither, after --max-quads quads (60)
Either wrong verdict has probability at most --alpha (0.01), whatever the host's drift: the
bound comes from the random order alone, and several metrics share it (each is tested at
alpha / metrics, Bonferroni). The ratio B/A (Hodges-Lehmann) of each metric and its
anytime-valid confidence sequence are printed after every quad and written to
DIR/result.json (`gate`).
Other targets of SCENARIO are left out; its steps that record nothing run once per target
first, as warm-ups. SCENARIO's `gate:` section gives defaults for every option but the seed
and the outputs; --base and --candidate are required without it.
  --seed N         the coin's seed (default: random, printed and recorded)
  --out DIR        where to write result.json (default ./faultline-out)
  --junit FILE     a JUnit document of the verdict (a failure on FAIL, skipped if INCONCLUSIVE)
  --markdown FILE  a Markdown table of the verdict, for a pull request
  --no-probes      wall-clock spans instead of eBPF start phases

Exit 0 PASS, 1 FAIL, 5 INCONCLUSIVE, 2 invalid input, 3 the host cannot run it, 4 the harness
failed, 130 interrupted.
)";

constexpr int kInconclusiveExit = 5;

}  // namespace

int GateCommand(const Args& args) {
  auto parsed = ParseGateArguments(args);
  if (!parsed.ok()) return UsageError("gate", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  const GateArguments& arguments = **parsed;
  RunRequest request;
  request.command = "gate";
  request.out_dir = arguments.out_dir;
  request.probes = arguments.probes;
  // Given on the command line; else the scenario's `gate:`, else the defaults.
  runner::GateRequest gate;
  gate.base = arguments.base;
  gate.candidate = arguments.candidate;
  gate.step = arguments.step;
  gate.metrics = arguments.metrics;
  auto scenario = scenario::LoadScenarioFile(arguments.scenario);
  if (!scenario.ok()) {
    std::fprintf(stderr, "%s\n", scenario.error().message.c_str());
    return 2;
  }
  const scenario::GateDefaults defaults = scenario->gate.value_or(scenario::GateDefaults{});
  if (gate.base.empty()) gate.base = defaults.base;
  if (gate.candidate.empty()) gate.candidate = defaults.candidate;
  if (gate.step.empty()) gate.step = defaults.step;
  if (gate.metrics.empty()) gate.metrics = defaults.metrics;
  gate.config.tolerance =
      arguments.tolerance.value_or(defaults.tolerance.value_or(gate.config.tolerance));
  gate.config.detection =
      arguments.detection.value_or(defaults.detection.value_or(gate.config.detection));
  gate.config.alpha = arguments.alpha.value_or(defaults.alpha.value_or(gate.config.alpha));
  gate.config.max_quads = arguments.max_quads.value_or(
      static_cast<int>(defaults.max_quads.value_or(gate.config.max_quads)));
  if (gate.base.empty() || gate.candidate.empty()) {
    return UsageError("gate", "--base and --candidate are required (or the scenario's gate:)",
                      kHelp);
  }
  // Only the two targets run.
  std::erase_if(scenario->targets, [&](const scenario::Target& target) {
    return target.name != gate.base && target.name != gate.candidate;
  });
  if (gate.step.empty()) {
    for (const auto& step : scenario->steps) {
      if (step.record && step.kind == scenario::Step::Kind::kStart) {
        if (!gate.step.empty()) {
          return UsageError(
              "gate", "SCENARIO has several recorded start steps: name one with --step", kHelp);
        }
        gate.step = step.name;
      }
    }
    if (gate.step.empty()) return UsageError("gate", "SCENARIO has no recorded start step", kHelp);
  }
  gate.seed = arguments.seed ? *arguments.seed : std::random_device{}();
  gate.on_quad = [](const reports::GateOutcome& outcome) {
    std::fprintf(stderr, "faultline gate: %s\n", reports::GateProgressLine(outcome).c_str());
  };
  std::fprintf(stderr, "faultline gate: %s against %s on step %s, seed %llu\n",
               gate.candidate.c_str(), gate.base.c_str(), gate.step.c_str(),
               static_cast<unsigned long long>(gate.seed));
  request.gate = &gate;
  return ExecuteRun(*scenario, request, [&](const reports::Result& result) {
    if (!result.gate) return 4;
    const reports::GateOutcome& outcome = *result.gate;
    std::fputs(reports::RenderGateSummary(outcome).c_str(), stdout);
    for (const auto& [path, text] :
         {std::pair{arguments.junit, reports::RenderGateJunit(outcome, result.context)},
          std::pair{arguments.markdown, reports::RenderGateMarkdown(outcome, result.context)}}) {
      if (path.empty()) continue;
      if (Status written = WriteFileAtomic(path, text); !written.ok()) {
        std::fprintf(stderr, "faultline gate: %s\n", written.error().ToString().c_str());
        return 4;
      }
    }
    if (outcome.verdict == "pass") return 0;
    if (outcome.verdict == "fail") return 1;
    return kInconclusiveExit;
  });
}

}  // namespace faultline::cli
