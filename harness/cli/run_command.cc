#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "harness/cli/commands.h"
#include "harness/cli/run_execution.h"
#include "harness/core/files.h"
#include "harness/core/host.h"
#include "harness/core/process.h"
#include "harness/runner/runner.h"
#include "harness/scenario/loader.h"
#include "reports/console.h"
#include "reports/prometheus/http.h"
#include "reports/prometheus/run_metrics.h"
#include "reports/result_json.h"

namespace faultline::cli {
namespace {

constexpr const char* kHelp = R"(usage: faultline run SCENARIO [--out DIR] [--json] [--cluster NAME]
                     [--no-probes] [--metrics-listen ADDR:PORT] [--pushgateway URL]

Runs SCENARIO on this host and writes DIR/result.json (default DIR: ./faultline-out).
  --out DIR                   where to write result.json
  --json                      print the result document on stdout instead of the summary table
  --cluster NAME              run on the standing cluster NAME (`faultline cluster up`) instead
                              of the scenario's own cluster, which is otherwise built and
                              removed by the run
  --no-probes                 run without eBPF probes (wall-clock spans only; the result says
                              so); so does FAULTLINE_PROBES=off in the environment
  --metrics-listen ADDR:PORT  serve live Prometheus metrics at http://ADDR:PORT/metrics during
                              the run (docs/METRICS.md)
  --pushgateway URL           at the end, PUT the final metrics to a Pushgateway at
                              URL/metrics/job/faultline/instance/<run id>
Metrics go only to loopback (127.0.0.0/8, [::1]) or 198.18.0.0/15 addresses.

Ctrl-C stops starting containers, removes everything the run created and writes the partial
result (exit 130). Exit 0 when every SLO holds, 1 when one fails, 2 for an invalid scenario
or output directory, 3 when this host cannot run it, 4 when the harness itself failed
(including a teardown that left something behind: `faultline recover` removes it, or a
push to the Pushgateway that failed).
)";

std::atomic<bool> g_cancel{false};

// Signals arrive at one thread only: the others (workers, spawned programs) must not be
// interrupted mid-operation; cleanup needs them to finish.
void StartSignalThread() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (!g_cancel.exchange(true)) {
        std::fprintf(stderr, "\nfaultline: %s: stopping; removing what this run created...\n",
                     strsignal(sig));
      }
    }
  }).detach();
}

}  // namespace

int RunCommand(const Args& args) {
  auto parsed = ParseRunArguments(args);
  if (!parsed.ok()) return UsageError("run", parsed.error().message, kHelp);
  if (!*parsed) return PrintHelp(kHelp);
  const RunArguments& arguments = **parsed;
  RunRequest request;
  request.out_dir = arguments.out_dir;
  request.json = arguments.json;
  request.probes = arguments.probes;
  request.cluster_name = arguments.cluster;
  request.metrics_listen = arguments.metrics_listen;
  request.pushgateway = arguments.pushgateway;

  auto scenario = scenario::LoadScenarioFile(arguments.scenario);
  if (!scenario.ok()) {
    std::fprintf(stderr, "%s\n", scenario.error().message.c_str());
    return 2;
  }
  return ExecuteRun(*scenario, request, [](const reports::Result& result) {
    for (const auto& verdict : result.slo) {
      if (!verdict.pass) return 1;
    }
    return 0;
  });
}

