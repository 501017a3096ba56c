#include "harness/cli/arguments.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>

namespace faultline::cli {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The arguments PARSED holds (failing the test when it holds none).
template <typename T>
T Good(const Parsed<T>& parsed) {
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  if (!parsed.ok()) return T{};
  EXPECT_TRUE(parsed->has_value()) << "help instead of arguments";
  return parsed->value_or(T{});
}

// The usage error PARSED holds ("" when it holds none).
template <typename T>
std::string UsageError(const Parsed<T>& parsed) {
  EXPECT_FALSE(parsed.ok());
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  return parsed.error().message;
}

template <typename T>
bool IsHelp(const Parsed<T>& parsed) {
  return parsed.ok() && !parsed->has_value();
}

TEST(RunArguments, Defaults) {
  const RunArguments run = Good(ParseRunArguments({"s.yaml"}));
  EXPECT_EQ(run.scenario, "s.yaml");
  EXPECT_EQ(run.out_dir, "faultline-out");
  EXPECT_FALSE(run.json);
  EXPECT_TRUE(run.probes);
  EXPECT_EQ(run.cluster, "");
  EXPECT_FALSE(run.metrics_listen);
  EXPECT_FALSE(run.pushgateway);
}

TEST(RunArguments, Everything) {
  const RunArguments run = Good(ParseRunArguments(
      {"--out", "o", "--json", "s.yaml", "--cluster", "c1", "--no-probes", "--metrics-listen",
       "127.0.0.1:9464", "--pushgateway", "http://127.0.0.1:9091/p"}));
  EXPECT_EQ(run.scenario, "s.yaml");
  EXPECT_EQ(run.out_dir, "o");
  EXPECT_TRUE(run.json);
  EXPECT_EQ(run.cluster, "c1");
  EXPECT_FALSE(run.probes);
  ASSERT_TRUE(run.metrics_listen);
  EXPECT_EQ(run.metrics_listen->address, "127.0.0.1");
  EXPECT_EQ(run.metrics_listen->port, 9464);
  ASSERT_TRUE(run.pushgateway);
  EXPECT_EQ(run.pushgateway->endpoint.port, 9091);
  EXPECT_EQ(run.pushgateway->path_prefix, "/p");
}

TEST(RunArguments, RepeatedOptionKeepsTheLast) {
  const RunArguments run =
      Good(ParseRunArguments({"s.yaml", "--out", "a", "--out=b", "--json", "--json"}));
  EXPECT_EQ(run.out_dir, "b");
  EXPECT_TRUE(run.json);
}

TEST(RunArguments, ValueIsTheNextArgumentWhateverItLooksLike) {
  EXPECT_EQ(Good(ParseRunArguments({"s.yaml", "--out", "--json"})).out_dir, "--json");
}

TEST(RunArguments, UsageErrors) {
  EXPECT_EQ(UsageError(ParseRunArguments({})), "no SCENARIO given");
  EXPECT_EQ(UsageError(ParseRunArguments({"--json"})), "no SCENARIO given");
  EXPECT_EQ(UsageError(ParseRunArguments({"a.yaml", "b.yaml"})), "more than one SCENARIO given");
  EXPECT_EQ(UsageError(ParseRunArguments({"s.yaml", "--bogus"})), "unknown option '--bogus'");
  EXPECT_EQ(UsageError(ParseRunArguments({"s.yaml", "--", "x"})), "unknown option '--'");
  EXPECT_PRED2(Contains, UsageError(ParseRunArguments({"s.yaml", "--out"})), "--out");
  EXPECT_PRED2(Contains,
               UsageError(ParseRunArguments({"s.yaml", "--metrics-listen", "10.0.0.1:1"})),
               "--metrics-listen: ");
  EXPECT_PRED2(Contains, UsageError(ParseRunArguments({"s.yaml", "--pushgateway", "https://x"})),
               "--pushgateway: ");
}

TEST(RunArguments, HelpWinsWhereverItIs) {
  EXPECT_TRUE(IsHelp(ParseRunArguments({"--help"})));
  EXPECT_TRUE(IsHelp(ParseRunArguments({"-h"})));
  EXPECT_TRUE(IsHelp(ParseRunArguments({"s.yaml", "--bogus", "--help"})));
  EXPECT_TRUE(IsHelp(ParseRunArguments({"--out", "--help"})));
  EXPECT_TRUE(IsHelp(ParseRunArguments({"--help", "--out"})));
}

TEST(ValidateArguments, Parse) {
  EXPECT_EQ(Good(ParseValidateArguments({"s.yaml"})).scenario, "s.yaml");
  EXPECT_EQ(UsageError(ParseValidateArguments({})), "expected exactly one SCENARIO");
  EXPECT_EQ(UsageError(ParseValidateArguments({"a", "b"})), "expected exactly one SCENARIO");
  EXPECT_EQ(UsageError(ParseValidateArguments({"a", "--strict"})), "unknown option '--strict'");
  EXPECT_TRUE(IsHelp(ParseValidateArguments({"a", "--help"})));
}

TEST(NoArguments, DoctorAndRecover) {
  for (auto parse : {ParseDoctorArguments, ParseRecoverArguments}) {
    Good(parse({}));
    EXPECT_EQ(UsageError(parse({"x"})), "unexpected argument 'x'");
    EXPECT_EQ(UsageError(parse({"--all"})), "unknown option '--all'");
    EXPECT_TRUE(IsHelp(parse({"-h"})));
  }
}

TEST(CompareArguments, TwoRuns) {
  const CompareArguments compare = Good(ParseCompareArguments({"a.json", "b.json"}));
  EXPECT_EQ(compare.files, (std::vector<std::string>{"a.json", "b.json"}));
  EXPECT_EQ(compare.base_target, "");
  EXPECT_FALSE(compare.threshold);
  EXPECT_FALSE(compare.alpha);
  EXPECT_FALSE(compare.host_bound);
  EXPECT_FALSE(compare.force);
  EXPECT_EQ(compare.markdown + compare.json + compare.junit, "");
}

TEST(CompareArguments, Everything) {
  const CompareArguments compare = Good(ParseCompareArguments(
      {"r.json", "--targets", "runc,crun", "--threshold", "5%", "--alpha", "0.01", "--host-bound",
       "none", "--force", "--markdown", "m.md", "--json", "c.json", "--junit", "j.xml"}));
  EXPECT_EQ(compare.files, (std::vector<std::string>{"r.json"}));
  EXPECT_EQ(compare.base_target, "runc");
  EXPECT_EQ(compare.new_target, "crun");
  EXPECT_DOUBLE_EQ(*compare.threshold, 0.05);
  EXPECT_DOUBLE_EQ(*compare.alpha, 0.01);
  EXPECT_TRUE(std::isinf(*compare.host_bound));
  EXPECT_TRUE(compare.force);
  EXPECT_EQ(compare.markdown, "m.md");
  EXPECT_EQ(compare.json, "c.json");
  EXPECT_EQ(compare.junit, "j.xml");
}

TEST(CompareArguments, RepeatedOptionKeepsTheLast) {
  const CompareArguments compare = Good(ParseCompareArguments(
      {"a", "b", "--threshold", "1%", "--threshold", "0.2", "--host-bound", "3%"}));
  EXPECT_DOUBLE_EQ(*compare.threshold, 0.2);
  EXPECT_DOUBLE_EQ(*compare.host_bound, 0.03);
}

TEST(CompareArguments, UsageErrors) {
  EXPECT_EQ(UsageError(ParseCompareArguments({})),
            "needs exactly two result files, BASE and NEW (got 0)");
  EXPECT_EQ(UsageError(ParseCompareArguments({"a"})),
            "needs exactly two result files, BASE and NEW (got 1)");
  EXPECT_EQ(UsageError(ParseCompareArguments({"a", "b", "--targets", "x,y"})),
            "--targets needs exactly one result file (got 2)");
  EXPECT_EQ(UsageError(ParseCompareArguments({"a", "b", "--bogus"})), "unknown option '--bogus'");
  for (const char* bad : {"x", "-1%", "10", "5%%", "nan", ""}) {
    EXPECT_EQ(UsageError(ParseCompareArguments({"a", "b", "--threshold", bad})),
              std::string("--threshold: expected a fraction like 5% or 0.05, got '") + bad + "'");
  }
  for (const char* bad : {"0", "0.6", "x"}) {
    EXPECT_EQ(UsageError(ParseCompareArguments({"a", "b", "--alpha", bad})),
              std::string("--alpha: expected a number in (0, 0.5], got '") + bad + "'");
  }
  EXPECT_PRED2(Contains, UsageError(ParseCompareArguments({"a", "b", "--host-bound", "all"})),
               "--host-bound: expected a fraction like 5% or 0.05, or none");
  for (const char* bad : {"runc", "runc,runc", ",crun", "a,b,c"}) {
    EXPECT_PRED2(Contains, UsageError(ParseCompareArguments({"a", "--targets", bad})),
                 "--targets: expected two different target names");
  }
  EXPECT_EQ(UsageError(ParseCompareArguments({"a", "b", "--markdown", ""})),
            "--markdown: expected a file name");
  // Each value is checked, not only the last.
  EXPECT_FALSE(ParseCompareArguments({"a", "b", "--alpha", "2", "--alpha", "0.1"}).ok());
  EXPECT_TRUE(IsHelp(ParseCompareArguments({"--threshold", "x", "--help"})));
}

TEST(GateArguments, Defaults) {
  const GateArguments gate = Good(ParseGateArguments({"s.yaml"}));
  EXPECT_EQ(gate.scenario, "s.yaml");
  EXPECT_EQ(gate.base + gate.candidate + gate.step, "");
  EXPECT_TRUE(gate.metrics.empty());
  EXPECT_FALSE(gate.tolerance || gate.detection || gate.alpha);
  EXPECT_FALSE(gate.max_quads);
  EXPECT_FALSE(gate.seed);
  EXPECT_EQ(gate.out_dir, "faultline-out");
  EXPECT_TRUE(gate.probes);
}

TEST(GateArguments, Everything) {
  const GateArguments gate = Good(ParseGateArguments({"--base",
                                                      "runc",
                                                      "--candidate",
                                                      "crun",
                                                      "s.yaml",
                                                      "--step",
                                                      "storm",
                                                      "--metric",
                                                      "start_latency",
                                                      "--metric",
                                                      "op_latency.create",
                                                      "--tolerance",
                                                      "3%",
                                                      "--detection",
                                                      "0.1",
                                                      "--alpha",
                                                      "1%",
                                                      "--max-quads",
                                                      "40",
                                                      "--seed",
                                                      "18446744073709551615",
                                                      "--out",
                                                      "o",
                                                      "--junit",
                                                      "j.xml",
                                                      "--markdown",
                                                      "m.md",
                                                      "--no-probes"}));
  EXPECT_EQ(gate.scenario, "s.yaml");
  EXPECT_EQ(gate.base, "runc");
  EXPECT_EQ(gate.candidate, "crun");
  EXPECT_EQ(gate.step, "storm");
  EXPECT_EQ(gate.metrics, (std::vector<std::string>{"start_latency", "op_latency.create"}));
  EXPECT_DOUBLE_EQ(*gate.tolerance, 0.03);
  EXPECT_DOUBLE_EQ(*gate.detection, 0.1);
  EXPECT_DOUBLE_EQ(*gate.alpha, 0.01);
  EXPECT_EQ(*gate.max_quads, 40);
  EXPECT_EQ(*gate.seed, 18446744073709551615u);
  EXPECT_EQ(gate.out_dir, "o");
  EXPECT_EQ(gate.junit, "j.xml");
  EXPECT_EQ(gate.markdown, "m.md");
  EXPECT_FALSE(gate.probes);
}

TEST(GateArguments, RepeatedOptions) {
  const GateArguments gate =
      Good(ParseGateArguments({"s.yaml", "--base", "a", "--base", "b", "--metric", "m1",
                               "--metric=m2", "--seed", "1", "--seed", "2"}));
  EXPECT_EQ(gate.base, "b");
  EXPECT_EQ(gate.metrics, (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(*gate.seed, 2u);
}

TEST(GateArguments, UsageErrors) {
  EXPECT_EQ(UsageError(ParseGateArguments({})), "no SCENARIO given");
  EXPECT_EQ(UsageError(ParseGateArguments({"a", "b"})), "more than one SCENARIO given");
  EXPECT_EQ(UsageError(ParseGateArguments({"s.yaml", "--bogus"})), "unknown option '--bogus'");
  EXPECT_PRED2(Contains, UsageError(ParseGateArguments({"s.yaml", "--base"})), "--base");
  for (const char* bad : {"1", "100%", "x", "-1%"}) {
    EXPECT_EQ(
        UsageError(ParseGateArguments({"s.yaml", "--tolerance", bad})),
        std::string("--tolerance: expected a fraction such as 0.05 or 5%, got '") + bad + "'");
  }
  for (const char* bad : {"0", "10001", "1.5", "-1", ""}) {
    EXPECT_EQ(UsageError(ParseGateArguments({"s.yaml", "--max-quads", bad})),
              std::string("--max-quads: expected a whole number, got '") + bad + "'");
  }
  EXPECT_EQ(UsageError(ParseGateArguments({"s.yaml", "--seed", "x"})),
            "--seed: expected a whole number, got 'x'");
  EXPECT_TRUE(IsHelp(ParseGateArguments({"s.yaml", "-h"})));
}

TEST(ReportArguments, Parse) {
  const ReportArguments one = Good(ParseReportArguments({"r.json", "--html", "r.html"}));
  EXPECT_EQ(one.result, "r.json");
  EXPECT_FALSE(one.base);
  EXPECT_EQ(one.html, "r.html");
  const ReportArguments two = Good(ParseReportArguments(
      {"--junit", "j.xml", "r.json", "b.json", "--gbench", "g.json", "--csv", "c.csv"}));
  EXPECT_EQ(two.result, "r.json");
  EXPECT_EQ(two.base, "b.json");
  EXPECT_EQ(two.junit, "j.xml");
  EXPECT_EQ(two.gbench, "g.json");
  EXPECT_EQ(two.csv, "c.csv");
  EXPECT_EQ(Good(ParseReportArguments({"r", "--csv", "a", "--csv", "b"})).csv, "b");
}

TEST(ReportArguments, UsageErrors) {
  EXPECT_EQ(UsageError(ParseReportArguments({"--html", "r.html"})),
            "give RESULT.json and at most one BASE.json");
  EXPECT_EQ(UsageError(ParseReportArguments({"a", "b", "c", "--html", "r.html"})),
            "give RESULT.json and at most one BASE.json");
  EXPECT_EQ(UsageError(ParseReportArguments({"r.json"})),
            "no output: give --html, --junit, --gbench or --csv");
  EXPECT_EQ(UsageError(ParseReportArguments({"r.json", "--html", ""})),
            "no output: give --html, --junit, --gbench or --csv");
  EXPECT_EQ(UsageError(ParseReportArguments({"r.json", "--pdf", "x"})), "unknown option '--pdf'");
  EXPECT_PRED2(Contains, UsageError(ParseReportArguments({"r.json", "--html"})), "--html");
  EXPECT_TRUE(IsHelp(ParseReportArguments({"--help"})));
}

TEST(TraceArguments, Parse) {
  const TraceArguments defaults = Good(ParseTraceArguments({}));
  EXPECT_EQ(defaults.duration, std::chrono::seconds(60));
  EXPECT_TRUE(defaults.runtimes.empty());
  const TraceArguments trace = Good(ParseTraceArguments(
      {"--duration", "1.5s", "--runtime", "runc", "--runtime", "crun", "--duration", "250ms"}));
  EXPECT_EQ(trace.duration, std::chrono::milliseconds(250));
  EXPECT_EQ(trace.runtimes, (std::vector<std::string>{"runc", "crun"}));
}

TEST(TraceArguments, UsageErrors) {
  EXPECT_PRED2(Contains, UsageError(ParseTraceArguments({"--duration", "10"})), "--duration: ");
  EXPECT_PRED2(Contains, UsageError(ParseTraceArguments({"--duration"})), "--duration");
  EXPECT_EQ(UsageError(ParseTraceArguments({"--runtime", "a-name-longer-than-15"})),
            "--runtime: expected a command name of 1 to 15 characters");
  EXPECT_EQ(UsageError(ParseTraceArguments({"--runtime", ""})),
            "--runtime: expected a command name of 1 to 15 characters");
  EXPECT_EQ(UsageError(ParseTraceArguments({"--runtime", "a", "--runtime", "b", "--runtime", "c",
                                            "--runtime", "d", "--runtime", "e"})),
            "at most 4 --runtime names");
  EXPECT_EQ(UsageError(ParseTraceArguments({"runc"})), "unexpected argument 'runc'");
  EXPECT_EQ(UsageError(ParseTraceArguments({"--pid", "1"})), "unknown option '--pid'");
  EXPECT_TRUE(IsHelp(ParseTraceArguments({"--duration", "x", "--help"})));
}

TEST(ClusterArguments, SubcommandsAndOptions) {
  const ClusterArguments up = Good(ParseClusterArguments(
      {"--nodes", "5", "up", "--name", "lab-1", "--cpus", "0.5", "--memory", "512Mi"}));
  EXPECT_EQ(up.verb, ClusterVerb::kUp);
  EXPECT_EQ(up.name, "lab-1");
  EXPECT_TRUE(up.named);
  EXPECT_EQ(up.nodes, 5);
  EXPECT_DOUBLE_EQ(*up.cpus, 0.5);
  EXPECT_EQ(*up.memory_bytes, 512u * 1024 * 1024);
  const ClusterArguments status = Good(ParseClusterArguments({"status"}));
  EXPECT_EQ(status.verb, ClusterVerb::kStatus);
  EXPECT_EQ(status.name, "default");
  EXPECT_FALSE(status.named);
  EXPECT_EQ(status.nodes, 3);
  EXPECT_FALSE(status.cpus);
  EXPECT_FALSE(status.memory_bytes);
  EXPECT_EQ(Good(ParseClusterArguments({"down", "--name", "a", "--name", "b"})).name, "b");
  EXPECT_EQ(Good(ParseClusterArguments({"down"})).verb, ClusterVerb::kDown);
}

TEST(ClusterArguments, UsageErrors) {
  EXPECT_EQ(UsageError(ParseClusterArguments({})), "expected up, status or down");
  EXPECT_EQ(UsageError(ParseClusterArguments({"--nodes", "2"})), "expected up, status or down");
  EXPECT_EQ(UsageError(ParseClusterArguments({"start"})), "unknown subcommand 'start'");
  EXPECT_EQ(UsageError(ParseClusterArguments({"up", "status"})), "unexpected argument 'status'");
  EXPECT_EQ(UsageError(ParseClusterArguments({"up", "--bogus"})), "unknown option '--bogus'");
  EXPECT_EQ(UsageError(ParseClusterArguments({"up", "--name", "Lab"})),
            "--name: expected lowercase letters, digits and '-'");
  EXPECT_EQ(UsageError(ParseClusterArguments({"up", "--name", std::string(64, 'a')})),
            "--name: expected lowercase letters, digits and '-'");
  for (const char* bad : {"0", "65", "3x", ""}) {
    EXPECT_EQ(UsageError(ParseClusterArguments({"up", "--nodes", bad})),
              std::string("--nodes: expected 1..64, got '") + bad + "'");
  }
  EXPECT_EQ(UsageError(ParseClusterArguments({"up", "--cpus", "0"})),
            "--cpus: expected a positive number, got '0'");
  EXPECT_PRED2(Contains, UsageError(ParseClusterArguments({"up", "--memory", "lots"})),
               "--memory: ");
  EXPECT_PRED2(Contains, UsageError(ParseClusterArguments({"up", "--nodes"})), "--nodes");
  EXPECT_TRUE(IsHelp(ParseClusterArguments({"up", "--help"})));
}

TEST(V1ExecArguments, PassesEverythingAfterDashesThrough) {
  const V1ExecArguments exec =
      Good(ParseV1ExecArguments({"--", "crun", "--help", "--", "-x", "a=b", "{}", ""}));
  EXPECT_EQ(exec.program,
            (std::vector<std::string>{"crun", "--help", "--", "-x", "a=b", "{}", ""}));
}

TEST(V1ExecArguments, UsageErrors) {
  EXPECT_EQ(UsageError(ParseV1ExecArguments({})), "expected -- PROGRAM");
  EXPECT_EQ(UsageError(ParseV1ExecArguments({"--"})), "expected -- PROGRAM");
  EXPECT_EQ(UsageError(ParseV1ExecArguments({"crun"})), "expected -- PROGRAM");
  EXPECT_EQ(UsageError(ParseV1ExecArguments({"--x", "--", "crun"})), "unknown option '--x'");
  EXPECT_TRUE(IsHelp(ParseV1ExecArguments({"--help", "--", "crun"})));
}

TEST(NodeExecArguments, Everything) {
  const NodeExecArguments exec = Good(ParseNodeExecArguments({"--cgroup",
                                                              "fl/n1/d",
                                                              "--netns",
                                                              "/run/netns/n1",
                                                              "--env",
                                                              "A=1",
                                                              "--env",
                                                              "B=x=y",
                                                              "--private-mount",
                                                              "/a:/b",
                                                              "--private-mount",
                                                              "/c:/d",
                                                              "--mount-ns",
                                                              "/proc/1/ns/mnt",
                                                              "--",
                                                              "dockerd",
                                                              "--config-file",
                                                              "/x",
                                                              "--env",
                                                              "C",
                                                              "--help",
                                                              "--"}));
  EXPECT_EQ(exec.cgroup, "fl/n1/d");
  EXPECT_EQ(exec.netns, "/run/netns/n1");
  EXPECT_EQ(exec.env, (std::vector<std::string>{"A=1", "B=x=y"}));
  EXPECT_EQ(exec.private_mounts, (std::vector<std::string>{"/a:/b", "/c:/d"}));
  EXPECT_EQ(exec.mount_ns, "/proc/1/ns/mnt");
  EXPECT_EQ(exec.program, (std::vector<std::string>{"dockerd", "--config-file", "/x", "--env", "C",
                                                    "--help", "--"}));
}

TEST(NodeExecArguments, Defaults) {
  const NodeExecArguments exec = Good(ParseNodeExecArguments({"--cgroup", "c", "--", "true"}));
  EXPECT_EQ(exec.netns, "");
  EXPECT_TRUE(exec.env.empty());
  EXPECT_TRUE(exec.private_mounts.empty());
  EXPECT_EQ(exec.mount_ns, "");
  EXPECT_EQ(exec.program, (std::vector<std::string>{"true"}));
  EXPECT_EQ(Good(ParseNodeExecArguments({"--cgroup", "a", "--cgroup", "b", "--", "x"})).cgroup,
            "b");
}

TEST(NodeExecArguments, UsageErrors) {
  EXPECT_EQ(UsageError(ParseNodeExecArguments({"--", "true"})), "--cgroup is required");
  EXPECT_EQ(UsageError(ParseNodeExecArguments({"--cgroup", "", "--", "true"})),
            "--cgroup is required");
  EXPECT_EQ(UsageError(ParseNodeExecArguments({"--cgroup", "c"})), "no PROGRAM after --");
  EXPECT_EQ(UsageError(ParseNodeExecArguments({"--cgroup", "c", "--"})), "no PROGRAM after --");
  EXPECT_EQ(UsageError(ParseNodeExecArguments({"--cgroup", "c", "--pid", "1", "--", "true"})),
            "unknown option '--pid'");
  EXPECT_EQ(UsageError(ParseNodeExecArguments({"--cgroup", "c", "true"})),
            "unexpected argument 'true'");
  EXPECT_EQ(UsageError(ParseNodeExecArguments({"--cgroup", "c", "--env", "A", "--", "true"})),
            "--env: expected NAME=VALUE, got 'A'");
  EXPECT_PRED2(Contains, UsageError(ParseNodeExecArguments({"--cgroup"})), "--cgroup");
  EXPECT_TRUE(IsHelp(ParseNodeExecArguments({"--cgroup", "c", "--help", "--", "true"})));
  EXPECT_FALSE(IsHelp(ParseNodeExecArguments({"--cgroup", "c", "--", "true", "--help"})));
}

TEST(TcpEchoArguments, Parse) {
  const TcpEchoArguments echo = Good(ParseTcpEchoArguments(
      {"--netns", "/run/netns/n1", "--cgroup", "fl/h", "--address", "198.18.0.2", "--port", "7777",
       "--stop-file", "/s", "--ready-file", "/r", "--max-seconds", "31"}));
  EXPECT_EQ(echo.netns, "/run/netns/n1");
  EXPECT_EQ(echo.cgroup, "fl/h");
  EXPECT_EQ(echo.address, "198.18.0.2");
  EXPECT_EQ(echo.port, 7777);
  EXPECT_EQ(echo.stop_file, "/s");
  EXPECT_EQ(echo.ready_file, "/r");
  EXPECT_EQ(echo.max_seconds, 31);
  const TcpEchoArguments minimal =
      Good(ParseTcpEchoArguments({"--netns", "", "--cgroup", "c", "--address", "a", "--port", "1",
                                  "--stop-file", "s", "--port", "2"}));
  EXPECT_EQ(minimal.netns, "");
  EXPECT_EQ(minimal.port, 2);
  EXPECT_EQ(minimal.ready_file, "");
  EXPECT_FALSE(minimal.max_seconds);
}

TEST(TcpEchoArguments, UsageErrors) {
  EXPECT_EQ(UsageError(ParseTcpEchoArguments(
                {"--netns", "n", "--cgroup", "c", "--address", "a", "--port", "1"})),
            "--stop-file is required");
  EXPECT_PRED2(Contains,
               UsageError(ParseTcpEchoArguments({"--netns", "n", "--cgroup", "c", "--address", "a",
                                                 "--port", "70000", "--stop-file", "s"})),
               "--port");
  EXPECT_EQ(UsageError(ParseTcpEchoArguments({"--netns", "n", "--cgroup", "c", "--address", "a",
                                              "--port", "1", "--stop-file", "s", "--x", "y"})),
            "unknown option '--x'");
  EXPECT_TRUE(IsHelp(ParseTcpEchoArguments({"--help"})));
}

TEST(TcpProbeArguments, Parse) {
  const TcpProbeArguments probe =
      Good(ParseTcpProbeArguments({"--netns",       "/run/netns/n1",
                                   "--cgroup",      "fl/h",
                                   "--peers",       "198.18.0.2,198.18.0.3",
                                   "--port",        "7777",
                                   "--rate",        "12.500000",
                                   "--count",       "40",
                                   "--max-seconds", "9",
                                   "--size",        "128",
                                   "--timeout-ms",  "500",
                                   "--stop-file",   "/s"}));
  EXPECT_EQ(probe.peers, (std::vector<std::string>{"198.18.0.2", "198.18.0.3"}));
  EXPECT_EQ(probe.port, 7777);
  EXPECT_DOUBLE_EQ(probe.rate, 12.5);
  EXPECT_EQ(probe.count, 40u);
  EXPECT_EQ(probe.max_seconds, 9);
  EXPECT_EQ(probe.size, 128u);
  EXPECT_EQ(probe.timeout_ms, 500);
  EXPECT_EQ(probe.stop_file, "/s");
  const TcpProbeArguments minimal =
      Good(ParseTcpProbeArguments({"--netns", "n", "--cgroup", "c", "--peers", "a", "--port", "1",
                                   "--rate", "1", "--count", "1", "--max-seconds", "1"}));
  EXPECT_EQ(minimal.peers, (std::vector<std::string>{"a"}));
  EXPECT_FALSE(minimal.size);
  EXPECT_FALSE(minimal.timeout_ms);
  EXPECT_EQ(minimal.stop_file, "");
}

TEST(TcpProbeArguments, UsageErrors) {
  EXPECT_EQ(UsageError(ParseTcpProbeArguments({"--netns", "n", "--cgroup", "c", "--peers", "a",
                                               "--port", "1", "--rate", "1", "--count", "1"})),
            "--max-seconds is required");
  EXPECT_PRED2(Contains,
               UsageError(ParseTcpProbeArguments({"--netns", "n", "--cgroup", "c", "--peers", "a",
                                                  "--port", "1", "--rate", "fast", "--count", "1",
                                                  "--max-seconds", "1"})),
               "--rate");
  EXPECT_EQ(UsageError(ParseTcpProbeArguments({"--netns", "n", "--cgroup", "c", "--peers", "a",
                                               "--port", "1", "--rate", "1", "--count", "1",
                                               "--max-seconds", "1", "x"})),
            "unexpected argument 'x'");
  EXPECT_TRUE(IsHelp(ParseTcpProbeArguments({"-h"})));
}

TEST(WatchdogArguments, Parse) {
  EXPECT_EQ(Good(ParseWatchdogArguments({"/run/faultline/r1"})).run_dir, "/run/faultline/r1");
  EXPECT_EQ(UsageError(ParseWatchdogArguments({})), "expected exactly one RUN_DIR");
  EXPECT_EQ(UsageError(ParseWatchdogArguments({"a", "b"})), "expected exactly one RUN_DIR");
  EXPECT_EQ(UsageError(ParseWatchdogArguments({"a", "--now"})), "unknown option '--now'");
  EXPECT_TRUE(IsHelp(ParseWatchdogArguments({"--help"})));
}

}  // namespace
}  // namespace faultline::cli
