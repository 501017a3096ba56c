// faultline: benchmark and fault-injection harness for container platforms.
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "harness/cli/commands.h"
#include "harness/core/version.h"

namespace {

constexpr const char* kUsage = R"(usage: faultline VERB [ARGS]

Verbs:
  run SCENARIO [--out DIR] [--json]   run a scenario, write DIR/result.json, print a summary
  validate SCENARIO                   check a scenario file against the published schema
  gate SCENARIO --base A --candidate B
                                      B against A inside one run, randomized, until certain
                                      (exit 0 PASS, 1 FAIL, 5 INCONCLUSIVE)
  compare BASE.json NEW.json          per-metric verdicts of NEW against BASE across runs
                                      (exit 1: regressed; no bound on false alarms across runs)
  report RESULT [BASE] --html FILE    render a result: HTML, --junit, --gbench, --csv
  doctor                              what this host can do, each with the reason
  recover                             remove what earlier runs left behind (after SIGKILL)
  trace [--duration D]                live view of container starts on this host, with phases
  cluster up|status|down              a virtual cluster that outlives one run (run --cluster)
  --version                           print the version

Every verb takes --help. Exit codes: 0 pass, 1 an SLO failed or a comparison found a
regression, 2 invalid input or usage (or runs that are not comparable),
3 the host cannot run it, 4 the harness itself failed (e.g. a teardown that left something
behind: run `faultline recover`), 5 a gate that is inconclusive, 130 interrupted (Ctrl-C;
cleaned up, partial result written).
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace faultline::cli;
  const std::map<std::string, int (*)(const Args&)> verbs = {
      {"run", RunCommand},
      {"validate", ValidateCommand},
      {"doctor", DoctorCommand},
      {"recover", RecoverCommand},
      {"v1-exec", V1ExecCommand},
      {"compare", CompareCommand},
      {"gate", GateCommand},
      {"report", ReportCommand},
      {"trace", TraceCommand},
      {"cluster", ClusterCommand},
      {"_tcp-echo", TcpEchoCommand},
      {"_tcp-probe", TcpProbeCommand},
      {"_watchdog", WatchdogCommand},
      {"_node-exec", NodeExecCommand},
  };
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "version")) {
    std::printf("faultline %s (%s)\n", faultline::Version(), faultline::GitSha());
    return 0;
  }
  auto verb = verbs.find(argv[1]);
  if (verb == verbs.end()) {
    std::fprintf(stderr, "faultline: unknown verb '%s'\n\n%s", argv[1], kUsage);
    return 2;
  }
  return verb->second(Args(argv + 2, argv + argc));
}