int ExecuteRun(const scenario::Scenario& scenario, const RunRequest& request,
               const std::function<int(const reports::Result&)>& verdict) {
  const std::string verb = "faultline " + request.command;
  const std::string& out_dir = request.out_dir;
  // Where the result goes is checked before the run, not after minutes of measuring.
  const std::string result_path = out_dir + "/result.json";
  if (Status made = MakeDirs(out_dir); !made.ok()) {
    std::fprintf(stderr, "%s: --out: %s\n", verb.c_str(), made.error().ToString().c_str());
    return 2;
  }
  if (access(out_dir.c_str(), W_OK) != 0) {
    std::fprintf(stderr, "%s: --out: %s is not writable\n", verb.c_str(), out_dir.c_str());
    return 2;
  }
  auto plan = runner::BuildPlan(scenario, DetectCgroupMode());
  if (!plan.ok()) {
    std::fprintf(stderr, "%s: %s\n", verb.c_str(), plan.error().ToString().c_str());
    return 2;
  }
  runner::RunOptions options;
  // Entering a mount namespace needs a single-threaded process: before any thread starts.
  if (plan->needs_private_v1_view) {
    Status entered = EnterPrivateV1CgroupView();
    if (!entered.ok()) {
      std::fprintf(stderr, "%s: a runtime needs a pure v1 cgroup view here: %s\n", verb.c_str(),
                   entered.error().ToString().c_str());
      return 3;
    }
    options.private_v1_view = true;
  }
  StartSignalThread();
  if (Status reaper = StartOrphanReaper(); !reaper.ok()) {
    std::fprintf(stderr, "%s: %s\n", verb.c_str(), reaper.error().ToString().c_str());
    return 3;
  }
  options.cancel = &g_cancel;
  options.probes = request.probes;
  options.cluster_name = request.cluster_name;
  options.self_exe = SelfExe();
  // A gate's length is not known in advance: it prints a line per quad instead of a bar.
  options.progress = isatty(STDERR_FILENO) && !request.json && !request.gate;
  options.gate = request.gate;

  // Live metrics: fed by the run's observer hooks, served while it runs, pushed at its end.
  std::unique_ptr<reports::prometheus::RunMetrics> metrics;
  std::unique_ptr<reports::prometheus::MetricsServer> metrics_server;
  if (request.metrics_listen || request.pushgateway) {
    std::map<std::string, std::string> runtimes;
    for (const auto& target : scenario.targets) {
      runtimes[target.name] = target.runtime.empty() ? target.driver : target.runtime;
    }
    metrics = std::make_unique<reports::prometheus::RunMetrics>(std::move(runtimes));
    options.observer = metrics.get();
  }
  if (request.metrics_listen) {
    auto server =
        reports::prometheus::MetricsServer::Start(*request.metrics_listen, metrics->registry());
    if (!server.ok()) {
      std::fprintf(stderr, "%s: --metrics-listen: %s\n", verb.c_str(),
                   server.error().ToString().c_str());
      return 3;
    }
    metrics_server = std::move(*server);
    std::fprintf(
        stderr, "%s: serving metrics at http://%s/metrics\n", verb.c_str(),
        reports::prometheus::Endpoint{request.metrics_listen->address, metrics_server->port()}
            .ToString()
            .c_str());
  }

  auto outcome = runner::RunScenario(*plan, options);
  if (!outcome.ok()) {
    std::fprintf(stderr, "%s: %s\n", verb.c_str(), outcome.error().ToString().c_str());
    return ExitCodeFor(outcome.error());
  }
  const reports::Result& result = outcome->result;
  Status written = reports::WriteResultFile(result, result_path);
  if (request.json) {
    std::printf("%s\n", reports::ToJson(result)
                            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                            .c_str());
  } else {
    std::fputs(reports::RenderSummary(result, isatty(STDOUT_FILENO)).c_str(), stdout);
    if (written.ok()) std::printf("result: %s\n", result_path.c_str());
  }
  if (!written.ok()) {
    std::fprintf(stderr, "%s: %s\n", verb.c_str(), written.error().ToString().c_str());
    return 4;
  }
  if (!outcome->teardown.ok()) {
    std::fprintf(stderr, "%s: %s\n", verb.c_str(), outcome->teardown.error().ToString().c_str());
    return 4;
  }
  if (request.pushgateway) {
    Status pushed =
        reports::prometheus::PushMetrics(*request.pushgateway, "faultline", result.context.run_id,
                                         metrics->Encode(), std::chrono::seconds(10));
    if (!pushed.ok()) {
      std::fprintf(stderr, "%s: --pushgateway: %s\n", verb.c_str(),
                   pushed.error().ToString().c_str());
      return 4;
    }
  }
  if (result.interrupted) return 130;
  return verdict(result);
}

}  // namespace faultline::cli
