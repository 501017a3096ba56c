// Internal verbs run by steady workloads inside a cluster node: `_tcp-echo` (an echo server)
// and `_tcp-probe` (a paced client printing one line per round trip). Each enters the node's
// cgroup and network namespace before anything else, so node faults reach it.
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "harness/cli/commands.h"
#include "harness/cluster/node_cgroup.h"
#include "harness/workloads/tcp_rr.h"

namespace faultline::cli {
namespace {

constexpr const char* kEchoHelp =
    R"(usage: faultline _tcp-echo --netns PATH --cgroup REL --address A --port P
                          --stop-file F [--ready-file R] [--max-seconds S]
Internal: echo server inside a cluster node, until F exists or S seconds passed.
)";
constexpr const char* kProbeHelp =
    R"(usage: faultline _tcp-probe --netns PATH --cgroup REL --peers A,B --port P --rate R
                           --count N --max-seconds S [--size B] [--timeout-ms T] [--stop-file F]
Internal: timed TCP round trips from a cluster node; one line per round trip on stdout.
)";

// Dies with the controller's thread that started it: a bounded helper must not outlive it.
int Enter(const std::string& verb, const std::string& netns, const std::string& cgroup) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 3;
  Status entered = cluster::EnterNode(netns, cgroup);
  if (!entered.ok()) {
    std::fprintf(stderr, "faultline %s: %s\n", verb.c_str(), entered.error().ToString().c_str());
    return 3;
  }
  return 0;
}

}  // namespace

int TcpEchoCommand(const Args& args) {
  auto parsed = ParseTcpEchoArguments(args);
  if (!parsed.ok()) return UsageError("_tcp-echo", parsed.error().message, kEchoHelp);
  if (!*parsed) return PrintHelp(kEchoHelp);
  const TcpEchoArguments& arguments = **parsed;
  if (int failed = Enter("_tcp-echo", arguments.netns, arguments.cgroup)) return failed;
  workloads::EchoOptions echo;
  echo.address = arguments.address;
  echo.port = arguments.port;
  echo.stop_file = arguments.stop_file;
  if (arguments.max_seconds) echo.max_time = std::chrono::seconds(*arguments.max_seconds);
  const std::string& ready = arguments.ready_file;
  echo.on_listening = [&ready](std::uint16_t) {
    if (!ready.empty()) close(open(ready.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  };
  Status served = workloads::ServeEcho(echo);
  if (!served.ok()) {
    std::fprintf(stderr, "faultline _tcp-echo: %s\n", served.error().ToString().c_str());
    return 1;
  }
  return 0;
}

int TcpProbeCommand(const Args& args) {
  auto parsed = ParseTcpProbeArguments(args);
  if (!parsed.ok()) return UsageError("_tcp-probe", parsed.error().message, kProbeHelp);
  if (!*parsed) return PrintHelp(kProbeHelp);
  const TcpProbeArguments& arguments = **parsed;
  if (int failed = Enter("_tcp-probe", arguments.netns, arguments.cgroup)) return failed;
  workloads::ProbeOptions probe;
  probe.peers = arguments.peers;
  probe.port = arguments.port;
  probe.rate_per_second = arguments.rate;
  probe.count = arguments.count;
  probe.max_time = std::chrono::seconds(arguments.max_seconds);
  if (arguments.size) probe.size = *arguments.size;
  if (arguments.timeout_ms) probe.timeout = std::chrono::milliseconds(*arguments.timeout_ms);
  probe.stop_file = arguments.stop_file;
  Status probed = workloads::ProbePeers(probe, [](const workloads::RoundTrip& trip) {
    // Line by line: a node fault may kill the probe, and what it measured until then counts.
    std::printf("%s\n", workloads::FormatRoundTrip(trip).c_str());
    std::fflush(stdout);
  });
  std::fflush(stdout);
  if (!probed.ok()) {
    std::fprintf(stderr, "faultline _tcp-probe: %s\n", probed.error().ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace faultline::cli
