// `faultline compare` on real runs: an A/A pair of runc targets shows no change, and a runc slowed
// by the runtime wrapper (tests/integration/runtime_wrapper.cc) is flagged as a regression.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "harness/core/files.h"
#include "tests/integration/host_state.h"

namespace faultline::testing {
namespace {

// The scenario of these tests: TARGETS (a `target:` or `targets:` entry), then REPETITIONS of
// COUNT busybox `true` starts after an unrecorded warmup.
std::string StormScenario(const std::string& targets, int repetitions, int count) {
  return "version: 1\nname: compare-e2e\n" + targets +
         "repetitions: " + std::to_string(repetitions) +
         "\nsteps:\n"
         "  - {name: warmup, record: false, workload: {kind: start, count: 2}}\n"
         "  - name: storm\n"
         "    workload: {kind: start, count: " +
         std::to_string(count) + ", concurrency: 1, command: [\"true\"]}\n";
}

// Six repetitions, so every metric is tested over per-repetition medians and one regressed
// metric alone could reach significance after the adjustment over seven metrics.
const std::string kScenario =
    StormScenario("target: {driver: oci, runtime: runc, image: busybox}\n", 6, 8);

// Two identical targets. Ten repetitions of 16 starts each: with fewer, a burst of host noise
// within one target's turn moved a repetition's median enough to make an A/A pair look changed
// (2 of 12 pairs at 6 x 8; none of 8 at 10 x 16, the smallest adjusted p 0.41).
const std::string kTwins = StormScenario(
    "targets:\n"
    "  - {name: a, driver: oci, runtime: runc, image: busybox}\n"
    "  - {name: b, driver: oci, runtime: runc, image: busybox}\n",
    10, 16);

class CompareE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FL_REQUIRE_ROOT_RUNTIME("runc");
    dir_ = TempDir("compare");
    state_ = dir_ + "/state";
    scenario_ = dir_ + "/scenario.yaml";
    std::ofstream(scenario_) << kScenario;
  }
  void TearDown() override { (void)RemoveTree(dir_); }

  // Runs the scenario into DIR/NAME; returns the result path.
  std::string Run(const std::string& name, const Env& env = {}) {
    const std::string out = dir_ + "/" + name;
    auto [code, output] = RunFaultline({"run", scenario_, "--out", out}, state_, env);
    EXPECT_EQ(code, 0) << output;
    EXPECT_EQ(Leftovers(state_), std::vector<std::string>{});
    return out + "/result.json";
  }
  // Environment that puts the runtime wrapper in front of runc, with DELAY_MS per call.
  Env Wrapped(int delay_ms) {
    const std::string bin = dir_ + "/bin";
    if (!PathExists(bin + "/runc")) {
      EXPECT_TRUE(MakeDirs(bin).ok());
      EXPECT_EQ(symlink(RUNTIME_WRAPPER, (bin + "/runc").c_str()), 0);
    }
    return {{"PATH", bin + ":" + std::getenv("PATH")},
            {"FL_REAL_RUNTIME", FindExecutable("runc")},
            {"FL_WRAPPER_DELAY_MS", std::to_string(delay_ms)}};
  }
  std::pair<int, std::string> Compare(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"compare"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunFaultline(args, state_);
  }

  std::string dir_, state_, scenario_;
};

