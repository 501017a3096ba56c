// Internal verbs run by steady workloads inside a cluster node: `_tcp-echo` (an echo server)
// and `_tcp-probe` (a paced client printing one line per round trip). Each enters the node's
// cgroup and network namespace before anything else, so node faults reach it.
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

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

// --name value pairs; false (with a usage error printed) on anything else.
bool ParseOptions(const Args& args, const std::string& verb, const char* help,
                  std::map<std::string, std::string>& out) {
  for (std::size_t i = 0; i < args.size(); i += 2) {
    if (args[i].rfind("--", 0) != 0 || i + 1 == args.size()) {
      UsageError(verb, "expected --NAME VALUE pairs, got '" + args[i] + "'", help);
      return false;
    }
    out[args[i].substr(2)] = args[i + 1];
  }
  return true;
}

// Dies with the controller's thread that started it: a bounded helper must not outlive it.
int Enter(const std::string& verb, std::map<std::string, std::string>& options) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 3;
  Status entered = cluster::EnterNode(options["netns"], options["cgroup"]);
  if (!entered.ok()) {
    std::fprintf(stderr, "faultline %s: %s\n", verb.c_str(), entered.error().ToString().c_str());
    return 3;
  }
  return 0;
}

}  // namespace

int TcpEchoCommand(const Args& args) {
  if (WantsHelp(args, kEchoHelp)) return 0;
  std::map<std::string, std::string> options;
  if (!ParseOptions(args, "_tcp-echo", kEchoHelp, options)) return 2;
  if (int failed = Enter("_tcp-echo", options)) return failed;
  workloads::EchoOptions echo;
  echo.address = options["address"];
  echo.port = static_cast<std::uint16_t>(std::atoi(options["port"].c_str()));
  echo.stop_file = options["stop-file"];
  if (options.count("max-seconds")) {
    echo.max_time = std::chrono::seconds(std::atol(options["max-seconds"].c_str()));
  }
  const std::string ready = options["ready-file"];
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
  if (WantsHelp(args, kProbeHelp)) return 0;
  std::map<std::string, std::string> options;
  if (!ParseOptions(args, "_tcp-probe", kProbeHelp, options)) return 2;
  if (int failed = Enter("_tcp-probe", options)) return failed;
  workloads::ProbeOptions probe;
  std::istringstream peers(options["peers"]);
  for (std::string peer; std::getline(peers, peer, ',');) probe.peers.push_back(peer);
  probe.port = static_cast<std::uint16_t>(std::atoi(options["port"].c_str()));
  probe.rate_per_second = std::atof(options["rate"].c_str());
  probe.count = static_cast<std::uint32_t>(std::atol(options["count"].c_str()));
  probe.max_time = std::chrono::seconds(std::atol(options["max-seconds"].c_str()));
  if (options.count("size"))
    probe.size = static_cast<std::uint32_t>(std::atol(options["size"].c_str()));
  if (options.count("timeout-ms")) {
    probe.timeout = std::chrono::milliseconds(std::atol(options["timeout-ms"].c_str()));
  }
  probe.stop_file = options["stop-file"];
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
