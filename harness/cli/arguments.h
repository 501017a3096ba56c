// The command line of each verb: one function per verb turns the arguments after the verb into a
// plain struct of its options, every value checked and converted. Each yields the struct, or no
// struct when -h or --help (anywhere before a `--`) asks for the verb's help, which the caller
// prints (exit 0); or an InvalidArgument error, a usage error whose message the caller prints as
// "faultline VERB: MESSAGE" (exit 2). Nothing here prints, and no exception leaves it.
//
// Common to every verb: a repeated option keeps its last value (a list option, one that says so,
// collects each); an option takes the next argument as its value, whatever it looks like, or the
// text after `=` (--out=DIR); a `--` is an unknown option except where a verb passes what follows
// it through untouched (_node-exec, v1-exec).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/clock.h"
#include "harness/core/result.h"
#include "reports/prometheus/endpoint.h"

namespace faultline::cli {

using Args = std::vector<std::string>;

// A verb's parsed command line: its arguments, or none when its help was asked for.
template <typename T>
using Parsed = Result<std::optional<T>>;

// A verb without arguments (doctor, recover).
struct NoArguments {};

// run SCENARIO [--out DIR] [--json] [--cluster NAME] [--no-probes] [--metrics-listen ADDR:PORT]
//              [--pushgateway URL]
struct RunArguments {
  std::string scenario;
  std::string out_dir = "faultline-out";
  bool json = false;    // the result document on stdout instead of the summary
  std::string cluster;  // a standing cluster; empty: the scenario's own
  bool probes = true;
  std::optional<reports::prometheus::Endpoint> metrics_listen;
  std::optional<reports::prometheus::PushTarget> pushgateway;
};
Parsed<RunArguments> ParseRunArguments(const Args& args);

// validate SCENARIO
struct ValidateArguments {
  std::string scenario;
};
Parsed<ValidateArguments> ParseValidateArguments(const Args& args);

// doctor
Parsed<NoArguments> ParseDoctorArguments(const Args& args);

// recover
Parsed<NoArguments> ParseRecoverArguments(const Args& args);

// compare BASE.json NEW.json | RESULT.json --targets BASE,NEW; [--threshold T] [--alpha A]
//         [--host-bound B|none] [--force] [--markdown FILE] [--json FILE] [--junit FILE]
// Fractions are "5%" or "0.05".
struct CompareArguments {
  std::vector<std::string> files;       // BASE and NEW; with --targets the one result
  std::string base_target, new_target;  // --targets; empty: two runs are compared
  std::optional<double> threshold;      // in [0, 10); none: the comparison's default
  std::optional<double> alpha;          // in (0, 0.5]; none: the comparison's default
  std::optional<double> host_bound;     // in [0, 10), infinity for "none"; none: the threshold
  bool force = false;
  std::string markdown, json, junit;  // files to write; empty: not written
};
Parsed<CompareArguments> ParseCompareArguments(const Args& args);

// gate SCENARIO [--base T] [--candidate T] [--step S] [--metric M]... [--tolerance F]
//               [--detection F] [--alpha F] [--max-quads N] [--seed N] [--out DIR]
//               [--junit FILE] [--markdown FILE] [--no-probes]
// What is not given falls back to the scenario's `gate:` (the command's business).
struct GateArguments {
  std::string scenario;
  std::string base, candidate, step;                  // empty: not given
  std::vector<std::string> metrics;                   // --metric, in order; empty: not given
  std::optional<double> tolerance, detection, alpha;  // fractions in [0, 1)
  std::optional<int> max_quads;                       // 1..10000
  std::optional<std::uint64_t> seed;
  std::string out_dir = "faultline-out";
  std::string junit, markdown;  // files to write; empty: not written
  bool probes = true;
};
Parsed<GateArguments> ParseGateArguments(const Args& args);

// report RESULT.json [BASE.json] [--html FILE] [--junit FILE] [--gbench FILE] [--csv FILE]
// At least one output is given (an empty FILE counts as none).
struct ReportArguments {
  std::string result;
  std::optional<std::string> base;
  std::string html, junit, gbench, csv;  // empty: not written
};
Parsed<ReportArguments> ParseReportArguments(const Args& args);

// trace [--duration D] [--runtime NAME]...
struct TraceArguments {
  Nanos duration = std::chrono::seconds(60);
  std::vector<std::string> runtimes;  // at most 4 names of 1 to 15 characters; empty: every one
};
Parsed<TraceArguments> ParseTraceArguments(const Args& args);

// cluster up|status|down [--name NAME] [--nodes N] [--cpus C] [--memory M]
enum class ClusterVerb { kUp, kStatus, kDown };
struct ClusterArguments {
  ClusterVerb verb = ClusterVerb::kStatus;
  std::string name = "default";               // lowercase letters, digits and '-', at most 63
  bool named = false;                         // --name given (status without it: every cluster)
  int nodes = 3;                              // 1..64
  std::optional<double> cpus;                 // per node, > 0
  std::optional<std::uint64_t> memory_bytes;  // per node
  bool systemd_cgroups = false;               // --cgroup-driver systemd: nodes are slices
};
Parsed<ClusterArguments> ParseClusterArguments(const Args& args);

// v1-exec -- PROGRAM [ARGS...]
struct V1ExecArguments {
  std::vector<std::string> program;  // what follows `--`, untouched; never empty
};
Parsed<V1ExecArguments> ParseV1ExecArguments(const Args& args);

// _node-exec --cgroup REL [--netns PATH] [--env NAME=VALUE]... [--private-mount SRC:DST]...
//            [--mount-ns PATH] -- PROGRAM [ARGS...]
struct NodeExecArguments {
  std::string cgroup;                       // required
  std::string netns;                        // empty: the host's
  std::vector<std::string> env;             // NAME=VALUE, in order
  std::vector<std::string> private_mounts;  // SRC:DST, in order
  std::string mount_ns;                     // empty: the current one
  std::vector<std::string> program;         // what follows `--`, untouched; never empty
};
Parsed<NodeExecArguments> ParseNodeExecArguments(const Args& args);

// _tcp-echo --netns PATH --cgroup REL --address A --port P --stop-file F [--ready-file R]
//           [--max-seconds S]
struct TcpEchoArguments {
  std::string netns, cgroup;  // the node's
  std::string address;
  std::uint16_t port = 0;
  std::string stop_file;
  std::string ready_file;           // empty: none
  std::optional<long> max_seconds;  // none: the server's default
};
Parsed<TcpEchoArguments> ParseTcpEchoArguments(const Args& args);

// _tcp-probe --netns PATH --cgroup REL --peers A,B --port P --rate R --count N --max-seconds S
//            [--size B] [--timeout-ms T] [--stop-file F]
struct TcpProbeArguments {
  std::string netns, cgroup;  // the node's
  std::vector<std::string> peers;
  std::uint16_t port = 0;
  double rate = 0;  // round trips a second
  std::uint32_t count = 0;
  long max_seconds = 0;
  std::optional<std::uint32_t> size;  // none: the probe's default
  std::optional<long> timeout_ms;     // none: the probe's default
  std::string stop_file;              // empty: none
};
Parsed<TcpProbeArguments> ParseTcpProbeArguments(const Args& args);

// _watchdog RUN_DIR
struct WatchdogArguments {
  std::string run_dir;
};
Parsed<WatchdogArguments> ParseWatchdogArguments(const Args& args);

}  // namespace faultline::cli
