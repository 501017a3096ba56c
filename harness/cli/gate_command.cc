// faultline gate: baseline and candidate inside one run, in randomized quads, until the
// sequential test is certain (runner/gate_session.h, reports/sequential_gate.h).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
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

// "3%" or "0.03" -> 0.03.
std::optional<double> ParseFraction(const std::string& text) {
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return std::nullopt;
  if (*end == '%') {
    value /= 100;
    ++end;
  }
  if (*end != '\0' || !(value >= 0 && value < 1)) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> ParseCount(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::strtoull(text.c_str(), nullptr, 10);
}

}  // namespace

int GateCommand(const Args& args) {
  if (WantsHelp(args, kHelp)) return 0;
  std::string scenario_path, junit, markdown;
  RunRequest request;
  request.command = "gate";
  runner::GateRequest gate;
  std::optional<std::uint64_t> seed;
  // Given on the command line; else the scenario's `gate:`, else the defaults.
  std::optional<double> tolerance, detection, alpha;
  std::optional<int> max_quads;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--no-probes") {
      request.probes = false;
      continue;
    }
    if (!arg.empty() && arg[0] != '-') {
      if (!scenario_path.empty()) return UsageError("gate", "more than one SCENARIO given", kHelp);
      scenario_path = arg;
      continue;
    }
    if (i + 1 == args.size()) return UsageError("gate", arg + " needs a value", kHelp);
    const std::string& value = args[++i];
    if (arg == "--base") {
      gate.base = value;
    } else if (arg == "--candidate") {
      gate.candidate = value;
    } else if (arg == "--step") {
      gate.step = value;
    } else if (arg == "--metric") {
      gate.metrics.push_back(value);
    } else if (arg == "--out") {
      request.out_dir = value;
    } else if (arg == "--junit") {
      junit = value;
    } else if (arg == "--markdown") {
      markdown = value;
    } else if (arg == "--tolerance" || arg == "--detection" || arg == "--alpha") {
      auto fraction = ParseFraction(value);
      if (!fraction) {
        return UsageError(
            "gate", arg + ": expected a fraction such as 0.05 or 5%, got '" + value + "'", kHelp);
      }
      (arg == "--tolerance" ? tolerance : arg == "--detection" ? detection : alpha) = *fraction;
    } else if (arg == "--max-quads" || arg == "--seed") {
      auto count = ParseCount(value);
      if (!count || (arg == "--max-quads" && (*count < 1 || *count > 10000))) {
        return UsageError("gate", arg + ": expected a whole number, got '" + value + "'", kHelp);
      }
      if (arg == "--seed") {
        seed = *count;
      } else {
        max_quads = static_cast<int>(*count);
      }
    } else {
      return UsageError("gate", "unknown option '" + arg + "'", kHelp);
    }
  }
  if (scenario_path.empty()) return UsageError("gate", "no SCENARIO given", kHelp);
  auto scenario = scenario::LoadScenarioFile(scenario_path);
  if (!scenario.ok()) {
    std::fprintf(stderr, "%s\n", scenario.error().message.c_str());
    return 2;
  }
  const scenario::GateDefaults defaults = scenario->gate.value_or(scenario::GateDefaults{});
  if (gate.base.empty()) gate.base = defaults.base;
  if (gate.candidate.empty()) gate.candidate = defaults.candidate;
  if (gate.step.empty()) gate.step = defaults.step;
  if (gate.metrics.empty()) gate.metrics = defaults.metrics;
  gate.config.tolerance = tolerance.value_or(defaults.tolerance.value_or(gate.config.tolerance));
  gate.config.detection = detection.value_or(defaults.detection.value_or(gate.config.detection));
  gate.config.alpha = alpha.value_or(defaults.alpha.value_or(gate.config.alpha));
  gate.config.max_quads =
      max_quads.value_or(static_cast<int>(defaults.max_quads.value_or(gate.config.max_quads)));
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
  gate.seed = seed ? *seed : std::random_device{}();
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
         {std::pair{junit, reports::RenderGateJunit(outcome, result.context)},
          std::pair{markdown, reports::RenderGateMarkdown(outcome, result.context)}}) {
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
