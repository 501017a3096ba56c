#include "harness/cli/arguments.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <functional>
#include <limits>
#include <sstream>
#include <tuple>
#include <utility>

#include "harness/scenario/units.h"

namespace faultline::cli {
namespace {

// The verb's help was asked for.
template <typename T>
Parsed<T> Help() {
  return std::optional<T>();
}

template <typename T>
Parsed<T> Arguments(T arguments) {
  return std::optional<T>(std::move(arguments));
}

// -h or --help before any `--` asks for the verb's help, whatever else is given.
bool AsksForHelp(const Args& args) {
  const auto end = std::find(args.begin(), args.end(), "--");
  return std::find_if(args.begin(), end,
                      [](const std::string& arg) { return arg == "-h" || arg == "--help"; }) != end;
}

// A verb's parser: a repeated option keeps its last value; what it does not know is left for
// ParseInto() to refuse; help is asked for before it parses (AsksForHelp).
void Prepare(CLI::App& app) {
  app.set_help_flag();
  app.allow_extras();
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

// An option that may be repeated, each time with one value: all of them, in order.
CLI::Option* AddList(CLI::App& app, const std::string& name, std::vector<std::string>& into,
                     const std::string& type) {
  return app.add_option(name, into)
      ->type_name(type)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

// The first argument APP found no place for, as a usage error: an unknown option (a `--` too),
// or an argument the verb has no room for.
Status NothingLeft(const CLI::App& app) {
  const std::vector<std::string> left = app.remaining();
  if (left.empty()) return OkStatus();
  const std::string& first = left.front();
  const bool option = first.size() > 1 && first[0] == '-';
  return InvalidArgument((option ? "unknown option '" : "unexpected argument '") + first + "'");
}

// Parses ARGS into APP's options. CLI11's message is the usage error for an option without its
// value, a value its check refuses or a required option not given; then anything left over
// (NothingLeft). CLI11's exceptions end here.
Status ParseInto(CLI::App& app, const Args& args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes the last first
  try {
    app.parse(reversed);
  } catch (const std::exception& error) {  // CLI::ParseError, or a conversion's own
    return InvalidArgument(error.what());
  }
  return NothingLeft(app);
}

// A check that converts each value of an option, in order, into INTO with PARSE (text ->
// Result); a value PARSE refuses is a usage error "OPTION: REASON".
template <typename T, typename Parse>
CLI::Validator Into(T& into, Parse parse) {
  return CLI::Validator(
      [&into, parse](std::string& text) -> std::string {
        auto parsed = parse(text);
        if (!parsed.ok()) return parsed.error().message;
        into = std::move(parsed).value();
        return {};
      },
      "");
}

// A check of each value of an option: REASON(value) is empty when the value is fine, else the
// usage error's "OPTION: REASON".
CLI::Validator Check(std::function<std::string(const std::string&)> reason) {
  return CLI::Validator([reason](std::string& text) { return reason(text); }, "");
}

// "5%" -> 0.05, "0.05" -> 0.05; none for anything else.
std::optional<double> ParseFraction(const std::string& text) {
  std::string number = text;
  double scale = 1;
  if (!number.empty() && number.back() == '%') {
    number.pop_back();
    scale = 0.01;
  }
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(number.c_str(), &end);
  if (number.empty() || errno != 0 || end != number.c_str() + number.size()) return std::nullopt;
  return value * scale;
}

// A fraction in [0, BELOW); otherwise "EXPECTED, got 'TEXT'".
std::function<Result<double>(const std::string&)> FractionBelow(double below,
                                                                std::string expected) {
  return [below, expected](const std::string& text) -> Result<double> {
    const std::optional<double> value = ParseFraction(text);
    if (value && *value >= 0 && *value < below) return *value;
    return InvalidArgument(expected + ", got '" + text + "'");
  };
}

// Digits only.
std::optional<std::uint64_t> ParseCount(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::strtoull(text.c_str(), nullptr, 10);
}

// A file name's check: present.
std::string NonEmpty(const std::string& text) {
  return text.empty() ? "expected a file name" : "";
}

// Everything after the first `--`, untouched, and what comes before it.
std::pair<Args, std::vector<std::string>> SplitAtDashes(const Args& args) {
  const auto dashes = std::find(args.begin(), args.end(), "--");
  if (dashes == args.end()) return {args, {}};
  return {Args(args.begin(), dashes), std::vector<std::string>(dashes + 1, args.end())};
}

// A verb without arguments.
Parsed<NoArguments> ParseNothing(const Args& args) {
  if (AsksForHelp(args)) return Help<NoArguments>();
  CLI::App app;
  Prepare(app);
  FL_RETURN_IF_ERROR(ParseInto(app, args));
  return Arguments(NoArguments{});
}

}  // namespace

Parsed<RunArguments> ParseRunArguments(const Args& args) {
  if (AsksForHelp(args)) return Help<RunArguments>();
  RunArguments parsed;
  std::vector<std::string> scenarios;
  bool no_probes = false;
  CLI::App app;
  Prepare(app);
  app.add_option("SCENARIO", scenarios);
  app.add_option("--out", parsed.out_dir)->type_name("DIR");
  app.add_flag("--json", parsed.json);
  app.add_option("--cluster", parsed.cluster)->type_name("NAME");
  app.add_flag("--no-probes", no_probes);
  app.add_option("--metrics-listen")
      ->type_name("ADDR:PORT")
      ->check(Into(parsed.metrics_listen, reports::prometheus::ParseListenAddress));
  app.add_option("--pushgateway")
      ->type_name("URL")
      ->check(Into(parsed.pushgateway, reports::prometheus::ParsePushUrl));
  FL_RETURN_IF_ERROR(ParseInto(app, args));
  if (scenarios.empty()) return InvalidArgument("no SCENARIO given");
  if (scenarios.size() > 1) return InvalidArgument("more than one SCENARIO given");
  parsed.scenario = scenarios[0];
  parsed.probes = !no_probes;
  return Arguments(std::move(parsed));
}

namespace {

// A verb whose one argument is the positional NAME (validate, _watchdog): it, or none for help.
Parsed<std::string> ParseOnePositional(const Args& args, const std::string& name) {
  if (AsksForHelp(args)) return Help<std::string>();
  std::vector<std::string> values;
  CLI::App app;
  Prepare(app);
  app.add_option(name, values);
  FL_RETURN_IF_ERROR(ParseInto(app, args));
  if (values.size() != 1) return InvalidArgument("expected exactly one " + name);
  return Arguments(std::move(values[0]));
}

}  // namespace

Parsed<ValidateArguments> ParseValidateArguments(const Args& args) {
  FL_ASSIGN_OR_RETURN(std::optional<std::string> scenario, ParseOnePositional(args, "SCENARIO"));
  if (!scenario) return Help<ValidateArguments>();
  return Arguments(ValidateArguments{std::move(*scenario)});
}

Parsed<NoArguments> ParseDoctorArguments(const Args& args) {
  return ParseNothing(args);
}

Parsed<NoArguments> ParseRecoverArguments(const Args& args) {
  return ParseNothing(args);
}

Parsed<CompareArguments> ParseCompareArguments(const Args& args) {
  if (AsksForHelp(args)) return Help<CompareArguments>();
  CompareArguments parsed;
  std::optional<std::pair<std::string, std::string>> targets;
  CLI::App app;
  Prepare(app);
  app.add_option("FILE", parsed.files);
  app.add_option("--threshold")
      ->type_name("T")
      ->check(Into(parsed.threshold, FractionBelow(10, "expected a fraction like 5% or 0.05")));
  app.add_option("--alpha")->type_name("A")->check(
      Into(parsed.alpha, [](const std::string& text) -> Result<double> {
        const std::optional<double> alpha = ParseFraction(text);
        if (alpha && *alpha > 0 && *alpha <= 0.5) return *alpha;
        return InvalidArgument("expected a number in (0, 0.5], got '" + text + "'");
      }));
  app.add_option("--host-bound")
      ->type_name("B")
      ->check(Into(parsed.host_bound, [](const std::string& text) -> Result<double> {
        if (text == "none") return std::numeric_limits<double>::infinity();
        return FractionBelow(10, "expected a fraction like 5% or 0.05, or none")(text);
      }));
  app.add_option("--targets")
      ->type_name("B,N")
      ->check(
          Into(targets, [](const std::string& text) -> Result<std::pair<std::string, std::string>> {
            // "runc,crun": two different non-empty names.
            const auto comma = text.find(',');
            std::string base = text.substr(0, comma);
            std::string next = comma == std::string::npos ? "" : text.substr(comma + 1);
            if (base.empty() || next.empty() || base == next ||
                next.find(',') != std::string::npos) {
              return InvalidArgument("expected two different target names like runc,crun, got '" +
                                     text + "'");
            }
            return std::pair{std::move(base), std::move(next)};
          }));
  app.add_flag("--force", parsed.force);
  app.add_option("--markdown", parsed.markdown)->type_name("FILE")->check(Check(NonEmpty));
  app.add_option("--json", parsed.json)->type_name("FILE")->check(Check(NonEmpty));
  app.add_option("--junit", parsed.junit)->type_name("FILE")->check(Check(NonEmpty));
  FL_RETURN_IF_ERROR(ParseInto(app, args));
  if (targets) std::tie(parsed.base_target, parsed.new_target) = *targets;
  const std::string given = std::to_string(parsed.files.size());
  if (targets && parsed.files.size() != 1) {
    return InvalidArgument("--targets needs exactly one result file (got " + given + ")");
  }
  if (!targets && parsed.files.size() != 2) {
    return InvalidArgument("needs exactly two result files, BASE and NEW (got " + given + ")");
  }
  return Arguments(std::move(parsed));
}

Parsed<GateArguments> ParseGateArguments(const Args& args) {
  if (AsksForHelp(args)) return Help<GateArguments>();
  GateArguments parsed;
  std::vector<std::string> scenarios;
  bool no_probes = false;
  CLI::App app;
  Prepare(app);
  app.add_option("SCENARIO", scenarios);
  app.add_option("--base", parsed.base)->type_name("TARGET");
  app.add_option("--candidate", parsed.candidate)->type_name("TARGET");
  app.add_option("--step", parsed.step)->type_name("STEP");
  AddList(app, "--metric", parsed.metrics, "METRIC");
  const auto fraction = FractionBelow(1, "expected a fraction such as 0.05 or 5%");
  app.add_option("--tolerance")->type_name("PCT")->check(Into(parsed.tolerance, fraction));
  app.add_option("--detection")->type_name("PCT")->check(Into(parsed.detection, fraction));
  app.add_option("--alpha")->type_name("P")->check(Into(parsed.alpha, fraction));
  app.add_option("--max-quads")
      ->type_name("N")
      ->check(Into(parsed.max_quads, [](const std::string& text) -> Result<int> {
        const std::optional<std::uint64_t> count = ParseCount(text);
        if (count && *count >= 1 && *count <= 10000) return static_cast<int>(*count);
        return InvalidArgument("expected a whole number, got '" + text + "'");
      }));
  app.add_option("--seed")->type_name("N")->check(
      Into(parsed.seed, [](const std::string& text) -> Result<std::uint64_t> {
        const std::optional<std::uint64_t> count = ParseCount(text);
        if (count) return *count;
        return InvalidArgument("expected a whole number, got '" + text + "'");
      }));
  app.add_option("--out", parsed.out_dir)->type_name("DIR");
  app.add_option("--junit", parsed.junit)->type_name("FILE");
  app.add_option("--markdown", parsed.markdown)->type_name("FILE");
  app.add_flag("--no-probes", no_probes);
  FL_RETURN_IF_ERROR(ParseInto(app, args));
  if (scenarios.empty()) return InvalidArgument("no SCENARIO given");
  if (scenarios.size() > 1) return InvalidArgument("more than one SCENARIO given");
  parsed.scenario = scenarios[0];
  parsed.probes = !no_probes;
  return Arguments(std::move(parsed));
}

Parsed<ReportArguments> ParseReportArguments(const Args& args) {
  if (AsksForHelp(args)) return Help<ReportArguments>();
  ReportArguments parsed;
  std::vector<std::string> inputs;
  CLI::App app;
  Prepare(app);
  app.add_option("RESULT", inputs);
  app.add_option("--html", parsed.html)->type_name("FILE");
  app.add_option("--junit", parsed.junit)->type_name("FILE");
  app.add_option("--gbench", parsed.gbench)->type_name("FILE");
  app.add_option("--csv", parsed.csv)->type_name("FILE");
  FL_RETURN_IF_ERROR(ParseInto(app, args));
  if (inputs.empty() || inputs.size() > 2) {
    return InvalidArgument("give RESULT.json and at most one BASE.json");
  }
  if (parsed.html.empty() && parsed.junit.empty() && parsed.gbench.empty() && parsed.csv.empty()) {
    return InvalidArgument("no output: give --html, --junit, --gbench or --csv");
  }
  parsed.result = inputs[0];
  if (inputs.size() == 2) parsed.base = inputs[1];
  return Arguments(std::move(parsed));
}

Parsed<TraceArguments> ParseTraceArguments(const Args& args) {
  if (AsksForHelp(args)) return Help<TraceArguments>();
  TraceArguments parsed;
  CLI::App app;
  Prepare(app);
  app.add_option("--duration")
      ->type_name("D")
      ->check(Into(parsed.duration,
                   [](const std::string& text) { return scenario::ParseDuration(text); }));
  AddList(app, "--runtime", parsed.runtimes, "NAME")->check(Check([](const std::string& name) {
    return name.empty() || name.size() > 15 ? "expected a command name of 1 to 15 characters" : "";
  }));
  FL_RETURN_IF_ERROR(ParseInto(app, args));
  if (parsed.runtimes.size() > 4) return InvalidArgument("at most 4 --runtime names");
  return Arguments(std::move(parsed));
}

Parsed<ClusterArguments> ParseClusterArguments(const Args& args) {
  if (AsksForHelp(args)) return Help<ClusterArguments>();
  ClusterArguments parsed;
  std::vector<std::string> words;
  CLI::App app;
  Prepare(app);
  app.add_option("SUBCOMMAND", words);
  CLI::Option* name = app.add_option("--name", parsed.name)
                          ->type_name("NAME")
                          ->check(Check([](const std::string& text) -> std::string {
                            const bool valid =
                                !text.empty() && text.size() <= 63 &&
                                text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") ==
                                    std::string::npos;
                            return valid ? "" : "expected lowercase letters, digits and '-'";
                          }));
  app.add_option("--nodes")->type_name("N")->check(
      Into(parsed.nodes, [](const std::string& text) -> Result<int> {
        char* end = nullptr;
        const long nodes = std::strtol(text.c_str(), &end, 10);
        if (*end || nodes < 1 || nodes > 64) {
          return InvalidArgument("expected 1..64, got '" + text + "'");
        }
        return static_cast<int>(nodes);
      }));
  app.add_option("--cpus")->type_name("C")->check(
      Into(parsed.cpus, [](const std::string& text) -> Result<double> {
        char* end = nullptr;
        const double cpus = std::strtod(text.c_str(), &end);
        if (*end || !(cpus > 0)) {
          return InvalidArgument("expected a positive number, got '" + text + "'");
        }
        return cpus;
      }));
  app.add_option("--memory")
      ->type_name("M")
      ->check(Into(parsed.memory_bytes,
                   [](const std::string& text) { return scenario::ParseSize(text); }));
  app.add_option("--cgroup-driver")
      ->type_name("cgroupfs|systemd")
      ->check(Into(parsed.systemd_cgroups, [](const std::string& text) -> Result<bool> {
        if (text != "cgroupfs" && text != "systemd") {
          return InvalidArgument("expected cgroupfs or systemd, got '" + text + "'");
        }
        return text == "systemd";
      }));
  FL_RETURN_IF_ERROR(ParseInto(app, args));
  if (words.size() > 1) return InvalidArgument("unexpected argument '" + words[1] + "'");
  if (words.empty()) return InvalidArgument("expected up, status or down");
  if (words[0] == "up") {
    parsed.verb = ClusterVerb::kUp;
  } else if (words[0] == "status") {
    parsed.verb = ClusterVerb::kStatus;
  } else if (words[0] == "down") {
    parsed.verb = ClusterVerb::kDown;
  } else {
    return InvalidArgument("unknown subcommand '" + words[0] + "'");
  }
  parsed.named = name->count() > 0;
  return Arguments(std::move(parsed));
}

Parsed<V1ExecArguments> ParseV1ExecArguments(const Args& args) {
  if (AsksForHelp(args)) return Help<V1ExecArguments>();
  V1ExecArguments parsed;
  auto [options, program] = SplitAtDashes(args);
  CLI::App app;
  Prepare(app);
  if (program.empty()) return InvalidArgument("expected -- PROGRAM");
  FL_RETURN_IF_ERROR(ParseInto(app, options));
  parsed.program = std::move(program);
  return Arguments(std::move(parsed));
}

Parsed<NodeExecArguments> ParseNodeExecArguments(const Args& args) {
  if (AsksForHelp(args)) return Help<NodeExecArguments>();
  NodeExecArguments parsed;
  auto [options, program] = SplitAtDashes(args);
  CLI::App app;
  Prepare(app);
  app.add_option("--cgroup", parsed.cgroup)->type_name("REL");
  app.add_option("--netns", parsed.netns)->type_name("PATH");
  AddList(app, "--env", parsed.env, "NAME=VALUE")->check(Check([](const std::string& text) {
    return text.find('=') == std::string::npos ? "expected NAME=VALUE, got '" + text + "'" : "";
  }));
  AddList(app, "--private-mount", parsed.private_mounts, "SRC:DST");
  app.add_option("--mount-ns", parsed.mount_ns)->type_name("PATH");
  FL_RETURN_IF_ERROR(ParseInto(app, options));
  if (parsed.cgroup.empty()) return InvalidArgument("--cgroup is required");  // or given empty
  if (program.empty()) return InvalidArgument("no PROGRAM after --");
  parsed.program = std::move(program);
  return Arguments(std::move(parsed));
}

Parsed<TcpEchoArguments> ParseTcpEchoArguments(const Args& args) {
  if (AsksForHelp(args)) return Help<TcpEchoArguments>();
  TcpEchoArguments parsed;
  CLI::App app;
  Prepare(app);
  app.add_option("--netns", parsed.netns)->type_name("PATH")->required();
  app.add_option("--cgroup", parsed.cgroup)->type_name("REL")->required();
  app.add_option("--address", parsed.address)->type_name("A")->required();
  app.add_option("--port", parsed.port)->type_name("P")->required();
  app.add_option("--stop-file", parsed.stop_file)->type_name("F")->required();
  app.add_option("--ready-file", parsed.ready_file)->type_name("R");
  app.add_option("--max-seconds", parsed.max_seconds)->type_name("S");
  FL_RETURN_IF_ERROR(ParseInto(app, args));
  return Arguments(std::move(parsed));
}

Parsed<TcpProbeArguments> ParseTcpProbeArguments(const Args& args) {
  if (AsksForHelp(args)) return Help<TcpProbeArguments>();
  TcpProbeArguments parsed;
  std::string peers;
  CLI::App app;
  Prepare(app);
  app.add_option("--netns", parsed.netns)->type_name("PATH")->required();
  app.add_option("--cgroup", parsed.cgroup)->type_name("REL")->required();
  app.add_option("--peers", peers)->type_name("A,B")->required();
  app.add_option("--port", parsed.port)->type_name("P")->required();
  app.add_option("--rate", parsed.rate)->type_name("R")->required();
  app.add_option("--count", parsed.count)->type_name("N")->required();
  app.add_option("--max-seconds", parsed.max_seconds)->type_name("S")->required();
  app.add_option("--size", parsed.size)->type_name("B");
  app.add_option("--timeout-ms", parsed.timeout_ms)->type_name("T");
  app.add_option("--stop-file", parsed.stop_file)->type_name("F");
  FL_RETURN_IF_ERROR(ParseInto(app, args));
  std::istringstream list(peers);
  for (std::string peer; std::getline(list, peer, ',');) parsed.peers.push_back(peer);
  return Arguments(std::move(parsed));
}

Parsed<WatchdogArguments> ParseWatchdogArguments(const Args& args) {
  FL_ASSIGN_OR_RETURN(std::optional<std::string> run_dir, ParseOnePositional(args, "RUN_DIR"));
  if (!run_dir) return Help<WatchdogArguments>();
  return Arguments(WatchdogArguments{std::move(*run_dir)});
}

}  // namespace faultline::cli