// An A/A pair within one run: twin runc targets, interleaved by repetition (A B, B A, ...),
// compared with each other. Interleaving puts the host's drift on both sides alike, so what
// this checks is that the statistics do not turn the noise within a run into verdicts. Drift
// between runs made apart is the host-speed control's part (reports/compare_test.cc; the
// rates are measured in docs/PERFORMANCE.md).
TEST_F(CompareE2eTest, TwinTargetsOfOneRunRaiseNoAlarm) {
  scenario_ = dir_ + "/twins.yaml";
  std::ofstream(scenario_) << kTwins;
  const std::string result = Run("twins");
  const std::string json_path = dir_ + "/compare.json";
  auto [code, output] = Compare({result, "--targets", "a,b", "--json", json_path});
  EXPECT_EQ(code, 0) << output;
  auto json = nlohmann::json::parse(Slurp(json_path));
  EXPECT_EQ(json["regressed"], false);
  EXPECT_EQ(json["host_speed"]["measured"], true) << json.dump(2);
  EXPECT_EQ(json["host_speed"]["moved"], false) << json.dump(2);  // one run: one host
  // The wall-clock metrics, plus start phases when the probes ran.
  std::set<std::string> names;
  for (const auto& m : json["metrics"]) names.insert(m["metric"].get<std::string>());
  for (const char* metric :
       {"start_latency", "op_latency.prepare", "op_latency.create", "op_latency.start",
        "op_latency.exit", "op_latency.delete", "op_latency.lifecycle"}) {
    EXPECT_TRUE(names.count(metric)) << metric << " missing: " << json.dump(2);
  }
  // No false alarm at the default settings: every metric tested, nothing regressed or improved.
  // A significant change whose interval reaches inside the threshold (inconclusive) is allowed
  // here, because alpha 0.05 admits one by definition in up to 5% of A/A pairs (measured:
  // docs/PERFORMANCE.md). The test is therefore repeated at alpha 0.001: no change at all.
  for (const auto& m : json["metrics"]) {
    EXPECT_EQ(m["target"], "a vs b") << m.dump();
    EXPECT_EQ(m["tested"], true) << m.dump();
    EXPECT_NE(m["verdict"], "regressed") << m.dump();
    EXPECT_NE(m["verdict"], "improved") << m.dump();
    EXPECT_EQ(m["level"], "repetition") << m.dump();
    EXPECT_EQ(m["base_values"], 10) << m.dump();
  }
  std::tie(code, output) =
      Compare({result, "--targets", "a,b", "--alpha", "0.001", "--json", json_path});
  EXPECT_EQ(code, 0) << output;
  for (const auto& m : nlohmann::json::parse(Slurp(json_path))["metrics"]) {
    EXPECT_EQ(m["verdict"], "no change") << m.dump();
  }

  // Targets the run does not have, or a second file beside --targets: bad usage.
  std::tie(code, output) = Compare({result, "--targets", "a,c"});
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("no target 'c'"), std::string::npos) << output;
  std::tie(code, output) = Compare({result, result, "--targets", "a,b"});
  EXPECT_EQ(code, 2) << output;

  // The run against a copy with its scenario changed behind compare's back: not comparable.
  auto doc = nlohmann::json::parse(Slurp(result));
  doc["context"]["scenario_sha256"] = "0000";
  const std::string edited = dir_ + "/edited.json";
  std::ofstream(edited) << doc.dump();
  std::tie(code, output) = Compare({result, edited});
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("scenario sha256 differs"), std::string::npos) << output;
  std::tie(code, output) = Compare({result, edited, "--force", "--markdown", dir_ + "/c.md"});
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(Slurp(dir_ + "/c.md").find("Not comparable (forced)"), std::string::npos);

  // Bad input names the file and the JSON path.
  doc["samples"][0]["ok"] = "yes";
  std::ofstream(edited) << doc.dump();
  std::tie(code, output) = Compare({result, edited, "--force"});
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find(edited), std::string::npos) << output;
  EXPECT_NE(output.find("samples[0].ok: expected a boolean"), std::string::npos) << output;
  std::tie(code, output) = Compare({result, result, "--threshold", "five"});
  EXPECT_EQ(code, 2) << output;
}

TEST_F(CompareE2eTest, ASlowedRuntimeIsARegression) {
  const std::string base = Run("base", Wrapped(0));
  // 25 ms more in every runtime call: create, start and delete each several times the 5%
  // threshold slower on any host this runs on.
  const std::string next = Run("slow", Wrapped(25));
  const std::string junit = dir_ + "/compare.xml", json_path = dir_ + "/compare.json";

  // The verdicts themselves, with the host-speed control ignored.
  auto [code, output] =
      Compare({base, next, "--host-bound", "none", "--junit", junit, "--json", json_path});
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("regressed  storm/runc/start_latency"), std::string::npos) << output;
  auto json = nlohmann::json::parse(Slurp(json_path));
  std::set<std::string> regressed;
  for (const auto& m : json["metrics"]) {
    if (m["verdict"] == "regressed") regressed.insert(m["metric"].get<std::string>());
  }
  for (const char* metric :
       {"start_latency", "op_latency.create", "op_latency.start", "op_latency.delete"}) {
    EXPECT_TRUE(regressed.count(metric)) << metric << "\n" << output;
  }
  const std::string xml = Slurp(junit);
  EXPECT_NE(xml.find("name=\"start_latency\">\n      <failure type=\"regressed\""),
            std::string::npos)
      << xml;

  // With the control (the default): the runtime wrapper does not slow the reference operation,
  // so the verdict stands unless the host itself moved, and then it is withheld, loudly.
  std::tie(code, output) = Compare({base, next, "--json", json_path});
  json = nlohmann::json::parse(Slurp(json_path));
  ASSERT_EQ(json["host_speed"]["measured"], true) << json.dump(2);
  if (json["host_speed"]["moved"] == true) {
    EXPECT_EQ(code, 0) << output;
    EXPECT_NE(output.find("HOST SPEED CHANGED"), std::string::npos) << output;
    EXPECT_EQ(json["regressed"], false);
  } else {
    EXPECT_EQ(code, 1) << output;
    EXPECT_EQ(json["regressed"], true);
  }
}

}  // namespace
}  // namespace faultline::testing
